"""Stock changes and the locks every one takes: adjustments and sales here, executing plans
and receiving and cancelling transfers in :mod:`stockshift.db.transfers`.

Every function here changes stock in one transaction, writes one ledger row per change, and
either applies completely or raises with nothing changed. Executing, receiving and
cancelling only move units between on hand and in transit, so the chain's total
(SPEC section 7) is the same before and after; adjustments and sales are the only other
ways units appear or disappear, and each is in the ledger.

Concurrency. Each function runs in :func:`~stockshift.db.engine.run_write`: SQLite starts
the transaction with ``BEGIN IMMEDIATE``, so writers queue; PostgreSQL holds the
master-data lock shared (imports take it alone) and locks rows ``FOR UPDATE`` in one
global order, so two changes never wait for each other in a cycle:

1. the plan row (execute: ``FOR UPDATE``; cancel: ``FOR SHARE``, so cancels of one plan's
   lines run side by side but never while that plan executes);
2. the transfer row (receive, cancel; a bulk receipt locks its lines in id order);
3. stock rows, by (store_id, product_id) in code-point order (``COLLATE "C"``), all the
   rows a change touches in one sweep — sources and destinations alike.

Rows a change must create (a destination that never carried the product, a first
adjustment, a sales day) are inserted with ``ON CONFLICT`` before the sweep, so racing
inserts never fail on the key. Every state check runs after the locks are held: of two
racing executions of one plan exactly one succeeds, and a line cancelled while its plan
executes is cancelled either before (never dispatched) or after (its units return).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, func, insert, select, tuple_, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from stockshift.core.errors import InputError, InputIssue
from stockshift.db.engine import is_sqlite, run_write
from stockshift.db.errors import ConflictError, NotFoundError
from stockshift.db.linestore import of_plan
from stockshift.db.models import (
    LedgerRow,
    PlanRow,
    Product,
    Sale,
    Stock,
    Store,
    TransferRow,
)
from stockshift.db.plans import Page, _page

Pair = tuple[str, str]  # (store_id, product_id)
_Sel = TypeVar("_Sel", bound="Select[*tuple[Any, ...]]")
LOCK_CHUNK = 2_000  # stock rows locked per statement (two bound parameters each)


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


def _upsert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` for this database that can take ``ON CONFLICT`` clauses."""
    if is_sqlite(session):
        return sqlite.insert(table)
    return postgresql.insert(table)


def _lock_plan(session: Session, plan_id: int, *, share: bool = False) -> PlanRow:
    plan = session.scalar(
        select(PlanRow)
        .where(PlanRow.id == plan_id)
        .with_for_update(read=share)
        .execution_options(populate_existing=True)
    )
    if plan is None:
        raise NotFoundError(f"plan {plan_id} does not exist")
    return plan


def _in_lock_order(session: Session, stmt: _Sel) -> _Sel:
    """``stmt`` on stock, ``FOR UPDATE`` in the global order: code points (Python's string
    order; PostgreSQL is told ``COLLATE "C"``, SQLite compares text that way already)."""
    order: list[Any] = [Stock.store_id, Stock.product_id]
    if not is_sqlite(session):
        order = [c.collate("C") for c in order]
    return stmt.order_by(*order).with_for_update(of=Stock).execution_options(populate_existing=True)


def _stock_sweep(session: Session, pairs: list[Pair], *columns: Any) -> Iterator[Any]:
    """Lock the stock rows of sorted ``pairs`` in the global order, in chunks that keep the
    order from one chunk to the next; yields ``columns`` of each row."""
    for start in range(0, len(pairs), LOCK_CHUNK):
        chunk = pairs[start : start + LOCK_CHUNK]
        where = tuple_(Stock.store_id, Stock.product_id).in_(chunk)
        yield from session.execute(_in_lock_order(session, select(*columns).where(where)))


def _lock_stock(
    session: Session, pairs: Iterable[Pair], *, create: Iterable[Pair] = ()
) -> dict[Pair, Stock]:
    """Lock the stock rows of ``pairs`` (global order), then insert empty rows for the pairs
    of ``create`` that had none and lock those. Pairs without a row are absent."""
    rows = {
        (r.store_id, r.product_id): r for (r,) in _stock_sweep(session, sorted(set(pairs)), Stock)
    }
    missing = sorted(set(create) - rows.keys())
    if missing:
        _insert_empty(session, missing)
        rows.update(
            {(r.store_id, r.product_id): r for (r,) in _stock_sweep(session, missing, Stock)}
        )
    return rows


