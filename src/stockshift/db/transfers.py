"""Moving stock along a plan: executing it, receiving and cancelling its transfers.

Executing, receiving and cancelling only move units between on hand and in transit, so the
chain's total (SPEC section 7) is the same before and after. Each runs in one transaction
under the lock order that :mod:`stockshift.db.stock` describes (plan row, transfer row, then
stock rows in code-point order), writes one ledger row per change, and either applies
completely or raises with nothing changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from stockshift.db.engine import run_write
from stockshift.db.errors import ConflictError, NotFoundError
from stockshift.db.linestore import of_plan
from stockshift.db.models import (
    MOVED_LINE,
    Stock,
    Store,
    TransferRow,
)
from stockshift.db.stock import (
    Pair,
    _check_stores,
    _entry,
    _ledger,
    _lock_plan,
    _lock_plan_stock,
    _lock_stock,
    _now,
)


@dataclass(frozen=True, slots=True)
class ExecuteResult:
    plan_id: int
    lines: int
    units: int


_NOT_EXECUTABLE = {
    "running": "is still being computed; wait for status 'completed'",
    "failed": "failed to compute and has nothing to execute; make a new plan",
    "executed": "was executed before; its transfers are already dispatched",
}


def execute_plan(session: Session, *, plan_id: int, key_id: int | None) -> ExecuteResult:
    """Dispatch every proposed line of a plan: source on hand −q, destination in transit +q.

    Raises :class:`ConflictError` with nothing changed when the plan is not ``completed``
    or any source no longer holds what its lines take (stock moved since planning).
    """
    return run_write(session, lambda: _execute(session, plan_id, key_id))


def _execute(session: Session, plan_id: int, key_id: int | None) -> ExecuteResult:
    # The plan row first: a cancel of one of its lines holds it shared, so from here on
    # the set of proposed lines cannot change until this transaction ends.
    plan = _lock_plan(session, plan_id)
    if plan.status != "completed":
        raise ConflictError(f"plan {plan_id} {_NOT_EXECUTABLE.get(plan.status, plan.status)}")
    lines = session.execute(
        select(
            TransferRow.id,
            TransferRow.product_id,
            TransferRow.from_store,
            TransferRow.to_store,
            TransferRow.quantity,
        )
        .where(*of_plan(session.connection(), plan_id), TransferRow.status == "proposed")
        .order_by(TransferRow.seq)
    ).all()
    take: dict[Pair, int] = defaultdict(int)
    give: dict[Pair, int] = defaultdict(int)
    for _, product, src, dst, q in lines:
        take[(src, product)] += int(q)
        give[(dst, product)] += int(q)
    if lines:
        _check_stores(session, {s for s, _ in take} | {s for s, _ in give})
    held = _lock_plan_stock(session, plan_id, give)
    problems = [
        {"store_id": s, "product_id": p, "needed": q, "on_hand": held.get((s, p), 0)}
        for (s, p), q in sorted(take.items())
        if held.get((s, p), 0) < q
    ]
    if problems:
        named = "; ".join(
            f"store {p['store_id']} holds {p['on_hand']} of product {p['product_id']}, "
            f"its lines take {p['needed']}"
            for p in problems[:3]
        )
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise ConflictError(
            f"plan {plan_id} no longer fits the stock: {named}{more} (stock moved since "
            "planning); nothing was changed — make a new plan",
            problems,
        )
    stock = cast(Table, Stock.__table__)
    same_pair = (stock.c.store_id == bindparam("s"), stock.c.product_id == bindparam("p"))
    if take:
        session.execute(
            stock.update().where(*same_pair).values(on_hand=stock.c.on_hand - bindparam("q")),
            [{"s": s, "p": p, "q": q} for (s, p), q in sorted(take.items())],
        )
        session.execute(
            stock.update().where(*same_pair).values(in_transit=stock.c.in_transit + bindparam("q")),
            [{"s": s, "p": p, "q": q} for (s, p), q in sorted(give.items())],
        )
    at = _now()
    dispatched = session.execute(
        update(TransferRow)
        .where(*of_plan(session.connection(), plan_id), TransferRow.status == "proposed")
        .values(status="dispatched", dispatched_at=at)
    ).rowcount  # type: ignore[attr-defined]
    if dispatched != len(lines):  # the plan lock makes this impossible; never half-apply
        raise ConflictError(
            f"plan {plan_id}'s lines changed while it was executed; nothing was changed — try again"
        )
    plan.status = "executed"
    plan.executed_at = at
    plan.executed_by = key_id
    entries: list[dict[str, Any]] = []
    for tid, product, src, dst, q in lines:
        ids = {"plan_id": plan_id, "transfer_id": tid}
        entries.append(_entry(at, key_id, "dispatch", (src, product), on_hand=-int(q), **ids))
        entries.append(_entry(at, key_id, "dispatch", (dst, product), in_transit=int(q), **ids))
    _ledger(session, entries)
    return ExecuteResult(plan_id=plan_id, lines=len(lines), units=sum(take.values()))


def _lock_transfer(session: Session, transfer_id: int) -> TransferRow:
    row = session.scalar(
        select(TransferRow)
        .where(TransferRow.id == transfer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"transfer {transfer_id} does not exist")
    return row


def receive_transfer(session: Session, *, transfer_id: int, key_id: int | None) -> TransferRow:
    """Move a dispatched line's units from in transit to on hand at its destination, once."""
    return run_write(session, lambda: _receive(session, transfer_id, key_id))


