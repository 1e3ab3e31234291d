"""One plan's lines and warehouse orders read a page at a time, filtered, sorted and summed.

A plan of a real chain has tens or hundreds of thousands of lines; a dashboard shows a
screenful. Pages are cut by keyset (the sort value and a unique tie-breaker of the last row
seen), not by offset, so every page costs the same and a walk from the first page to the
last sees every matching row exactly once, in a stable order, even while lines change
status. Indexes for these queries are in migrations 0003 and 0005.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from stockshift.db.models import Store, TransferRow, WarehouseOrderRow

Direction = Literal["in", "out"]
Key = tuple[Any, int]
Sortable = (
    ColumnElement[Any] | InstrumentedAttribute[Any]
)  # (sort value, tie-breaker) of the last row of a page

GAIN = func.coalesce(TransferRow.expected_gain, -1.0)  # lines without a gain sort lowest
TRANSFER_SORTS: dict[str, Sortable] = {
    "seq": TransferRow.seq,
    "quantity": TransferRow.quantity,
    "distance_km": TransferRow.distance_km,
    "product_id": TransferRow.product_id,
    "from_store": TransferRow.from_store,
    "to_store": TransferRow.to_store,
    "expected_gain": GAIN,
    "scope": TransferRow.scope,
    "status": TransferRow.status,
}
ORDER_SORTS: dict[str, Sortable] = {
    "seq": WarehouseOrderRow.id,
    "quantity": WarehouseOrderRow.quantity,
    "product_id": WarehouseOrderRow.product_id,
    "store_id": WarehouseOrderRow.store_id,
    "reason": WarehouseOrderRow.reason,
}
LINE_FIELDS = (
    "transfer_id", "product_id", "from_store", "to_store", "quantity", "distance_km", "scope",
    "expected_gain", "status",
)  # fmt: skip
ORDER_FIELDS = ("order_id", "product_id", "store_id", "quantity", "reason")


@dataclass(frozen=True, slots=True)
class Sort:
    """A sort order: a field of the sort table, ascending or descending. Ties go in the
    order the rows were made (``seq`` of a line, id of an order), reversed when descending:
    a descending sort is exactly its ascending one read backwards, so one index serves both."""

    field: str
    descending: bool = False

    @property
    def name(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass(frozen=True, slots=True)
class LineFilter:
    """Which lines: ``store_id`` matches either end, or only the destination (``direction``
    ``in``) or the source (``out``); ``text`` is found, in any case, in the product or in
    either store's id or name."""

    product_id: str | None = None
    store_id: str | None = None
    direction: Direction | None = None
    scope: str | None = None
    status: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Which orders; ``text`` is found, in any case, in the product, the store or the reason."""

    product_id: str | None = None
    store_id: str | None = None
    reason: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """Rows as dicts, and the key to pass for the next page (None on the last)."""

    items: list[dict[str, Any]]
    next_key: Key | None


def _contains(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _line_where(plan_id: int, where: LineFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [TransferRow.plan_id == plan_id]
    if where.product_id is not None:
        clauses.append(TransferRow.product_id == where.product_id)
    if where.store_id is not None:
        if where.direction == "in":
            clauses.append(TransferRow.to_store == where.store_id)
        elif where.direction == "out":
            clauses.append(TransferRow.from_store == where.store_id)
        else:
            store = where.store_id
            clauses.append(or_(TransferRow.from_store == store, TransferRow.to_store == store))
    if where.scope is not None:
        clauses.append(TransferRow.scope == where.scope)
    if where.status is not None:
        clauses.append(TransferRow.status == where.status)
    if where.text is not None:
        pattern = _contains(where.text)
        named = select(Store.store_id).where(Store.name.ilike(pattern, escape="\\"))
        clauses.append(
            or_(
                *(c.ilike(pattern, escape="\\") for c in
                  (TransferRow.product_id, TransferRow.from_store, TransferRow.to_store)),
                TransferRow.from_store.in_(named),
                TransferRow.to_store.in_(named),
            )
        )  # fmt: skip
    return clauses


def _order_where(plan_id: int, where: OrderFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [WarehouseOrderRow.plan_id == plan_id]
    if where.product_id is not None:
        clauses.append(WarehouseOrderRow.product_id == where.product_id)
    if where.store_id is not None:
        clauses.append(WarehouseOrderRow.store_id == where.store_id)
    if where.reason is not None:
        clauses.append(WarehouseOrderRow.reason == where.reason)
    if where.text is not None:
        pattern = _contains(where.text)
        columns = (
            WarehouseOrderRow.product_id,
            WarehouseOrderRow.store_id,
            WarehouseOrderRow.reason,
        )
        clauses.append(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    return clauses


def _keyset(
    session: Session,
    *,
    columns: Sequence[InstrumentedAttribute[Any]],
    fields: Sequence[str],
    clauses: list[ColumnElement[bool]],
    sort_column: Sortable,
    tie: InstrumentedAttribute[Any],
    sort: Sort,
    after: Key | None,
    limit: int,
) -> KeysetPage:
    """The rows after ``after`` in (sort, tie) order; ``limit + 1`` are read to know if
    another page follows."""
    alone = sort_column is tie  # sorting by the tie-breaker itself
    keys = [tie] if alone else [sort_column, tie]
    order = [k.desc() if sort.descending else k.asc() for k in keys]
    page_clauses = list(clauses)
    if after is not None:
        value, last = after
        mine = tie if alone else tuple_(sort_column, tie)
        theirs = literal(last) if alone else tuple_(literal(value), literal(last))
        page_clauses.append(mine < theirs if sort.descending else mine > theirs)
    stmt = select(*columns, sort_column, tie).where(*page_clauses)
    rows = session.execute(stmt.order_by(*order).limit(limit + 1))
    raw = rows.all()
    more = len(raw) > limit
    raw = raw[:limit]
    next_key: Key | None = None
    if more and raw:
        next_key = (raw[-1][-2], int(raw[-1][-1]))
    items = [dict(zip(fields, row[: len(fields)], strict=True)) for row in raw]
    return KeysetPage(items=items, next_key=next_key)


def count_lines(session: Session, *, plan_id: int, where: LineFilter) -> int:
    """How many of plan ``plan_id``'s lines match."""
    clauses = _line_where(plan_id, where)
    return int(session.scalar(select(func.count()).select_from(TransferRow).where(*clauses)) or 0)


