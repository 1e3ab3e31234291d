"""A plan's revision: everything about a plan row and its lines that can still change.

A computed plan's lines, orders, stores and clusters never change; its row's status,
progress, error and execution time can, and so can its lines' statuses. The revision reads
those in two small statements built once (no ORM): the row, and the lines per status but
for ``proposed`` (:func:`line_moves`). Two reads of one plan with equal revisions saw the
same plan, so an answer made from the first can serve the second: the plan document's cache
(api/plancache.py) and the cache of read answers (api/readcache.py) both rely on it, in
every server process, without telling each other anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, func, select

from stockshift.db.linestore import of_plan
from stockshift.db.models import MOVED_LINE, PlanRow, TransferRow

PLANS = PlanRow.__table__
LINES = TransferRow.__table__

_ROW = select(PLANS.c.status, PLANS.c.progress, PLANS.c.error, PLANS.c.executed_at).where(
    PLANS.c.id == bindparam("id")
)


class Revision(NamedTuple):
    status: str
    progress: str | None
    error: str | None
    executed_at: datetime | None
    moves: tuple[tuple[str, int], ...]


def line_moves(conn: Connection, plan_id: int) -> tuple[tuple[str, int], ...]:
    """Lines per status, but for ``proposed``. A line's status only moves forward
    (proposed, dispatched, then received or cancelled), and every move raises the sum of the
    stages' ranks, so no later state has the counts of an earlier one: equal counts mean
    equal line statuses. A plan's lines are never added or removed, so the lines still
    proposed follow from the others, which are counted on the partial index of lines that
    moved (migration 0007) alone: a plan nobody has touched costs an empty index probe."""
    moves = (
        select(LINES.c.status, func.count())
        .where(*of_plan(conn, plan_id), LINES.c.status != MOVED_LINE)
        .group_by(LINES.c.status)
        .order_by(LINES.c.status)
    )
    rows = conn.execute(moves).all()
    return tuple((str(status), int(n)) for status, n in rows)


def plan_revision(conn: Connection, plan_id: int) -> Revision | None:
    """Plan ``plan_id``'s revision, or None when there is no such plan. Read the revision
    before what it vouches for: an answer read after it is at least as new."""
    row = conn.execute(_ROW, {"id": plan_id}).first()
    if row is None:
        return None
    status, progress, error, executed_at = row
    return Revision(str(status), progress, error, executed_at, line_moves(conn, plan_id))
