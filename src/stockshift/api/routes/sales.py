"""``POST /api/v1/sales``: sales batches from the tills, which also take units off the shelf."""

from __future__ import annotations

from fastapi import APIRouter

from stockshift.api.deps import AdminKey, SessionDep, StateDep
from stockshift.api.problems import responses
from stockshift.api.schemas import SaleResult, SalesBatch, SalesResult
from stockshift.db.stock import SaleLine, record_sales

router = APIRouter(tags=["sales"])


@router.post(
    "/sales",
    operation_id="recordSales",
    response_model=SalesResult,
    responses=responses(400, 401, 403, 409, 413, 422),
)
def post_sales(
    body: SalesBatch, session: SessionDep, state: StateDep, key: AdminKey
) -> SalesResult:
    """Add a batch to the sales history and lower on hand (never below zero, admin).

    Units sold that were not on hand are reported per line as ``short``.
    """
    outcomes = record_sales(
        session,
        lines=[SaleLine(s.date, s.store_id, s.product_id, s.units) for s in body.sales],
        key_id=key.key_id,
    )
    state.broker.publish(
        "stock", reason="sale", store_ids=sorted({o.store_id for o in outcomes})[:100]
    )
    return SalesResult(
        lines=len(outcomes),
        units_taken=sum(o.taken for o in outcomes),
        units_short=sum(o.short for o in outcomes),
        results=[
            SaleResult(
                store_id=o.store_id,
                product_id=o.product_id,
                units=o.units,
                taken=o.taken,
                short=o.short,
            )
            for o in outcomes
        ],
    )
