"""Plans in the database: create, record progress, store the result, read and list.

A plan row holds the parameters and, once computed, the plan file's header (stores,
clusters, elbow, fulfilment, summary); its transfer lines and warehouse orders are rows of
their own so that they can be filtered, paginated and executed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd
from sqlalchemy import JSON, Select, Text, bindparam, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session, defer

from stockshift.core.types import Plan, StrArray
from stockshift.db.bulk import bulk_insert
from stockshift.db.engine import begin_write, is_sqlite, json_dumps, write_transaction
from stockshift.db.errors import NotFoundError
from stockshift.db.linestore import (
    LineWriter,
    Span,
    lock_before_plan_row,
    of_plan,
    span_values,
)
from stockshift.db.models import PlanRow, TransferRow, WarehouseOrderRow
from stockshift.db.revision import line_moves

if TYPE_CHECKING:  # the planner (numba) is not for every reader of plans
    from stockshift.core.runs import ProductsPlan

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _page(session: Session, stmt: Select[T], *, limit: int, offset: int) -> Page[T]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(session.scalars(stmt.limit(limit).offset(offset)))
    return Page(items=items, total=int(total or 0), limit=limit, offset=offset)


def create_plan(session: Session, *, parameters: dict[str, Any], key_id: int | None) -> PlanRow:
    """A new plan in status ``running``; the caller computes it in the background."""
    begin_write(session)
    row = PlanRow(
        status="running",
        parameters=parameters,
        progress="queued",
        created_by=key_id,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.commit()
    return row


def set_progress(session: Session, *, plan_id: int, step: str) -> None:
    begin_write(session)
    session.execute(
        update(PlanRow)
        .where(PlanRow.id == plan_id, PlanRow.status == "running")
        .values(progress=step[:64])
    )
    session.commit()


def fail_plan(session: Session, *, plan_id: int, error: str) -> None:
    """Record why a plan could not be computed; it can then only be read."""
    begin_write(session)
    session.execute(
        update(PlanRow)
        .where(PlanRow.id == plan_id)
        .values(status="failed", error=error, progress=None, finished_at=datetime.now(UTC))
    )
    session.commit()


def fail_interrupted(session: Session) -> None:
    """Plans still ``running`` from a previous server process will never finish: say so."""
    begin_write(session)
    session.execute(
        update(PlanRow)
        .where(PlanRow.status == "running")
        .values(status="failed", error="interrupted by a server restart; plan again")
    )
    session.commit()


def store_planned(
    session: Session,
    *,
    plan_id: int,
    store_ids: StrArray,
    make: Callable[[Callable[[ProductsPlan], None]], Plan],
) -> Plan:
    """Compute plan ``plan_id`` by ``make`` and store it as it is made, in one transaction.

    ``make`` hands each run of products' plan, in product order, to the callback it is
    given and returns the plan (``build_plan(..., on_run=callback)``). On PostgreSQL each
    run's lines are written by a thread of their own while ``make`` goes on with the next
    products, so that the server takes in one run's lines while this process plans the
    next. Then the warehouse orders and the header (the plan file less its line tables). If
    anything fails, nothing is stored."""
    if not is_sqlite(session):
        return _store(session, plan_id, store_ids, make)
    # SQLite has one writer at a time, and the plan's progress is written while it is
    # made: its store begins once it is made
    runs: list[ProductsPlan] = []
    plan = make(runs.append)

    def made(add: Callable[[ProductsPlan], None]) -> Plan:
        for run in runs:
            add(run)
        return plan

    return _store(session, plan_id, store_ids, made)


def _store(
    session: Session,
    plan_id: int,
    store_ids: StrArray,
    make: Callable[[Callable[[ProductsPlan], None]], Plan],
) -> Plan:
    # the document's makers import the clustering (numba): not for every reader of plans
    from stockshift.document import warehouse_frame, without_lines

    with write_transaction(session), ThreadPoolExecutor(max_workers=1) as pool:
        lines = _RunLines(session, plan_id, store_ids, pool)
        try:
            plan = make(lines.add)
            finished = lines.finish()
            orders = warehouse_frame(plan)
            orders.insert(0, "plan_id", plan_id)
            # PostgreSQL: the header (tens of MB of JSON for a big plan) is made and encoded
            # while the server takes in the last lines, not after
            header: Any = without_lines(plan)
            if not is_sqlite(session):
                header = cast(literal(json_dumps(header), Text), JSON)
            span = finished.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the write under way ends before the rollback
            raise
        bulk_insert(session, "warehouse_orders", orders)
        session.execute(
            update(PlanRow)
            .where(PlanRow.id == plan_id)
            .values(
                **span_values(span),
                status="completed",
                header=header,
                progress=None,
                finished_at=datetime.now(UTC),
            )
        )
    return plan


class _RunLines:
    """A plan's lines, run after run, written in order by ``pool``'s one thread."""

    def __init__(
        self, session: Session, plan_id: int, store_ids: StrArray, pool: ThreadPoolExecutor
    ) -> None:
        self.plan_id = plan_id
        self.store_ids = store_ids
        self.writer = LineWriter(session, plan_id)
        self.pool = pool
        self.written: list[Future[None]] = []
        self.seq = 0

    def add(self, run: ProductsPlan) -> None:
        """Queue ``run``'s lines after the earlier runs'; raises if a write has failed."""
        for done in self.written:
            if done.done():
                done.result()
        self.written.append(self.pool.submit(self._write, run, self.seq))
        self.seq += len(run.alloc.quantity)

    def _write(self, run: ProductsPlan, seq: int) -> None:
        from stockshift.document import run_transfers_frame

        frame = run_transfers_frame(self.store_ids, run)
        frame.insert(0, "plan_id", self.plan_id)
        frame.insert(1, "seq", range(seq, seq + len(frame)))
        frame["status"] = "proposed"
        self.writer.write(frame)

    def finish(self) -> Future[Span | None]:
        """The range of the lines' ids (:mod:`stockshift.db.linestore`) once every line is
        written; a write's error is raised from it."""

        def finish() -> Span | None:
            for done in self.written:
                done.result()
            return self.writer.finish()

        return self.pool.submit(finish)