def _lock_plan_stock(session: Session, plan_id: int, give: Iterable[Pair]) -> dict[Pair, int]:
    """:func:`_lock_stock` for a plan's proposed lines, both ends, in one statement (a plan
    can touch tens of thousands of rows); returns units on hand. Destinations (``give``)
    without a row get an empty one."""
    line = (*of_plan(session.connection(), plan_id), TransferRow.status == "proposed")
    ends = union(
        select(TransferRow.from_store, TransferRow.product_id).where(*line),
        select(TransferRow.to_store, TransferRow.product_id).where(*line),
    )
    cols = (Stock.store_id, Stock.product_id, Stock.on_hand)
    where = tuple_(Stock.store_id, Stock.product_id).in_(select(ends.subquery()))
    held = {
        (s, p): int(q)
        for s, p, q in session.execute(_in_lock_order(session, select(*cols).where(where)))
    }
    missing = sorted(set(give) - held.keys())
    if missing:
        _insert_empty(session, missing)
        held.update({(s, p): int(q) for s, p, q in _stock_sweep(session, missing, *cols)})
    return held


def _check_stores(session: Session, stores: Iterable[str]) -> None:
    wanted = sorted(set(stores))
    known = set(session.scalars(select(Store.store_id).where(Store.store_id.in_(wanted))))
    missing = [s for s in wanted if s not in known]
    if missing:
        raise ConflictError(
            f"store(s) {', '.join(missing[:10])} no longer exist (re-imported master data); "
            "nothing was changed — make a new plan"
        )


def _insert_empty(session: Session, pairs: list[Pair]) -> None:
    """Empty stock rows (and product rows) for ``pairs``, in order; a row a concurrent
    transaction inserted first is kept as it is (``ON CONFLICT DO NOTHING``)."""
    session.execute(
        _upsert(session, cast(Table, Product.__table__)).on_conflict_do_nothing(),
        [{"product_id": p} for p in sorted({p for _, p in pairs})],
    )
    session.execute(
        _upsert(session, cast(Table, Stock.__table__)).on_conflict_do_nothing(),
        [{"store_id": s, "product_id": p, "on_hand": 0, "in_transit": 0} for s, p in pairs],
    )


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
    return run_write(
        session, lambda: _adjust(session, (store_id, product_id), delta, reason, key_id)
    )


def _adjust(session: Session, pair: Pair, delta: int, reason: str, key_id: int | None) -> Stock:
    store_id, product_id = pair
    if session.get(Store, store_id) is None:
        raise NotFoundError(f"store {store_id!r} does not exist")
    row = _lock_stock(session, [pair], create=[pair])[pair]
    if row.on_hand + delta < 0:
        raise ConflictError(
            f"store {store_id} holds {row.on_hand} of {product_id}; an adjustment of "
            f"{delta} would leave it negative"
        )
    row.on_hand += delta
    _ledger(session, [_entry(_now(), key_id, "adjust", pair, on_hand=delta, note=reason)])
    return row


def record_sales(
    session: Session, *, lines: list[SaleLine], key_id: int | None
) -> list[SaleOutcome]:
    """Add a batch of sales to the history and take the units off the shelves.

    On hand never goes below zero: units that were not there are reported as ``short``.
    Stock decreases by the units rounded to whole units; the history keeps them exact.
    Lines are taken in the batch's order; the rows they touch are locked in the global order.
    """
    return run_write(session, lambda: _record_sales(session, lines, key_id))


def _record_sales(session: Session, lines: list[SaleLine], key_id: int | None) -> list[SaleOutcome]:
    known = set(
        session.scalars(
            select(Store.store_id).where(Store.store_id.in_(sorted({x.store_id for x in lines})))
        )
    )
    issues = [
        InputIssue("sales", i + 1, "store_id", f"unknown store {line.store_id!r}")
        for i, line in enumerate(lines)
        if line.store_id not in known
    ]
    if issues:
        raise InputError(issues[:20], total=len(issues))
    rows = _lock_stock(session, [(x.store_id, x.product_id) for x in lines])
    at = _now()
    out: list[SaleOutcome] = []
    entries: list[dict[str, Any]] = []
    units: dict[tuple[str, str, date], float] = defaultdict(float)
    for line in lines:
        pair = (line.store_id, line.product_id)
        wanted = math.floor(line.units + 0.5)
        row = rows.get(pair)
        taken = min(wanted, row.on_hand) if row is not None else 0
        if row is not None and taken:
            row.on_hand -= taken
            entries.append(_entry(at, key_id, "sale", pair, on_hand=-taken, note=str(line.day)))
        units[(line.store_id, line.product_id, line.day)] += line.units
        out.append(SaleOutcome(pair[0], pair[1], line.units, taken, wanted - taken))
    _add_sales(session, units)
    _ledger(session, entries)
    return out


def _add_sales(session: Session, units: dict[tuple[str, str, date], float]) -> None:
    """Add units to the sales history: a new day's row, or more units on an existing one."""
    if not units:
        return
    sales = cast(Table, Sale.__table__)
    stmt = _upsert(session, sales)
    stmt = stmt.on_conflict_do_update(
        index_elements=["store_id", "product_id", "day"],
        set_={"units": sales.c.units + stmt.excluded.units},
    )
    session.flush()
    session.execute(
        stmt,
        [
            {"store_id": s, "product_id": p, "day": d, "units": u}
            for (s, p, d), u in sorted(units.items())
        ],
    )


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
