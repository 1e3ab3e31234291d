"""A plan read in parts, for big plans: its lines and warehouse orders a page at a time
(filtered, sorted, keyset-paged), its totals, and its lines summed into flows for a map."""

from __future__ import annotations

from dataclasses import asdict, astuple
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from stockshift.api.cursor import decode_cursor, encode_cursor
from stockshift.api.deps import SessionDep, StateDep, ViewerKey
from stockshift.api.fastjson import json_response
from stockshift.api.params import ID_PATTERN, PlanId, ProductFilter, StoreFilter
from stockshift.api.problems import responses
from stockshift.api.schemas import (
    Flow,
    FlowCollection,
    FlowLevel,
    LineGroup,
    LineSort,
    OrderGroup,
    OrderSort,
    PlanLinePage,
    PlanOrderPage,
    PlanTotals,
    Reason,
    Scope,
    TransferStatus,
)
from stockshift.api.schemas import PlanSummary as PlanSummarySchema
from stockshift.db.planlines import (
    Direction,
    Key,
    KeysetPage,
    LineFilter,
    OrderFilter,
    Sort,
    count_lines,
    count_orders,
    line_totals,
    order_page,
    order_totals,
    store_pairs,
    transfer_page,
)
from stockshift.db.plans import get_plan, plan_status

router = APIRouter(tags=["plans"])

PageSize = Annotated[int, Query(ge=1, le=5_000, description="Items per page.")]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=512,
        description="The next_cursor of the previous page; leave out for the first page.",
    ),
]
DirectionFilter = Annotated[
    Direction | None,
    Query(description="With store_id: only lines arriving at it (in) or leaving it (out)."),
]
ScopeFilter = Annotated[Scope | None, Query(description="Only lines of this scope.")]
StatusFilter = Annotated[TransferStatus | None, Query(description="Only lines in this status.")]
LineText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=ID_PATTERN,
        description="Only lines whose product, or either store's id or name, contains this"
        " text (any case): what a planner types in a table's filter box.",
    ),
]
OrderText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=ID_PATTERN,
        description="Only orders whose product, store or reason contains this text (any case).",
    ),
]
NUMERIC = {"seq", "quantity", "distance_km", "expected_gain"}
SCOPES: tuple[Scope, ...] = ("intra-cluster", "cross-cluster")
STATUSES: tuple[TransferStatus, ...] = ("proposed", "dispatched", "received", "cancelled")
REASONS: tuple[Reason, ...] = ("no-source", "transfer-cap")


def _sort(name: str) -> Sort:
    return Sort(name.lstrip("-"), descending=name.startswith("-"))


def _line_filter(
    product_id: str | None,
    store_id: str | None,
    direction: Direction | None,
    scope: Scope | None,
    status: TransferStatus | None,
    text: str | None = None,
) -> LineFilter:
    if direction is not None and store_id is None:
        raise HTTPException(
            422, "direction needs store_id: it says whether lines arrive at or leave that store"
        )
    return LineFilter(
        product_id=product_id,
        store_id=store_id,
        direction=direction,
        scope=scope,
        status=status,
        text=text,
    )


def _after(cursor: str | None, sort: Sort, filters: dict[str, Any]) -> Key | None:
    if cursor is None:
        return None
    return decode_cursor(cursor, sort, filters, numeric=sort.field in NUMERIC)


def _next(page: KeysetPage, sort: Sort, filters: dict[str, Any]) -> str | None:
    return None if page.next_key is None else encode_cursor(sort, page.next_key, filters)


@router.get(
    "/plans/{plan_id}/transfers",
    operation_id="listPlanTransfers",
    response_model=PlanLinePage,
    responses=responses(400, 401, 404, 422),
)
def plan_transfers(
    plan_id: PlanId,
    state: StateDep,
    _key: ViewerKey,
    product_id: ProductFilter = None,
    store_id: StoreFilter = None,
    direction: DirectionFilter = None,
    scope: ScopeFilter = None,
    status: StatusFilter = None,
    q: LineText = None,
    sort: Annotated[
        LineSort,
        Query(description="field ascending (ties in plan order), or -field: that reversed."),
    ] = "seq",
    limit: PageSize = 100,
    cursor: Cursor = None,
) -> Response:
    """A page of the plan's transfer lines, filtered and sorted by the server.

    Keyset paging: follow ``next_cursor`` until it is null to see every matching line
    exactly once. ``sort=seq`` is the order the lines were made (SPEC section 5).
    """
    where = _line_filter(product_id, store_id, direction, scope, status, q)
    filters = {"plan": plan_id, **asdict(where)}
    order = _sort(sort)
    with state.sessions() as session:
        known = plan_status(session, plan_id=plan_id)
        after = _after(cursor, order, filters)
        total = (
            count_lines(session, plan_id=plan_id, where=where)
            if status is not None or q is not None  # statuses move; store names can be re-imported
            else state.plans.count(
                plan_id,
                known,
                ("lines", *astuple(where)),
                lambda: count_lines(session, plan_id=plan_id, where=where),
            )
        )
        page = transfer_page(
            session, plan_id=plan_id, where=where, sort=order, after=after, limit=limit
        )
    return _page_response(page, total=total, limit=limit, sort=order, filters=filters)


def _page_response(
    page: KeysetPage, *, total: int, limit: int, sort: Sort, filters: dict[str, Any]
) -> Response:
    """A :class:`PlanLinePage` or :class:`PlanOrderPage` of ``page``, encoded by orjson."""
    return json_response(
        {
            "total": total,
            "limit": limit,
            "sort": sort.name,
            "next_cursor": _next(page, sort, filters),
            "items": page.items,
        }
    )