def count_orders(session: Session, *, plan_id: int, where: OrderFilter) -> int:
    """How many of plan ``plan_id``'s warehouse orders match."""
    clauses = _order_where(plan_id, where)
    stmt = select(func.count()).select_from(WarehouseOrderRow).where(*clauses)
    return int(session.scalar(stmt) or 0)


def transfer_page(
    session: Session,
    *,
    plan_id: int,
    where: LineFilter,
    sort: Sort,
    after: Key | None,
    limit: int,
) -> KeysetPage:
    """One page of plan ``plan_id``'s lines (fields :data:`LINE_FIELDS`)."""
    sort_column = TRANSFER_SORTS[sort.field]
    columns = [
        TransferRow.id, TransferRow.product_id, TransferRow.from_store, TransferRow.to_store,
        TransferRow.quantity, TransferRow.distance_km, TransferRow.scope,
        TransferRow.expected_gain, TransferRow.status,
    ]  # fmt: skip
    return _keyset(
        session,
        columns=columns,
        fields=LINE_FIELDS,
        clauses=_line_where(plan_id, where),
        sort_column=sort_column,
        tie=TransferRow.seq,
        sort=sort,
        after=after,
        limit=limit,
    )


def order_page(
    session: Session,
    *,
    plan_id: int,
    where: OrderFilter,
    sort: Sort,
    after: Key | None,
    limit: int,
) -> KeysetPage:
    """One page of plan ``plan_id``'s warehouse orders (fields :data:`ORDER_FIELDS`)."""
    columns = [
        WarehouseOrderRow.id, WarehouseOrderRow.product_id, WarehouseOrderRow.store_id,
        WarehouseOrderRow.quantity, WarehouseOrderRow.reason,
    ]  # fmt: skip
    return _keyset(
        session,
        columns=columns,
        fields=ORDER_FIELDS,
        clauses=_order_where(plan_id, where),
        sort_column=ORDER_SORTS[sort.field],
        tie=WarehouseOrderRow.id,
        sort=sort,
        after=after,
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class LineTotals:
    """Lines, units and unit-km of one group of a plan's lines."""

    lines: int
    units: int
    unit_km: float


def line_totals(session: Session, *, plan_id: int) -> dict[tuple[str, str], LineTotals]:
    """Per (scope, status): lines, units and unit-km of plan ``plan_id``."""
    rows = session.execute(
        select(
            TransferRow.scope,
            TransferRow.status,
            func.count(),
            func.coalesce(func.sum(TransferRow.quantity), 0),
            func.coalesce(func.sum(TransferRow.quantity * TransferRow.distance_km), 0.0),
        )
        .where(TransferRow.plan_id == plan_id)
        .group_by(TransferRow.scope, TransferRow.status)
    ).all()
    return {
        (scope, status): LineTotals(int(n), int(units), float(km))
        for scope, status, n, units, km in rows
    }


def order_totals(session: Session, *, plan_id: int) -> dict[str, tuple[int, int]]:
    """Per reason: warehouse orders and units of plan ``plan_id``."""
    rows = session.execute(
        select(
            WarehouseOrderRow.reason,
            func.count(),
            func.coalesce(func.sum(WarehouseOrderRow.quantity), 0),
        )
        .where(WarehouseOrderRow.plan_id == plan_id)
        .group_by(WarehouseOrderRow.reason)
    ).all()
    return {reason: (int(n), int(units)) for reason, n, units in rows}


@dataclass(frozen=True, slots=True)
class Pair:
    """Lines from one store to another, summed."""

    from_store: str
    to_store: str
    lines: int
    units: int
    unit_km: float


def store_pairs(session: Session, *, plan_id: int, where: LineFilter) -> list[Pair]:
    """Plan ``plan_id``'s matching lines summed per (source, destination) store."""
    rows = session.execute(
        select(
            TransferRow.from_store,
            TransferRow.to_store,
            func.count(),
            func.sum(TransferRow.quantity),
            func.sum(TransferRow.quantity * TransferRow.distance_km),
        )
        .where(*_line_where(plan_id, where))
        .group_by(TransferRow.from_store, TransferRow.to_store)
    ).all()
    return [Pair(a, b, int(n), int(units), float(km)) for a, b, n, units, km in rows]
