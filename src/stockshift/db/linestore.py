"""Storing a plan's transfer lines on PostgreSQL: a big plan gets a partition of its own.

Filling the key, four B-trees and the foreign key check line by line was most of
``db plan``'s time for a 300,000-line plan (issue 11 part 6). Since migration 0008
``transfers`` is partitioned by ranges of ``id``:

- a plan of fewer than :data:`BIG_PLAN_LINES` lines goes into ``transfers_small`` (ids
  below :data:`FIRST_BLOCK_ID`, numbered by ``transfers_id_seq``) by a ``COPY`` through the
  parent, as before;
- a bigger one takes a block of :data:`BLOCK` ids from ``transfer_blocks``, its lines are
  copied into a bare table ``transfers_block_<n>`` whose ``CHECK`` says they lie in the
  block, and the table is attached as the block's partition: ``ATTACH`` builds the key
  and each index in one sorted pass, validates the foreign key in one query and, thanks
  to the check, does not scan the lines again for the bound. It takes only SHARE UPDATE
  EXCLUSIVE on ``transfers``, so reads and line updates go on meanwhile.

Both happen in the caller's transaction: if it rolls back, the table, its lines and the
block's use are gone (the sequence only skips a block). The plan row keeps the range of
its line ids (``line_first``, ``line_end``) so that a plan's queries reach its partition
only. SQLite has one plain table: lines are inserted as before and no range is kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, bindparam, select
from sqlalchemy.orm import Session

from stockshift.db.bulk import bulk_insert
from stockshift.db.models import PlanRow, TransferRow

# A partition pays for itself when building its indexes in one pass costs less than
# inserting into the shared ones: measured on the 296,319-line plan; below a few ten
# thousand lines either is a few milliseconds, and every big plan adds a table (and
# its 7 indexes) that each query of all lines plans over, so small plans stay shared.
BIG_PLAN_LINES = 20_000
FIRST_BLOCK_ID = 2**40  # ids below it are transfers_small's; above are exact in JS up to 2^53
BLOCK = 2**28  # ids per big plan (268 million lines); 2^25 big plans before 2^53

# rows per piece of a COPY: the server takes in a piece while Arrow writes the next, so
# only the first piece's writing waits (the 296,319 lines' copy at load 7: 1.4-1.7 s in
# pieces of 50,000, 1.6-2.0 in bulk.CHUNK's 200,000: within that hour's noise)
COPY_CHUNK = 50_000

Span = tuple[int, int]  # [first, end) of a plan's line ids
PLANS = PlanRow.__table__
LINES = TransferRow.__table__


class LineWriter:
    """Writes one plan's lines, frame by frame in plan order (``seq`` given), inside the
    session's transaction; :meth:`finish` returns the range of their ids (PostgreSQL)."""

    def __init__(self, session: Session, plan_id: int) -> None:
        self.session = session
        self.plan_id = plan_id
        self.big = BIG_PLAN_LINES  # read when called: tests lower it
        self.postgres = session.connection().dialect.name == "postgresql"
        self.pending: list[pd.DataFrame] = []
        self.buffered = 0
        self.first: int | None = None  # the block's first id, once the plan is big
        self.written = 0

    def write(self, frame: pd.DataFrame) -> None:
        if not self.postgres:
            bulk_insert(self.session, "transfers", frame)
            return
        if self.first is None:
            self.pending.append(frame)
            self.buffered += len(frame)
            if self.buffered < self.big:
                return
            self._open_block()
            frames, self.pending = self.pending, []
            for part in frames:
                self._copy(part)
            return
        self._copy(frame)

    def finish(self) -> Span | None:
        if not self.postgres:
            index_line_stores(self.session.connection(), self.plan_id)
            return None
        conn = self.session.connection()
        if self.first is None:
            before = int(conn.exec_driver_sql("SELECT nextval('transfers_id_seq')").scalar_one())
            for frame in self.pending:
                bulk_insert(self.session, "transfers", frame, chunk=COPY_CHUNK)
            last = int(conn.exec_driver_sql("SELECT currval('transfers_id_seq')").scalar_one())
            return before + 1, last + 1
        conn.exec_driver_sql(
            f"ALTER TABLE transfers ATTACH PARTITION {self._table}"
            f" FOR VALUES FROM ({self.first}) TO ({self.first + BLOCK})"
        )
        return self.first, self.first + self.written

    @property
    def _table(self) -> str:
        """The block's partition, named by the block (never reused, unlike a plan id after
        the tests' ``TRUNCATE ... RESTART IDENTITY``)."""
        assert self.first is not None
        return f"transfers_block_{(self.first - FIRST_BLOCK_ID) // BLOCK}"

    def _open_block(self) -> None:
        conn = self.session.connection()
        self.first = int(conn.exec_driver_sql("SELECT nextval('transfer_blocks')").scalar_one())
        end = self.first + BLOCK
        # no key and no index: ATTACH builds all seven after the copy, one sorted pass each.
        # The key and the (plan_id, seq), status indexes filled row by row as the lines
        # were copied cost more than building them (the 296,319 lines at load 4, best of
        # 5: copy 1.19 s and attach 1.11 s that way, 0.36 s and 1.47 s this way)
        conn.exec_driver_sql(
            f"CREATE TABLE {self._table} (LIKE transfers INCLUDING CONSTRAINTS,"
            f" CONSTRAINT {self._table}_ids CHECK (id >= {self.first} AND id < {end}))"
        )

    def _copy(self, frame: pd.DataFrame) -> None:
        if len(frame) == 0:
            return
        assert self.first is not None
        if self.written + len(frame) > BLOCK:
            raise ValueError(f"a plan has at most {BLOCK:,} lines")
        start = self.first + self.written
        frame = frame.copy(deep=False)
        frame.insert(0, "id", np.arange(start, start + len(frame), dtype=np.int64))
        self.written += bulk_insert(self.session, self._table, frame, chunk=COPY_CHUNK)


