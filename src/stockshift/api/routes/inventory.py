"""Stock levels, adjustments, the stock ledger, and per store/product history and forecast."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from stockshift.api.convert import ledger_public, page_of
from stockshift.api.deps import AdminKey, SessionDep, StateDep, ViewerKey
from stockshift.api.params import (
    Limit,
    Offset,
    PlanFilter,
    ProductFilter,
    ProductId,
    StoreFilter,
    StoreId,
)
from stockshift.api.problems import responses
from stockshift.api.schemas import (
    AdjustmentCreate,
    DemandIntervalPublic,
    ForecastPublic,
    HistoryPublic,
    LedgerPage,
    SalesDay,
    StockPage,
    StockPublic,
    StockTotals,
)
from stockshift.core.targets import auto_point_forecast, central_interval, point_forecast
from stockshift.db.stock import adjust_stock, list_ledger, list_stock, totals
from stockshift.db.stores import daily_sales, get_stock

router = APIRouter(tags=["inventory"])

#: auto reads every day of sales (the plan's auto does), up to ten years.
AUTO_HISTORY_DAYS = 3650
#: The level of the interval shown with an auto forecast (the dashboard's, normalise.ts).
INTERVAL_LEVEL = 0.8


@router.get(
    "/inventory",
    operation_id="listInventory",
    response_model=StockPage,
    responses=responses(401, 422),
)
def inventory(
    session: SessionDep,
    _key: ViewerKey,
    store_id: StoreFilter = None,
    product_id: ProductFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> StockPage:
    """On hand and in transit per store and product (in transit: on its way to the store)."""
    page = list_stock(session, store_id=store_id, product_id=product_id, limit=limit, offset=offset)
    return page_of(StockPage, page, StockPublic.model_validate)


@router.get(
    "/inventory/totals",
    operation_id="getInventoryTotals",
    response_model=StockTotals,
    responses=responses(401),
)
def inventory_totals(session: SessionDep, _key: ViewerKey) -> StockTotals:
    """The chain's units on hand and in transit; executing and receiving never change the sum."""
    on_hand, in_transit = totals(session)
    return StockTotals(on_hand=on_hand, in_transit=in_transit, total=on_hand + in_transit)


@router.post(
    "/inventory/adjustments",
    operation_id="adjustStock",
    response_model=StockPublic,
    status_code=201,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def adjustment(
    body: AdjustmentCreate, session: SessionDep, state: StateDep, key: AdminKey
) -> StockPublic:
    """Add or remove units on hand with a reason (admin): counts, damage, deliveries."""
    row = adjust_stock(
        session,
        store_id=body.store_id,
        product_id=body.product_id,
        delta=body.delta,
        reason=body.reason,
        key_id=key.key_id,
    )
    state.broker.publish("stock", reason="adjust", store_ids=[body.store_id])
    return StockPublic.model_validate(row)


@router.get(
    "/ledger",
    operation_id="listLedger",
    response_model=LedgerPage,
    responses=responses(401, 422),
)
def ledger(
    session: SessionDep,
    _key: ViewerKey,
    store_id: StoreFilter = None,
    product_id: ProductFilter = None,
    plan_id: PlanFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> LedgerPage:
    """Every stock change, newest first: when, which key, why, which plan or transfer."""
    page = list_ledger(
        session,
        store_id=store_id,
        product_id=product_id,
        plan_id=plan_id,
        limit=limit,
        offset=offset,
    )
    return page_of(LedgerPage, page, ledger_public)


@router.get(
    "/stores/{store_id}/products/{product_id}/history",
    operation_id="getHistory",
    response_model=HistoryPublic,
    responses=responses(401, 404, 422),
)
def history(
    store_id: StoreId,
    product_id: ProductId,
    session: SessionDep,
    _key: ViewerKey,
    days: Annotated[int, Query(ge=1, le=3650, description="Days of history.")] = 90,
    method: Annotated[
        Literal["moving-average", "linear-regression", "auto"],
        Query(description="auto: a model chosen for this series on its whole history."),
    ] = "moving-average",
    window: Annotated[int, Query(ge=1, le=3650)] = 28,
    cover_days: Annotated[int, Query(ge=1, le=365)] = 7,
    service_level: Annotated[float | None, Query(gt=0.0, lt=1.0)] = None,
) -> HistoryPublic:
    """Daily sales (zero-filled), the forecast rate and the target for one store/product."""
    stock = get_stock(session, store_id=store_id, product_id=product_id)
    read = AUTO_HISTORY_DAYS if method == "auto" else max(days, window)
    series = daily_sales(session, store_id=store_id, product_id=product_id, days=read)
    hist: list[SalesDay] = []
    forecast = None
    if series is not None:
        start, units = series
        hist = [
            SalesDay(date=start + timedelta(days=i), units=float(u)) for i, u in enumerate(units)
        ][-days:]
        last = start + timedelta(days=len(units) - 1)
        common = {"method": method, "window": window, "cover_days": cover_days}
        if method == "auto":
            fc = auto_point_forecast(units, cover_days=cover_days, service_level=service_level)
            low, high = central_interval(fc, INTERVAL_LEVEL)
            forecast = ForecastPublic(
                **common,
                service_level=service_level,
                rate_per_day=fc.rate,
                target=fc.target,
                daily=_days(last, [fc.rate] * cover_days),
                chosen_method=fc.method,
                sigma=fc.sigma,
                interval=DemandIntervalPublic(level=INTERVAL_LEVEL, low=low, high=high),
            )
        else:
            rate, target, daily = point_forecast(
                units,
                method=method,
                window=window,
                cover_days=cover_days,
                service_level=service_level,
            )
            forecast = ForecastPublic(
                **common,
                service_level=service_level,
                rate_per_day=rate,
                target=target,
                daily=_days(last, daily),
            )
    return HistoryPublic(
        store_id=store_id,
        product_id=product_id,
        on_hand=stock.on_hand,
        in_transit=stock.in_transit,
        history=hist,
        forecast=forecast,
    )


def _days(last: date, values: list[float]) -> list[SalesDay]:
    """The days after ``last``, one value each."""
    return [SalesDay(date=last + timedelta(days=i + 1), units=v) for i, v in enumerate(values)]