def store_imported(
    session: Session,
    *,
    parameters: dict[str, Any],
    document: dict[str, Any],
    transfers: Iterable[pd.DataFrame],
    orders: Iterable[pd.DataFrame],
    key_id: int | None = None,
) -> int:
    """Save a plan computed elsewhere (a plan file or dataset) as a completed plan, in one
    transaction: ``document`` is its header as :func:`store_planned` keeps it, ``transfers``
    and ``orders`` its lines in order, in chunks (a dataset's parts). Returns its id."""
    now = datetime.now(UTC)
    with write_transaction(session):
        lock_before_plan_row(session)
        row = PlanRow(
            status="completed",
            parameters=parameters,
            header=document,
            progress=None,
            created_by=key_id,
            created_at=now,
            finished_at=now,
        )
        session.add(row)
        session.flush()
        lines = LineWriter(session, row.id)
        seq = 0
        for frame in transfers:
            frame = frame.copy()
            frame.insert(0, "plan_id", row.id)
            frame.insert(1, "seq", range(seq, seq + len(frame)))
            frame["status"] = "proposed"
            lines.write(frame)
            seq += len(frame)
        for key, value in span_values(lines.finish()).items():
            setattr(row, key, value)
        for frame in orders:
            frame = frame.copy()
            frame.insert(0, "plan_id", row.id)
            bulk_insert(session, "warehouse_orders", frame)
        return row.id


def get_plan(session: Session, *, plan_id: int) -> PlanRow:
    """The plan row without its header, which can be megabytes (:func:`plan_header`)."""
    row = session.scalar(
        select(PlanRow).where(PlanRow.id == plan_id).options(defer(PlanRow.header))
    )
    if row is None:
        raise NotFoundError(f"plan {plan_id} does not exist")
    return row


_STATUS = select(PlanRow.__table__.c.status).where(PlanRow.__table__.c.id == bindparam("id"))


def plan_status(session: Session, *, plan_id: int) -> str:
    """Plan ``plan_id``'s status, in one small Core query (a page of lines needs no more)."""
    status = session.connection().scalar(_STATUS, {"id": plan_id})
    if status is None:
        raise NotFoundError(f"plan {plan_id} does not exist")
    return str(status)


def plan_header(session: Session, *, plan_id: int) -> dict[str, Any] | None:
    """The plan file's header: parameters, stores, clusters, elbow, fulfilment, summary."""
    return session.scalar(select(PlanRow.header).where(PlanRow.id == plan_id))


def plan_summary(session: Session, *, plan_id: int) -> dict[str, Any] | None:
    """The header's ``summary`` alone (lines, units, warehouse orders...), read without the
    rest of the header: a 300,000-line plan's header is tens of megabytes of JSON."""
    summary: dict[str, Any] | None = session.scalar(
        select(PlanRow.header["summary"]).where(PlanRow.id == plan_id)
    )
    return summary


def plan_lines(session: Session, *, plan_id: int) -> list[TransferRow]:
    return list(
        session.scalars(
            select(TransferRow)
            .where(*of_plan(session.connection(), plan_id))
            .order_by(TransferRow.seq)
        )
    )


