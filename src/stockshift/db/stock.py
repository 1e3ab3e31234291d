"""Stock changes: executing plans, receiving and cancelling transfers, adjustments, sales.

Every function here changes stock in one transaction, writes one ledger row per change, and
either applies completely or raises with nothing changed. Executing, receiving and
cancelling only move units between on hand and in transit, so the chain's total
(SPEC section 7) is the same before and after; adjustments and sales are the only other
ways units appear or disappear, and each is in the ledger.

Concurrency: each function starts with :func:`begin_write` (SQLite: ``BEGIN IMMEDIATE``,
so writers queue) and reads the rows it depends on ``FOR UPDATE`` (PostgreSQL: row locks,
taken in key order so two executions cannot deadlock); the state checks run after the
locks are held, so of two racing executions of one plan exactly one succeeds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from stockshift.core.errors import InputError, InputIssue
from stockshift.db.engine import write_transaction
from stockshift.db.errors import ConflictError, NotFoundError
from stockshift.db.models import LedgerRow, PlanRow, Product, Sale, Stock, Store, TransferRow
from stockshift.db.plans import Page, _page

Pair = tuple[str, str]  # (store_id, product_id)


@dataclass(frozen=True, slots=True)
class ExecuteResult:
    plan_id: int
    lines: int
    units: int


@dataclass(frozen=True, slots=True)
class SaleLine:
    day: date
    store_id: str
    product_id: str
    units: float


@dataclass(frozen=True, slots=True)
class SaleOutcome:
    store_id: str
    product_id: str
    units: float
    taken: int
    short: int


def _now() -> datetime:
    return datetime.now(UTC)


def _ledger(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(LedgerRow), rows)


def _entry(at: datetime, key_id: int | None, reason: str, pair: Pair, **kw: Any) -> dict[str, Any]:
    return {
        "at": at,
        "key_id": key_id,
        "reason": reason,
        "note": kw.get("note"),
        "store_id": pair[0],
        "product_id": pair[1],
        "on_hand_delta": kw.get("on_hand", 0),
        "in_transit_delta": kw.get("in_transit", 0),
        "plan_id": kw.get("plan_id"),
        "transfer_id": kw.get("transfer_id"),
    }


def _lock_plan(session: Session, plan_id: int) -> PlanRow:
    plan = session.scalar(select(PlanRow).where(PlanRow.id == plan_id).with_for_update())
    if plan is None:
        raise NotFoundError(f"plan {plan_id} does not exist")
    return plan


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
    with write_transaction(session):
        result = _execute(session, plan_id, key_id)
        return result


def _execute(session: Session, plan_id: int, key_id: int | None) -> ExecuteResult:
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
        .where(TransferRow.plan_id == plan_id, TransferRow.status == "proposed")
        .order_by(TransferRow.seq)
    ).all()
    take: dict[Pair, int] = defaultdict(int)
    give: dict[Pair, int] = defaultdict(int)
    for _, product, src, dst, q in lines:
        take[(src, product)] += int(q)
        give[(dst, product)] += int(q)
    proposed = select(TransferRow.from_store, TransferRow.product_id).where(
        TransferRow.plan_id == plan_id, TransferRow.status == "proposed"
    )
    held = {
        (s, p): int(q)
        for s, p, q in session.execute(
            select(Stock.store_id, Stock.product_id, Stock.on_hand)
            .where(tuple_(Stock.store_id, Stock.product_id).in_(proposed))
            .order_by(Stock.store_id, Stock.product_id)
            .with_for_update()
        )
    }
    problems = [
        {"store_id": s, "product_id": p, "needed": q, "on_hand": held.get((s, p), 0)}
        for (s, p), q in sorted(take.items())
        if held.get((s, p), 0) < q
    ]
    if problems:
        raise ConflictError(
            f"plan {plan_id} no longer fits the stock: {len(problems)} source(s) hold less "
            "than their lines take (stock moved since planning); nothing was changed — "
            "make a new plan",
            problems,
        )
    _ensure_rows(session, set(give))
    stock = cast(Table, Stock.__table__)
    same_pair = (stock.c.store_id == bindparam("s"), stock.c.product_id == bindparam("p"))
    if take:
        session.execute(
            stock.update().where(*same_pair).values(on_hand=stock.c.on_hand - bindparam("q")),
            [{"s": s, "p": p, "q": q} for (s, p), q in take.items()],
        )
        session.execute(
            stock.update().where(*same_pair).values(in_transit=stock.c.in_transit + bindparam("q")),
            [{"s": s, "p": p, "q": q} for (s, p), q in give.items()],
        )
    at = _now()
    session.execute(
        update(TransferRow)
        .where(TransferRow.plan_id == plan_id, TransferRow.status == "proposed")
        .values(status="dispatched", dispatched_at=at)
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


def _ensure_rows(session: Session, pairs: set[Pair]) -> None:
    """Create empty stock rows for destinations that no longer carry the product."""
    if not pairs:
        return
    stores = set(session.scalars(select(Store.store_id)))
    missing_stores = sorted({s for s, _ in pairs} - stores)
    if missing_stores:
        raise ConflictError(
            f"store(s) {', '.join(missing_stores[:10])} no longer exist (re-imported "
            "master data); make a new plan"
        )
    existing: set[Pair] = set()
    for s, p in session.execute(select(Stock.store_id, Stock.product_id)):
        existing.add((s, p))
    new = sorted(pairs - existing)
    if not new:
        return
    products = set(session.scalars(select(Product.product_id)))
    for p in sorted({p for _, p in new} - products):
        session.add(Product(product_id=p))
    session.flush()
    session.execute(
        insert(Stock),
        [{"store_id": s, "product_id": p, "on_hand": 0, "in_transit": 0} for s, p in new],
    )


def _lock_transfer(session: Session, transfer_id: int) -> TransferRow:
    row = session.scalar(select(TransferRow).where(TransferRow.id == transfer_id).with_for_update())
    if row is None:
        raise NotFoundError(f"transfer {transfer_id} does not exist")
    return row


def _lock_stock(session: Session, pair: Pair) -> Stock | None:
    return session.scalar(
        select(Stock)
        .where(Stock.store_id == pair[0], Stock.product_id == pair[1])
        .with_for_update()
    )


def receive_transfer(session: Session, *, transfer_id: int, key_id: int | None) -> TransferRow:
    """Move a dispatched line's units from in transit to on hand at its destination, once."""
    with write_transaction(session):
        t = _lock_transfer(session, transfer_id)
        if t.status != "dispatched":
            raise ConflictError(
                f"transfer {transfer_id} is {t.status}; only a dispatched transfer can be "
                "received, and only once"
            )
        dst = _lock_stock(session, (t.to_store, t.product_id))
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
                    (t.to_store, t.product_id),
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
    then their destination stock rows in (store, product) order, as single receipts do.

    Raises :class:`NotFoundError` for unknown ids or store and :class:`ConflictError` naming
    every line that is not in transit, with nothing changed.
    """
    with write_transaction(session):
        lines = _lock_lines_to_receive(session, transfer_ids, to_store, plan_id)
        need: dict[Pair, int] = defaultdict(int)
        for t in lines:
            need[(t.to_store, t.product_id)] += t.quantity
        stock = {
            (row.store_id, row.product_id): row
            for row in session.scalars(
                select(Stock)
                .where(
                    tuple_(Stock.store_id, Stock.product_id).in_(
                        select(TransferRow.to_store, TransferRow.product_id).where(
                            TransferRow.id.in_([t.id for t in lines])
                        )
                    )
                )
                .order_by(Stock.store_id, Stock.product_id)
                .with_for_update()
            )
        }
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
    stmt = select(TransferRow).order_by(TransferRow.id).with_for_update()
    if ids is None:
        if to_store is None or session.get(Store, to_store) is None:
            raise NotFoundError(f"store {to_store!r} does not exist; GET /api/v1/stores lists them")
        stmt = stmt.where(TransferRow.to_store == to_store, TransferRow.status == "dispatched")
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
    back from the destination's in transit to the source's on hand."""
    with write_transaction(session):
        t = _lock_transfer(session, transfer_id)
        at = _now()
        if t.status == "dispatched":
            _ensure_rows(session, {(t.from_store, t.product_id)})
            src = _lock_stock(session, (t.from_store, t.product_id))
            dst = _lock_stock(session, (t.to_store, t.product_id))
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
                    _entry(at, key_id, "cancel", (t.to_store, t.product_id),
                           in_transit=-t.quantity, **ids),
                    _entry(at, key_id, "cancel", (t.from_store, t.product_id),
                           on_hand=t.quantity, **ids),
                ],
            )  # fmt: skip
        elif t.status != "proposed":
            raise ConflictError(
                f"transfer {transfer_id} is {t.status}; only a proposed or dispatched "
                "transfer can be cancelled"
            )
        t.status, t.closed_at = "cancelled", at
        return t