def _receive(session: Session, transfer_id: int, key_id: int | None) -> TransferRow:
    t = _lock_transfer(session, transfer_id)
    if t.status != "dispatched":
        raise ConflictError(
            f"transfer {transfer_id} is {t.status}; only a dispatched transfer can be "
            "received, and only once"
        )
    pair = (t.to_store, t.product_id)
    dst = _lock_stock(session, [pair]).get(pair)
    if dst is None or dst.in_transit < t.quantity:
        raise ConflictError(
            f"store {t.to_store} has no units of {t.product_id} in transit to receive"
        )
    dst.in_transit -= t.quantity
    dst.on_hand += t.quantity
    at = _now()
    t.status, t.closed_at = "received", at
    _ledger(
        session,
        [
            _entry(
                at,
                key_id,
                "receive",
                pair,
                on_hand=t.quantity,
                in_transit=-t.quantity,
                plan_id=t.plan_id,
                transfer_id=t.id,
            )
        ],
    )
    return t


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    transfer_ids: list[int]
    store_ids: list[str]
    units: int


def receive_transfers(
    session: Session,
    *,
    transfer_ids: list[int] | None = None,
    to_store: str | None = None,
    plan_id: int | None = None,
    key_id: int | None,
) -> ReceiveResult:
    """Receive many dispatched lines in one transaction, all or nothing: the given ids, or
    every line in transit *to* ``to_store`` (of ``plan_id`` if given). Locks the lines by id,
    then their destination stock rows in the global order, as single receipts do.

    Raises :class:`NotFoundError` for unknown ids or store and :class:`ConflictError` naming
    every line that is not in transit, with nothing changed.
    """
    return run_write(
        session, lambda: _receive_many(session, transfer_ids, to_store, plan_id, key_id)
    )


def _receive_many(
    session: Session,
    transfer_ids: list[int] | None,
    to_store: str | None,
    plan_id: int | None,
    key_id: int | None,
) -> ReceiveResult:
    lines = _lock_lines_to_receive(session, transfer_ids, to_store, plan_id)
    need: dict[Pair, int] = defaultdict(int)
    for t in lines:
        need[(t.to_store, t.product_id)] += t.quantity
    stock = _lock_stock(session, need)
    short = [
        {"store_id": s, "product_id": p, "in_transit": stock[(s, p)].in_transit
         if (s, p) in stock else 0, "needed": q}
        for (s, p), q in sorted(need.items())
        if (s, p) not in stock or stock[(s, p)].in_transit < q
    ]  # fmt: skip
    if short:
        raise ConflictError(
            f"{len(short)} destination(s) hold fewer units in transit than their lines "
            "bring; nothing was received",
            short,
        )
    at = _now()
    for (s, p), q in need.items():
        stock[(s, p)].in_transit -= q
        stock[(s, p)].on_hand += q
    for t in lines:
        t.status, t.closed_at = "received", at
    _ledger(
        session,
        [
            _entry(at, key_id, "receive", (t.to_store, t.product_id), on_hand=t.quantity,
                   in_transit=-t.quantity, plan_id=t.plan_id, transfer_id=t.id)
            for t in lines
        ],
    )  # fmt: skip
    return ReceiveResult(
        transfer_ids=[t.id for t in lines],
        store_ids=sorted({t.to_store for t in lines}),
        units=sum(need.values()),
    )


