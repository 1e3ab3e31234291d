"""Database rows to response schemas."""

from __future__ import annotations

from typing import Any

from stockshift.api.schemas import (
    LedgerPublic,
    PlanDocument,
    PlanLine,
    PlanPublic,
    PlanSummary,
    PlanWarehouseOrder,
    TransferPublic,
    WarehouseOrderPublic,
)
from stockshift.db.models import LedgerRow, PlanRow, TransferRow, WarehouseOrderRow


def plan_public(row: PlanRow) -> PlanPublic:
    header = row.header or {}
    summary = header.get("summary")
    return PlanPublic(
        plan_id=row.id,
        status=row.status,
        progress=row.progress,
        error=row.error,
        parameters=header.get("parameters") or row.parameters,
        summary=PlanSummary.model_validate(summary) if summary else None,
        created_at=row.created_at,
        finished_at=row.finished_at,
        executed_at=row.executed_at,
    )


def transfer_public(row: TransferRow) -> TransferPublic:
    return TransferPublic(
        transfer_id=row.id,
        plan_id=row.plan_id,
        product_id=row.product_id,
        from_store=row.from_store,
        to_store=row.to_store,
        quantity=row.quantity,
        distance_km=row.distance_km,
        scope=row.scope,
        status=row.status,
        dispatched_at=row.dispatched_at,
        closed_at=row.closed_at,
    )


def plan_line(row: TransferRow) -> PlanLine:
    return PlanLine(
        transfer_id=row.id,
        product_id=row.product_id,
        from_store=row.from_store,
        to_store=row.to_store,
        quantity=row.quantity,
        distance_km=row.distance_km,
        scope=row.scope,
        status=row.status,
    )


def order_public(row: WarehouseOrderRow) -> WarehouseOrderPublic:
    return WarehouseOrderPublic(
        order_id=row.id,
        plan_id=row.plan_id,
        product_id=row.product_id,
        store_id=row.store_id,
        quantity=row.quantity,
        reason=row.reason,
    )


def ledger_public(row: LedgerRow) -> LedgerPublic:
    return LedgerPublic(
        entry_id=row.id,
        at=row.at,
        key_id=row.key_id,
        reason=row.reason,
        note=row.note,
        store_id=row.store_id,
        product_id=row.product_id,
        on_hand_delta=row.on_hand_delta,
        in_transit_delta=row.in_transit_delta,
        plan_id=row.plan_id,
        transfer_id=row.transfer_id,
    )


def plan_document(
    row: PlanRow, lines: list[TransferRow], orders: list[WarehouseOrderRow]
) -> PlanDocument:
    """The SPEC section 5 plan file of a stored plan, with ids and statuses added."""
    header: dict[str, Any] = row.header or {}
    public = plan_public(row)
    return PlanDocument.model_validate(
        {
            **public.model_dump(),
            "schema": header.get("schema", "stockshift.plan/1"),
            "stores": header.get("stores", []),
            "clusters": header.get("clusters", []),
            "elbow": header.get("elbow"),
            "transfers": [plan_line(t) for t in lines],
            "fulfilment": header.get("fulfilment", []),
            "warehouse_orders": [
                PlanWarehouseOrder(
                    product_id=o.product_id,
                    store_id=o.store_id,
                    quantity=o.quantity,
                    reason=o.reason,
                )
                for o in orders
            ],
            "warnings": header.get("warnings", []),
        }
    )