def adjust_stock(
    session: Session,
    *,
    store_id: str,
    product_id: str,
    delta: int,
    reason: str,
    key_id: int | None,
) -> Stock:
    """Add ``delta`` (may be negative) to on hand, for counts, damage, deliveries; ledgered."""
    with write_transaction(session):
        if session.get(Store, store_id) is None:
            raise NotFoundError(f"store {store_id!r} does not exist")
        row = _lock_stock(session, (store_id, product_id))
        if row is None:
            if session.get(Product, product_id) is None:
                session.add(Product(product_id=product_id))
            row = Stock(store_id=store_id, product_id=product_id, on_hand=0, in_transit=0)
            session.add(row)
            session.flush()
        if row.on_hand + delta < 0:
            raise ConflictError(
                f"store {store_id} holds {row.on_hand} of {product_id}; an adjustment of "
                f"{delta} would leave it negative"
            )
        row.on_hand += delta
        _ledger(
            session,
            [_entry(_now(), key_id, "adjust", (store_id, product_id), on_hand=delta, note=reason)],
        )
        return row


def record_sales(
    session: Session, *, lines: list[SaleLine], key_id: int | None
) -> list[SaleOutcome]:
    """Add a batch of sales to the history and take the units off the shelves.

    On hand never goes below zero: units that were not there are reported as ``short``.
    Stock decreases by the units rounded to whole units; the history keeps them exact.
    """
    with write_transaction(session):
        known = set(session.scalars(select(Store.store_id)))
        issues = [
            InputIssue("sales", i + 1, "store_id", f"unknown store {line.store_id!r}")
            for i, line in enumerate(lines)
            if line.store_id not in known
        ]
        if issues:
            raise InputError(issues[:20], total=len(issues))
        at = _now()
        out: list[SaleOutcome] = []
        entries: list[dict[str, Any]] = []
        for line in lines:
            pair = (line.store_id, line.product_id)
            wanted = math.floor(line.units + 0.5)
            row = _lock_stock(session, pair)
            taken = min(wanted, row.on_hand) if row is not None else 0
            if row is not None and taken:
                row.on_hand -= taken
                entries.append(_entry(at, key_id, "sale", pair, on_hand=-taken, note=str(line.day)))
            _add_sale(session, line)
            out.append(SaleOutcome(pair[0], pair[1], line.units, taken, wanted - taken))
        _ledger(session, entries)
        return out


