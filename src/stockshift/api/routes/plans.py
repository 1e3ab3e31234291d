"""Plans: start one (computed in the background), read, list, map routes, execute."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Response

from stockshift.api.convert import page_of
from stockshift.api.deps import PlannerKey, SessionDep, StateDep, ViewerKey
from stockshift.api.params import Limit, Offset, PlanId
from stockshift.api.planner import QueueFull
from stockshift.api.problems import responses
from stockshift.api.schemas import (
    ExecutePublic,
    PlanCreate,
    PlanCreated,
    PlanDocument,
    PlanPage,
    PlanStatus,
    PlanStockCheck,
    RouteCollection,
)
from stockshift.core.types import PlanParameters
from stockshift.db.freshness import stock_check
from stockshift.db.plans import get_plan, list_plans, plan_header, plan_line_rows
from stockshift.db.transfers import execute_plan

router = APIRouter(tags=["plans"])
RETRY_AFTER_S = 10


@router.post(
    "/plans",
    operation_id="createPlan",
    status_code=201,
    response_model=PlanCreated,
    responses=responses(400, 401, 403, 413, 422, 429),
)
def create(body: PlanCreate, state: StateDep, key: PlannerKey) -> PlanCreated:
    """Start a plan on the stock as it is now (planner); answers at once with ``running``.

    Follow it on ``GET /api/v1/plans/{plan_id}`` or the ``plan`` events of
    ``GET /api/v1/events``. Beyond ``STOCKSHIFT_PLAN_QUEUE`` plans waiting or running,
    429 with ``Retry-After``.
    """
    params = PlanParameters(**body.model_dump())
    try:
        plan_id = state.planner.start(params, key_id=key.key_id)
    except QueueFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(RETRY_AFTER_S)}) from None
    return PlanCreated(plan_id=plan_id, status="running")


@router.get(
    "/plans", operation_id="listPlans", response_model=PlanPage, responses=responses(401, 422)
)
def plans(
    session: SessionDep,
    state: StateDep,
    _key: ViewerKey,
    status: Annotated[PlanStatus | None, Query(description="Only plans in this status.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PlanPage:
    """Plans, newest first, with status and summary (no lines)."""
    page = list_plans(session, status=status, limit=limit, offset=offset)
    return page_of(PlanPage, page, lambda row: state.plans.public(session, row))


def _wants_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (``gzip`` or ``*`` without ``q=0``)."""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _matches(if_none_match: str, etags: tuple[str, ...]) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the document's entity tags."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or any(t in tags for t in etags)


@router.get(
    "/plans/{plan_id}",
    operation_id="getPlan",
    response_model=PlanDocument,
    response_model_by_alias=True,
    responses={304: {"description": "Not Modified (If-None-Match)"}, **responses(401, 404, 422)},
)
def plan(
    plan_id: PlanId,
    state: StateDep,
    _key: ViewerKey,
    accept_encoding: Annotated[str, Header(include_in_schema=False)] = "",
    if_none_match: Annotated[str, Header(include_in_schema=False)] = "",
) -> Response:
    """The plan file of SPEC section 5 with ``plan_id``, ``status``, and per line its
    ``transfer_id`` and ``status``.

    Gzipped when the client accepts it; sent with a strong ``ETag`` that changes when the
    plan or a line's status does, so ``If-None-Match`` gets ``304`` with no body.
    """
    with state.sessions() as session:
        row = get_plan(session, plan_id=plan_id)
        document = state.plans.document(session, row)
    gz = _wants_gzip(accept_encoding)
    plain, zipped = f'"{document.etag}"', f'"{document.etag}-gzip"'
    headers = {
        "ETag": zipped if gz else plain,
        "Vary": "Accept-Encoding",
        "Cache-Control": "private, no-cache",
    }
    if if_none_match and _matches(if_none_match, (plain, zipped)):
        return Response(status_code=304, headers=headers)
    if gz:
        headers["Content-Encoding"] = "gzip"
        return Response(document.gzipped, media_type="application/json", headers=headers)
    return Response(document.body, media_type="application/json", headers=headers)


@router.get(
    "/plans/{plan_id}/routes",
    operation_id="getPlanRoutes",
    response_model=RouteCollection,
    responses=responses(401, 404, 422),
)
def routes(plan_id: PlanId, session: SessionDep, _key: ViewerKey) -> Response:
    """GeoJSON: one LineString per transfer line, from source to destination ([lon, lat])."""
    row = get_plan(session, plan_id=plan_id)
    header = plan_header(session, plan_id=row.id) or {}
    where = {s["store_id"]: [s["lon"], s["lat"]] for s in header.get("stores", [])}
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [where[line["from_store"]], where[line["to_store"]]],
            },
            "properties": {**line, "plan_id": plan_id},
        }
        for line in plan_line_rows(session, plan_id=plan_id)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return Response(text, media_type="application/json")


@router.get(
    "/plans/{plan_id}/stock-check",
    operation_id="checkPlanStock",
    response_model=PlanStockCheck,
    responses=responses(401, 404, 422),
)
def stock_changed(plan_id: PlanId, session: SessionDep, _key: ViewerKey) -> PlanStockCheck:
    """Whether the stock moved since the plan was made (``stale``: changes recorded since
    its ``made_at``, its own dispatches aside) and which sources now hold less than its
    proposed lines take: what a planner checks before executing, which would be refused
    (409, naming them) while any source is short."""
    check = stock_check(session, plan_id=plan_id)
    return PlanStockCheck.model_validate(
        {
            "plan_id": check.plan_id,
            "made_at": check.made_at,
            "stale": check.changes > 0,
            "changes": check.changes,
            "more": check.more,
            "last_change_at": check.last_change_at,
            "short_count": check.short_count,
            "short": check.short,
        }
    )


@router.post(
    "/plans/{plan_id}/execute",
    operation_id="executePlan",
    response_model=ExecutePublic,
    responses=responses(401, 403, 404, 409, 422),
)
def execute(
    plan_id: PlanId, session: SessionDep, state: StateDep, key: PlannerKey
) -> ExecutePublic:
    """Dispatch every proposed line in one transaction (planner): source on hand −q,
    destination in transit +q. 409 and nothing changed if the plan was executed before, is
    not computed, or a source no longer holds what its lines take."""
    result = execute_plan(session, plan_id=plan_id, key_id=key.key_id)
    state.broker.publish("plan", plan_id=plan_id, status="executed")
    state.broker.publish("stock", reason="dispatch", plan_id=plan_id)
    return ExecutePublic(plan_id=plan_id, status="executed", lines=result.lines, units=result.units)