LINE_FIELDS = (
    "transfer_id", "product_id", "from_store", "to_store", "quantity", "distance_km", "scope",
    "expected_gain", "status",
)  # fmt: skip


def lines_signature(session: Session, *, plan_id: int) -> tuple[tuple[str, int], ...]:
    """Lines per status, but for ``proposed``: see :func:`stockshift.db.revision.line_moves`."""
    return line_moves(session.connection(), plan_id)


def plan_line_rows(session: Session, *, plan_id: int) -> list[dict[str, Any]]:
    """A plan's lines as plain dicts (fields: :data:`LINE_FIELDS`), in the order made.

    Read without ORM objects: the plan endpoint serves thousands of lines per request.
    """
    rows = session.execute(
        select(
            TransferRow.id, TransferRow.product_id, TransferRow.from_store, TransferRow.to_store,
            TransferRow.quantity, TransferRow.distance_km, TransferRow.scope,
            TransferRow.expected_gain, TransferRow.status,
        )
        .where(*of_plan(session.connection(), plan_id))
        .order_by(TransferRow.seq)
    ).all()  # fmt: skip
    return [dict(zip(LINE_FIELDS, row, strict=True)) for row in rows]


def plan_order_rows(session: Session, *, plan_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            WarehouseOrderRow.product_id, WarehouseOrderRow.store_id,
            WarehouseOrderRow.quantity, WarehouseOrderRow.reason,
        )
        .where(WarehouseOrderRow.plan_id == plan_id)
        .order_by(WarehouseOrderRow.id)
    ).all()  # fmt: skip
    fields = ("product_id", "store_id", "quantity", "reason")
    return [dict(zip(fields, row, strict=True)) for row in rows]


def plan_orders(session: Session, *, plan_id: int) -> list[WarehouseOrderRow]:
    return list(
        session.scalars(
            select(WarehouseOrderRow)
            .where(WarehouseOrderRow.plan_id == plan_id)
            .order_by(WarehouseOrderRow.id)
        )
    )


def list_plans(
    session: Session, *, status: str | None = None, limit: int, offset: int
) -> Page[PlanRow]:
    stmt = select(PlanRow).options(defer(PlanRow.header)).order_by(PlanRow.id.desc())
    if status is not None:
        stmt = stmt.where(PlanRow.status == status)
    return _page(session, stmt, limit=limit, offset=offset)


def latest_plan(session: Session) -> PlanRow | None:
    """The newest plan that finished computing (completed or executed)."""
    return session.scalar(
        select(PlanRow)
        .options(defer(PlanRow.header))
        .where(PlanRow.status.in_(("completed", "executed")))
        .order_by(PlanRow.id.desc())
        .limit(1)
    )


def list_transfers(
    session: Session,
    *,
    plan_id: int | None = None,
    status: str | None = None,
    store_id: str | None = None,
    product_id: str | None = None,
    limit: int,
    offset: int,
) -> Page[TransferRow]:
    """Transfer lines, filtered; ``store_id`` matches either end of a line."""
    stmt = select(TransferRow).order_by(TransferRow.plan_id.desc(), TransferRow.seq)
    if plan_id is not None:
        stmt = stmt.where(*of_plan(session.connection(), plan_id))
    if status is not None:
        stmt = stmt.where(TransferRow.status == status)
    if store_id is not None:
        stmt = stmt.where(or_(TransferRow.from_store == store_id, TransferRow.to_store == store_id))
    if product_id is not None:
        stmt = stmt.where(TransferRow.product_id == product_id)
    return _page(session, stmt, limit=limit, offset=offset)


def get_transfer(session: Session, *, transfer_id: int) -> TransferRow:
    row = session.get(TransferRow, transfer_id)
    if row is None:
        raise NotFoundError(f"transfer {transfer_id} does not exist")
    return row


def list_warehouse_orders(
    session: Session,
    *,
    plan_id: int | None = None,
    store_id: str | None = None,
    product_id: str | None = None,
    limit: int,
    offset: int,
) -> Page[WarehouseOrderRow]:
    stmt = select(WarehouseOrderRow).order_by(
        WarehouseOrderRow.plan_id.desc(), WarehouseOrderRow.id
    )
    if plan_id is not None:
        stmt = stmt.where(WarehouseOrderRow.plan_id == plan_id)
    if store_id is not None:
        stmt = stmt.where(WarehouseOrderRow.store_id == store_id)
    if product_id is not None:
        stmt = stmt.where(WarehouseOrderRow.product_id == product_id)
    return _page(session, stmt, limit=limit, offset=offset)
