"""Backtests: replay the sales history in the database under each policy (SPEC section 10)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Path

from stockshift.api.convert import page_of
from stockshift.api.deps import PlannerKey, SessionDep, StateDep, ViewerKey
from stockshift.api.params import MAX_ID, Limit, Offset
from stockshift.api.problems import responses
from stockshift.api.schemas import BacktestCreate, BacktestCreated, BacktestPage, BacktestPublic
from stockshift.core.backtest import BacktestSettings
from stockshift.core.types import PlanParameters
from stockshift.db.backtests import get_backtest, list_backtests
from stockshift.db.models import BacktestRow
from stockshift.service.backtesting import BacktestRequest

router = APIRouter(tags=["backtests"])

BacktestId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _request(body: BacktestCreate) -> BacktestRequest:
    settings = BacktestSettings(
        start=None if body.start is None else np.datetime64(body.start.isoformat(), "D"),
        weeks=body.weeks,
        review_days=body.review_days,
        warehouse_lead_days=body.warehouse_lead_days,
        transfer_lead_days=body.transfer_lead_days,
        policies=tuple(body.policies),
    )
    params = PlanParameters(
        target="forecast",
        clusters=body.clusters,
        forecast=body.forecast,  # type: ignore[arg-type]  # checked by validate_parameters
        window=body.window,
        cover_days=body.cover_days,
        service_level=body.service_level,
        max_distance_km=body.max_distance_km,
        pack_size=body.pack_size,
        min_transfer_units=body.min_transfer_units,
        seed=body.seed,
        review_days=body.review_days,
        warehouse_lead_days=body.warehouse_lead_days,
        transfer_lead_days=body.transfer_lead_days,
        sale_value=body.sale_value,
        cost_per_unit_km=body.cost_per_unit_km,
        cost_per_line=body.cost_per_line,
        min_benefit=body.min_benefit,
    )
    return BacktestRequest(settings=settings, params=params)


def _public(row: BacktestRow, *, with_result: bool) -> dict[str, Any]:
    return {
        "backtest_id": row.id,
        "status": row.status,
        "progress": row.progress if row.status == "running" else None,
        "error": row.error,
        "parameters": row.parameters,
        "created_at": row.created_at,
        "finished_at": row.finished_at,
        "result": row.result if with_result else None,
    }


@router.post(
    "/backtests",
    operation_id="createBacktest",
    status_code=201,
    response_model=BacktestCreated,
    responses=responses(400, 401, 403, 413, 422),
)
def create(body: BacktestCreate, state: StateDep, key: PlannerKey) -> BacktestCreated:
    """Start a backtest on the stores, stock and sales in the database (planner); answers at
    once with ``running``. The stock on hand is taken as the stock on the first day replayed.

    Follow it on ``GET /api/v1/backtests/{backtest_id}`` or the ``backtest`` events of
    ``GET /api/v1/events`` (one per replayed week and policy). 422 when the settings cannot
    run on the sales in the database (no history before ``start``, a run past the last day).
    """
    backtest_id = state.backtester.start(_request(body), key_id=key.key_id)
    return BacktestCreated(backtest_id=backtest_id, status="running")


@router.get(
    "/backtests",
    operation_id="listBacktests",
    response_model=BacktestPage,
    responses=responses(401, 422),
)
def backtests(session: SessionDep, _key: ViewerKey, limit: Limit = 50, offset: Offset = 0) -> Any:
    """Backtests, newest first, with status and parameters (no results)."""
    page = list_backtests(session, limit=limit, offset=offset)
    return page_of(BacktestPage, page, lambda row: _public(row, with_result=False))


@router.get(
    "/backtests/{backtest_id}",
    operation_id="getBacktest",
    response_model=BacktestPublic,
    response_model_by_alias=True,
    responses=responses(401, 404, 422),
)
def backtest(backtest_id: BacktestId, session: SessionDep, _key: ViewerKey) -> Any:
    """Status and progress; once completed, ``result`` is the ``stockshift.backtest/1`` file
    (per policy: demand, sold, lost, fill rate, lost sales versus warehouse in per cent,
    warehouse and transfer units, lines, unit-km, average stock, and the weeks)."""
    return _public(get_backtest(session, backtest_id=backtest_id), with_result=True)
