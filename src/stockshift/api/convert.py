"""Database rows to response schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from stockshift.api.schemas import (
    LedgerPublic,
    PageBase,
    TransferPublic,
    WarehouseOrderPublic,
)
from stockshift.db.models import LedgerRow, TransferRow, WarehouseOrderRow
from stockshift.db.plans import Page

T = TypeVar("T")
P = TypeVar("P", bound=PageBase)


def page_of(model: type[P], page: Page[T], item: Callable[[T], Any]) -> P:
    """One page of a listing as its response schema, each row converted by ``item``."""
    return model.model_validate(
        {
            "items": [item(row) for row in page.items],
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
        }
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
        expected_gain=row.expected_gain,
        status=row.status,
        dispatched_at=row.dispatched_at,
        closed_at=row.closed_at,
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
