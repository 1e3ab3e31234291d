"""Whether a plan still fits the stock: the stock changes recorded since it was made, and the
sources that now hold less than its proposed lines take (what executing would refuse, 409).

A plan reads the stock when it starts (its ``created_at`` or a moment later), and every stock
change writes a ledger row stamped with its time (db/stock.py, db/dataset.py), so the ledger
rows after ``created_at`` are the changes the plan did not see — counted conservatively: one
made while the plan was being computed is counted too. Its own dispatches do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from stockshift.db.linestore import of_plan
from stockshift.db.models import LedgerRow, Stock, TransferRow
from stockshift.db.plans import get_plan

RECENT = 1_000  # ledger rows looked at, newest first: "1,000 or more" is all a planner needs
SHORT_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ShortSource:
    """A source that holds less of a product than the plan's proposed lines take from it."""

    store_id: str
    product_id: str
    needed: int
    on_hand: int


@dataclass(frozen=True, slots=True)
class StockCheck:
    plan_id: int
    made_at: datetime
    changes: int  # stock changes since made_at, counted up to RECENT
    more: bool  # more than RECENT changes
    last_change_at: datetime | None
    short: tuple[ShortSource, ...]  # the first SHORT_SHOWN, by store and product
    short_count: int


def stock_check(session: Session, *, plan_id: int) -> StockCheck:
    """The stock changes since plan ``plan_id`` was made and its sources that now fall short.

    Raises :class:`~stockshift.db.errors.NotFoundError` for an unknown plan.
    """
    plan = get_plan(session, plan_id=plan_id)
    recent = (
        select(LedgerRow.at)
        .where(or_(LedgerRow.plan_id.is_(None), LedgerRow.plan_id != plan_id))
        .order_by(LedgerRow.id.desc())
        .limit(RECENT + 1)
        .subquery()
    )
    count, last = session.execute(
        select(func.count(), func.max(recent.c.at)).where(recent.c.at > plan.created_at)
    ).one()
    take = (
        select(
            TransferRow.from_store.label("store_id"),
            TransferRow.product_id,
            func.sum(TransferRow.quantity).label("needed"),
        )
        .where(*of_plan(session.connection(), plan_id), TransferRow.status == "proposed")
        .group_by(TransferRow.from_store, TransferRow.product_id)
        .subquery()
    )
    held = func.coalesce(Stock.on_hand, 0)
    rows = session.execute(
        select(take.c.store_id, take.c.product_id, take.c.needed, held)
        .outerjoin(
            Stock, (Stock.store_id == take.c.store_id) & (Stock.product_id == take.c.product_id)
        )
        .where(held < take.c.needed)
        .order_by(take.c.store_id, take.c.product_id)
    ).all()
    short = tuple(ShortSource(s, p, int(n), int(q)) for s, p, n, q in rows[:SHORT_SHOWN])
    return StockCheck(
        plan_id=plan_id,
        made_at=plan.created_at,
        changes=min(int(count), RECENT),
        more=int(count) > RECENT,
        last_change_at=last,
        short=short,
        short_count=len(rows),
    )