@router.get(
    "/plans/{plan_id}/warehouse-orders",
    operation_id="listPlanWarehouseOrders",
    response_model=PlanOrderPage,
    responses=responses(400, 401, 404, 422),
)
def plan_orders(
    plan_id: PlanId,
    state: StateDep,
    _key: ViewerKey,
    product_id: ProductFilter = None,
    store_id: StoreFilter = None,
    reason: Annotated[Reason | None, Query(description="Only orders with this reason.")] = None,
    q: OrderText = None,
    sort: Annotated[
        OrderSort,
        Query(description="field ascending (ties in plan order), or -field: that reversed."),
    ] = "seq",
    limit: PageSize = 100,
    cursor: Cursor = None,
) -> Response:
    """A page of the plan's warehouse orders, filtered and sorted by the server (keyset
    paging as for the plan's transfers)."""
    where = OrderFilter(product_id=product_id, store_id=store_id, reason=reason, text=q)
    filters = {"plan": plan_id, **asdict(where)}
    order = _sort(sort)
    with state.sessions() as session:
        known = plan_status(session, plan_id=plan_id)
        after = _after(cursor, order, filters)
        total = state.plans.count(
            plan_id,
            known,
            ("orders", *astuple(where)),
            lambda: count_orders(session, plan_id=plan_id, where=where),
        )
        page = order_page(
            session, plan_id=plan_id, where=where, sort=order, after=after, limit=limit
        )
    return _page_response(page, total=total, limit=limit, sort=order, filters=filters)


@router.get(
    "/plans/{plan_id}/summary",
    operation_id="getPlanSummary",
    response_model=PlanTotals,
    responses=responses(401, 404, 422),
)
def plan_summary(
    plan_id: PlanId, session: SessionDep, state: StateDep, _key: ViewerKey
) -> PlanTotals:
    """The plan's settings, the plan file's summary, and its lines and units per scope,
    per status and per warehouse-order reason: what a plan's header shows, without lines."""
    row = get_plan(session, plan_id=plan_id)
    fixed = state.plans.fixed(session, row)
    groups = line_totals(session, plan_id=plan_id)
    orders = order_totals(session, plan_id=plan_id)

    def total(keep: Any) -> LineGroup:
        picked = [v for (scope, status), v in groups.items() if keep(scope, status)]
        return LineGroup(
            lines=sum(v.lines for v in picked),
            units=sum(v.units for v in picked),
            unit_km=round(sum(v.unit_km for v in picked), 6),
        )

    return PlanTotals(
        plan_id=row.id,
        status=row.status,
        progress=row.progress,
        error=row.error,
        parameters=fixed.parameters,
        summary=PlanSummarySchema.model_validate(fixed.summary) if fixed.summary else None,
        lines=total(lambda _scope, _status: True),
        scopes={s: total(lambda scope, _status, s=s: scope == s) for s in SCOPES},
        statuses={s: total(lambda _scope, status, s=s: status == s) for s in STATUSES},
        warehouse={
            r: OrderGroup(orders=orders.get(r, (0, 0))[0], units=orders.get(r, (0, 0))[1])
            for r in REASONS
        },
        created_at=row.created_at,
        finished_at=row.finished_at,
        executed_at=row.executed_at,
    )


@router.get(
    "/plans/{plan_id}/flows",
    operation_id="getPlanFlows",
    response_model=FlowCollection,
    responses=responses(401, 404, 422),
)
def plan_flows(
    plan_id: PlanId,
    session: SessionDep,
    state: StateDep,
    _key: ViewerKey,
    level: Annotated[
        FlowLevel, Query(description="Sum lines per pair of clusters or of stores.")
    ] = "cluster",
    product_id: ProductFilter = None,
    store_id: StoreFilter = None,
    direction: DirectionFilter = None,
    scope: ScopeFilter = None,
    status: StatusFilter = None,
    q: LineText = None,
    limit: Annotated[int, Query(ge=1, le=50_000, description="Most pairs returned.")] = 5_000,
) -> FlowCollection:
    """The plan's lines summed per origin-destination pair (lines, units, unit-km), with
    both ends' positions, the pairs with the most units first: what a map draws.

    ``level=cluster`` sums per pair of the plan's clusters, placed at their centroids (a
    pair whose ends are the same cluster is its intra-cluster traffic); ``level=store``
    per pair of stores.
    """
    where = _line_filter(product_id, store_id, direction, scope, status, q)
    row = get_plan(session, plan_id=plan_id)
    fixed = state.plans.fixed(session, row)
    pairs = store_pairs(session, plan_id=plan_id, where=where)
    if level == "cluster":
        at = fixed.centroids
        sums: dict[tuple[str, str], list[float]] = {}
        for p in pairs:
            ends = (fixed.store_clusters[p.from_store], fixed.store_clusters[p.to_store])
            acc = sums.setdefault(ends, [0, 0, 0.0])
            acc[0] += p.lines
            acc[1] += p.units
            acc[2] += p.unit_km
        summed = [(a, b, int(v[0]), int(v[1]), v[2]) for (a, b), v in sums.items()]
    else:
        at = fixed.positions
        summed = [(p.from_store, p.to_store, p.lines, p.units, p.unit_km) for p in pairs]
    summed.sort(key=lambda f: (-f[3], f[0], f[1]))
    flows = [
        Flow(
            origin=a,
            destination=b,
            origin_lat=at[a][0],
            origin_lon=at[a][1],
            destination_lat=at[b][0],
            destination_lon=at[b][1],
            lines=n,
            units=units,
            unit_km=round(km, 6),
        )
        for a, b, n, units, km in summed[:limit]
    ]
    return FlowCollection(plan_id=plan_id, level=level, total=len(summed), limit=limit, flows=flows)