def index_line_stores(conn: Connection, plan_id: int) -> None:
    """SQLite: plan ``plan_id``'s stored lines under their stores in ``transfer_stores``
    (:class:`~stockshift.db.models.TransferStoreRow`), sorted as its key so that every row
    appends at the B-tree's right edge. The store indexes it replaces took a new plan's
    lines in plan order, a random insert each: for the 296,319-line plan (at load 4-5)
    the lines took 3.7-4.7 s of CPU with them, 0.9-1.3 s without, and this 1.1 s.
    Nothing on PostgreSQL, whose store indexes stay."""
    if conn.dialect.name != "sqlite":
        return
    for direction, column in (("in", "to_store"), ("out", "from_store")):
        conn.exec_driver_sql(
            "INSERT INTO transfer_stores (plan_id, direction, store_id, seq) "
            f"SELECT plan_id, '{direction}', {column}, seq FROM transfers WHERE plan_id = ? "
            f"ORDER BY {column}, seq",
            (plan_id,),
        )


def lock_before_plan_row(session: Session) -> None:
    """For a transaction that inserts or updates a plan row *before* it stores the plan's
    lines (an imported plan): take ``transfers``' SHARE UPDATE EXCLUSIVE lock first, as
    ``ATTACH`` will. ``ATTACH`` also takes SHARE ROW EXCLUSIVE on ``plans`` (the foreign
    key), which waits for every transaction holding a row of ``plans`` changed; two stores
    that each changed a plan row and then attach would wait for each other (a deadlock,
    shown with two sessions). :func:`stockshift.db.plans.store_planned` changes its plan row
    after attaching, so it needs no such lock."""
    if session.connection().dialect.name == "postgresql":
        session.connection().exec_driver_sql("LOCK TABLE transfers IN SHARE UPDATE EXCLUSIVE MODE")


def span_values(span: Span | None) -> dict[str, int]:
    """The plan row's columns for ``span`` (none on SQLite)."""
    return {} if span is None else {"line_first": span[0], "line_end": span[1]}


_SPAN = select(PLANS.c.line_first, PLANS.c.line_end).where(PLANS.c.id == bindparam("id"))


def plan_span(conn: Connection, plan_id: int) -> Span | None:
    """[first, end) of plan ``plan_id``'s line ids on PostgreSQL (None on SQLite, and for
    a plan without lines yet)."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(_SPAN, {"id": plan_id}).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return int(row[0]), int(row[1])


def of_plan(conn: Connection, plan_id: int) -> list[ColumnElement[bool]]:
    """The conditions that pick plan ``plan_id``'s lines: its id and, on PostgreSQL, the
    range of its line ids, so that a query plans over that plan's partition alone
    (measured at 213 partitions: a page of a plan's lines took 40 ms to plan and 7 ms to
    run on ``plan_id`` alone, 0.1 ms and 0.04 ms with the range)."""
    clauses = [LINES.c.plan_id == plan_id]
    span = plan_span(conn, plan_id)
    if span is not None:
        clauses += [LINES.c.id >= span[0], LINES.c.id < span[1]]
    return clauses