def _add_sale(session: Session, line: SaleLine) -> None:
    sale = session.get(Sale, (line.store_id, line.product_id, line.day))
    if sale is None:
        session.add(
            Sale(store_id=line.store_id, product_id=line.product_id, day=line.day, units=line.units)
        )
    else:
        sale.units += line.units
    session.flush()


def list_stock(
    session: Session,
    *,
    store_id: str | None = None,
    product_id: str | None = None,
    limit: int,
    offset: int,
) -> Page[Stock]:
    stmt = select(Stock).order_by(Stock.store_id, Stock.product_id)
    if store_id is not None:
        stmt = stmt.where(Stock.store_id == store_id)
    if product_id is not None:
        stmt = stmt.where(Stock.product_id == product_id)
    return _page(session, stmt, limit=limit, offset=offset)


def list_ledger(
    session: Session,
    *,
    store_id: str | None = None,
    product_id: str | None = None,
    plan_id: int | None = None,
    limit: int,
    offset: int,
) -> Page[LedgerRow]:
    stmt = select(LedgerRow).order_by(LedgerRow.id.desc())
    if store_id is not None:
        stmt = stmt.where(LedgerRow.store_id == store_id)
    if product_id is not None:
        stmt = stmt.where(LedgerRow.product_id == product_id)
    if plan_id is not None:
        stmt = stmt.where(LedgerRow.plan_id == plan_id)
    return _page(session, stmt, limit=limit, offset=offset)


def totals(session: Session) -> tuple[int, int]:
    """The chain's units on hand and in transit."""
    on_hand, in_transit = session.execute(
        select(
            func.coalesce(func.sum(Stock.on_hand), 0), func.coalesce(func.sum(Stock.in_transit), 0)
        )
    ).one()
    return int(on_hand), int(in_transit)
