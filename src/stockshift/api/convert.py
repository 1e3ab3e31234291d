"""Database rows to response schemas."""

from __future__ import annotations

import json
from typing import Any

from stockshift.api.schemas import (
    LedgerPublic,
    PlanLine,
    PlanPublic,
    PlanSummary,
    TransferPublic,
    WarehouseOrderPublic,
)
from stockshift.db.models import LedgerRow, PlanRow, TransferRow, WarehouseOrderRow
from stockshift.io.planfile import SCHEMA


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


def plan_document_json(
    row: PlanRow, lines: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> str:
    """The SPEC section 5 plan file of a stored plan as JSON text, with ids and statuses.

    Serialised directly (its shape is :class:`PlanDocument`): validating thousands of
    lines through pydantic on every read would cost more than the database query.
    """
    header: dict[str, Any] = row.header or {}
    document = {
        **plan_public(row).model_dump(mode="json"),
        "schema": header.get("schema", SCHEMA),
        "stores": header.get("stores", []),
        "clusters": header.get("clusters", []),
        "elbow": header.get("elbow"),
        "transfers": lines,
        "fulfilment": header.get("fulfilment", []),
        "warehouse_orders": orders,
        "warnings": header.get("warnings", []),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