def _lock_lines_to_receive(
    session: Session, ids: list[int] | None, to_store: str | None, plan_id: int | None
) -> list[TransferRow]:
    """The lines a bulk receipt takes, locked in id order; every one of them in transit."""
    stmt = (
        select(TransferRow)
        .order_by(TransferRow.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ids is None:
        if to_store is None or session.get(Store, to_store) is None:
            raise NotFoundError(f"store {to_store!r} does not exist")
        stmt = stmt.where(
            TransferRow.to_store == to_store,
            TransferRow.status == "dispatched",
            TransferRow.status != MOVED_LINE,  # the partial index of moved lines
        )
        if plan_id is not None:
            stmt = stmt.where(TransferRow.plan_id == plan_id)
        return list(session.scalars(stmt))
    lines = list(session.scalars(stmt.where(TransferRow.id.in_(sorted(set(ids))))))
    missing = sorted(set(ids) - {t.id for t in lines})
    if missing:
        raise NotFoundError(
            f"{len(missing)} transfer(s) do not exist: {', '.join(map(str, missing[:10]))}"
        )
    stale = [
        {"transfer_id": t.id, "status": t.status, "from_store": t.from_store,
         "to_store": t.to_store, "product_id": t.product_id}
        for t in lines
        if t.status != "dispatched"
    ]  # fmt: skip
    if stale:
        shown = ", ".join(f"{p['transfer_id']} ({p['status']})" for p in stale[:10])
        raise ConflictError(
            f"{len(stale)} of the {len(lines)} line(s) are not in transit: {shown}; only "
            "dispatched lines can be received; nothing was received",
            stale,
        )
    return lines


def cancel_transfer(session: Session, *, transfer_id: int, key_id: int | None) -> TransferRow:
    """Cancel a line: a proposed one is dropped from its plan; a dispatched one's units go
    back from the destination's in transit to the source's on hand.

    A cancel of a line whose plan is executing waits for the execution to end, then
    cancels the line as it finds it (dispatched: its units go back).
    """
    return run_write(session, lambda: _cancel(session, transfer_id, key_id))


def _cancel(session: Session, transfer_id: int, key_id: int | None) -> TransferRow:
    plan_id = session.scalar(select(TransferRow.plan_id).where(TransferRow.id == transfer_id))
    if plan_id is None:
        raise NotFoundError(f"transfer {transfer_id} does not exist")
    _lock_plan(session, plan_id, share=True)
    t = _lock_transfer(session, transfer_id)
    at = _now()
    if t.status == "dispatched":
        src_pair, dst_pair = (t.from_store, t.product_id), (t.to_store, t.product_id)
        rows = _lock_stock(session, [src_pair, dst_pair])
        if src_pair not in rows:  # the source stopped carrying the product: an empty row
            _check_stores(session, [t.from_store])
            rows |= _lock_stock(session, [], create=[src_pair])
        src, dst = rows.get(src_pair), rows.get(dst_pair)
        if src is None or dst is None or dst.in_transit < t.quantity:
            raise ConflictError(
                f"store {t.to_store} has no units of {t.product_id} in transit to return"
            )
        dst.in_transit -= t.quantity
        src.on_hand += t.quantity
        ids = {"plan_id": t.plan_id, "transfer_id": t.id}
        _ledger(
            session,
            [
                _entry(at, key_id, "cancel", dst_pair, in_transit=-t.quantity, **ids),
                _entry(at, key_id, "cancel", src_pair, on_hand=t.quantity, **ids),
            ],
        )
    elif t.status != "proposed":
        raise ConflictError(
            f"transfer {transfer_id} is {t.status}; only a proposed or dispatched "
            "transfer can be cancelled"
        )
    t.status, t.closed_at = "cancelled", at
    return t
