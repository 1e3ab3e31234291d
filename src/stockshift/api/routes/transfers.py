"""Transfer lines across plans (filter, receive, cancel) and warehouse orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from stockshift.api.convert import order_public, page_of, transfer_public
from stockshift.api.deps import PlannerKey, SessionDep, StateDep, ViewerKey
from stockshift.api.params import (
    Limit,
    Offset,
    PlanFilter,
    ProductFilter,
    StoreFilter,
    TransferId,
)
from stockshift.api.problems import responses
from stockshift.api.schemas import (
    ReceiveCreate,
    ReceivePublic,
    TransferPage,
    TransferPublic,
    TransferStatus,
    WarehouseOrderPage,
)
from stockshift.db.plans import get_transfer, list_transfers, list_warehouse_orders
from stockshift.db.transfers import cancel_transfer, receive_transfer, receive_transfers

router = APIRouter(tags=["transfers"])


@router.get(
    "/transfers",
    operation_id="listTransfers",
    response_model=TransferPage,
    responses=responses(401, 422),
)
def transfers(
    session: SessionDep,
    _key: ViewerKey,
    plan_id: PlanFilter = None,
    status: Annotated[TransferStatus | None, Query(description="Only this status.")] = None,
    store_id: StoreFilter = None,
    product_id: ProductFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> TransferPage:
    """Transfer lines, newest plan first, in the order they were made; ``store_id``
    matches either end."""
    page = list_transfers(
        session,
        plan_id=plan_id,
        status=status,
        store_id=store_id,
        product_id=product_id,
        limit=limit,
        offset=offset,
    )
    return page_of(TransferPage, page, transfer_public)


@router.get(
    "/transfers/{transfer_id:int}",
    operation_id="getTransfer",
    response_model=TransferPublic,
    responses=responses(401, 404, 422),
)
def transfer(transfer_id: TransferId, session: SessionDep, _key: ViewerKey) -> TransferPublic:
    return transfer_public(get_transfer(session, transfer_id=transfer_id))


@router.post(
    "/transfers/receive",
    operation_id="receiveTransfers",
    response_model=ReceivePublic,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def receive_many(
    body: ReceiveCreate, session: SessionDep, state: StateDep, key: PlannerKey
) -> ReceivePublic:
    """Receive many lines in one transaction, all or nothing (planner): the given
    ``transfer_ids``, or every line in transit **to** ``to_store`` (optionally of one
    ``plan_id``; lines leaving the store are never taken). A line that is not in transit
    is 409 naming every such line, and nothing changes; one ledger row per line."""
    result = receive_transfers(
        session,
        transfer_ids=body.transfer_ids,
        to_store=body.to_store,
        plan_id=body.plan_id,
        key_id=key.key_id,
    )
    if result.transfer_ids:
        state.broker.publish(
            "stock", reason="receive", transfer_ids=result.transfer_ids, store_ids=result.store_ids
        )
    return ReceivePublic(
        lines=len(result.transfer_ids),
        units=result.units,
        transfer_ids=result.transfer_ids,
        store_ids=result.store_ids,
    )


@router.post(
    "/transfers/{transfer_id}/receive",
    operation_id="receiveTransfer",
    response_model=TransferPublic,
    responses=responses(401, 403, 404, 409, 422),
)
def receive(
    transfer_id: TransferId, session: SessionDep, state: StateDep, key: PlannerKey
) -> TransferPublic:
    """Destination on hand +q, in transit −q (planner); a second receipt is 409."""
    row = receive_transfer(session, transfer_id=transfer_id, key_id=key.key_id)
    state.broker.publish("stock", reason="receive", transfer_id=row.id, store_ids=[row.to_store])
    return transfer_public(row)


@router.post(
    "/transfers/{transfer_id}/cancel",
    operation_id="cancelTransfer",
    response_model=TransferPublic,
    responses=responses(401, 403, 404, 409, 422),
)
def cancel(
    transfer_id: TransferId, session: SessionDep, state: StateDep, key: PlannerKey
) -> TransferPublic:
    """Cancel a line (planner): a proposed one will not be dispatched; a dispatched one's
    units go back to the source's on hand. Received or cancelled lines are 409."""
    row = cancel_transfer(session, transfer_id=transfer_id, key_id=key.key_id)
    state.broker.publish(
        "stock", reason="cancel", transfer_id=row.id, store_ids=[row.from_store, row.to_store]
    )
    return transfer_public(row)


@router.get(
    "/warehouse-orders",
    operation_id="listWarehouseOrders",
    response_model=WarehouseOrderPage,
    responses=responses(401, 422),
)
def warehouse_orders(
    session: SessionDep,
    _key: ViewerKey,
    plan_id: PlanFilter = None,
    store_id: StoreFilter = None,
    product_id: ProductFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> WarehouseOrderPage:
    """Need that transfers could not cover, newest plan first, with the reason."""
    page = list_warehouse_orders(
        session,
        plan_id=plan_id,
        store_id=store_id,
        product_id=product_id,
        limit=limit,
        offset=offset,
    )
    return page_of(WarehouseOrderPage, page, order_public)
