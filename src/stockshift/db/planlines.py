"""One plan's lines and warehouse orders read a page at a time, filtered, sorted and summed.

A plan of a real chain has tens or hundreds of thousands of lines; a dashboard shows a
screenful. Pages are cut by keyset (the sort value and a unique tie-breaker of the last row
seen), not by offset, so every page costs the same and a walk from the first page to the
last sees every matching row exactly once, in a stable order, even while lines change
status. Indexes for these queries are in migrations 0003 and 0005.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from stockshift.db.engine import is_sqlite
from stockshift.db.linestore import of_plan, plan_span
from stockshift.db.models import (
    MOVED_LINE,
    Store,
    TransferRow,
    TransferStoreRow,
    WarehouseOrderRow,
)

Direction = Literal["in", "out"]
Key = tuple[Any, int]
Sortable = (
    ColumnElement[Any] | InstrumentedAttribute[Any]
)  # (sort value, tie-breaker) of the last row of a page

LINES = TransferRow.__table__
BY_STORE = TransferStoreRow.__table__  # SQLite's store "indexes" of lines (migration 0010)
STORE_SORTS = {"from_store": "out", "to_store": "in"}  # the direction each sort reads
ORDERS = WarehouseOrderRow.__table__
STORES = Store.__table__
GAIN = func.coalesce(LINES.c.expected_gain, -1.0)  # lines without a gain sort lowest
TRANSFER_SORTS: dict[str, Sortable] = {
    "seq": LINES.c.seq,
    "quantity": LINES.c.quantity,
    "distance_km": LINES.c.distance_km,
    "product_id": LINES.c.product_id,
    "from_store": LINES.c.from_store,
    "to_store": LINES.c.to_store,
    "expected_gain": GAIN,
    "scope": LINES.c.scope,
    "status": LINES.c.status,
}
ORDER_SORTS: dict[str, Sortable] = {
    "seq": ORDERS.c.id,
    "quantity": ORDERS.c.quantity,
    "product_id": ORDERS.c.product_id,
    "store_id": ORDERS.c.store_id,
    "reason": ORDERS.c.reason,
}
LINE_FIELDS = (
    "transfer_id", "product_id", "from_store", "to_store", "quantity", "distance_km", "scope",
    "expected_gain", "status",
)  # fmt: skip
ORDER_FIELDS = ("order_id", "product_id", "store_id", "quantity", "reason")
LINE_COLUMNS = [LINES.c[name] for name in ("id", *LINE_FIELDS[1:])]
ORDER_COLUMNS = [ORDERS.c[name] for name in ("id", *ORDER_FIELDS[1:])]


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


def _line_where(where: LineFilter, ranged: bool, sqlite: bool) -> list[ColumnElement[bool]]:
    """The conditions of ``where`` on one plan's lines, values as bound parameters
    (:func:`_line_params`), so that one statement serves every value; ``ranged``: with the
    range of the plan's line ids (PostgreSQL, :func:`stockshift.db.linestore.of_plan`);
    ``sqlite``: a store is found through ``transfer_stores`` (SQLite has no store index
    of lines)."""
    clauses: list[ColumnElement[bool]] = [LINES.c.plan_id == bindparam("plan_id")]
    if ranged:
        clauses += [LINES.c.id >= bindparam("line_first"), LINES.c.id < bindparam("line_end")]
    if where.product_id is not None:
        clauses.append(LINES.c.product_id == bindparam("product_id"))
    if where.store_id is not None:
        store: BindParameter[str] = bindparam("store_id")
        if where.direction == "in":
            clauses.append(LINES.c.to_store == store)
        elif where.direction == "out":
            clauses.append(LINES.c.from_store == store)
        else:
            clauses.append(or_(LINES.c.from_store == store, LINES.c.to_store == store))
        if sqlite:  # the store's lines by their seq, then those lines by (plan_id, seq)
            directions = ("in", "out") if where.direction is None else (where.direction,)
            seqs = select(BY_STORE.c.seq).where(
                BY_STORE.c.plan_id == bindparam("plan_id"),
                BY_STORE.c.direction.in_(directions),
                BY_STORE.c.store_id == store,
            )
            clauses.append(LINES.c.seq.in_(seqs))
    if where.scope is not None:
        clauses.append(LINES.c.scope == bindparam("scope"))
    if where.status is not None:
        clauses.append(LINES.c.status == bindparam("status"))
        if where.status != "proposed":  # lets the partial status indexes serve it
            clauses.append(LINES.c.status != MOVED_LINE)
    if where.text is not None:
        pattern: BindParameter[str] = bindparam("pattern")
        named = select(STORES.c.store_id).where(STORES.c.name.ilike(pattern, escape="\\"))
        clauses.append(
            or_(
                *(c.ilike(pattern, escape="\\") for c in
                  (LINES.c.product_id, LINES.c.from_store, LINES.c.to_store)),
                LINES.c.from_store.in_(named),
                LINES.c.to_store.in_(named),
            )
        )  # fmt: skip
    return clauses


def _line_params(session: Session, plan_id: int, where: LineFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"plan_id": plan_id}
    span = plan_span(session.connection(), plan_id)
    if span is not None:
        values |= {"line_first": span[0], "line_end": span[1]}
    values |= {"product_id": where.product_id, "store_id": where.store_id}
    values |= {"scope": where.scope, "status": where.status}
    values["pattern"] = None if where.text is None else _contains(where.text)
    return {k: v for k, v in values.items() if v is not None}


def _order_where(where: OrderFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [ORDERS.c.plan_id == bindparam("plan_id")]
    if where.product_id is not None:
        clauses.append(ORDERS.c.product_id == bindparam("product_id"))
    if where.store_id is not None:
        clauses.append(ORDERS.c.store_id == bindparam("store_id"))
    if where.reason is not None:
        clauses.append(ORDERS.c.reason == bindparam("reason"))
    if where.text is not None:
        pattern: BindParameter[str] = bindparam("pattern")
        columns = (ORDERS.c.product_id, ORDERS.c.store_id, ORDERS.c.reason)
        clauses.append(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    return clauses


def _order_params(plan_id: int, where: OrderFilter) -> dict[str, Any]:
    values = {"plan_id": plan_id, "product_id": where.product_id, "store_id": where.store_id}
    values["reason"] = where.reason
    values["pattern"] = None if where.text is None else _contains(where.text)
    return {k: v for k, v in values.items() if v is not None}


@functools.lru_cache(maxsize=1024)
def _keyset_statement(
    lines: bool,
    where: LineFilter | OrderFilter,
    sort: Sort,
    paged: bool,
    ranged: bool,
    sqlite: bool = False,
) -> Select[Any]:
    """The page query of a filter shape and sort, built once: values are bound parameters
    (``after_value``, ``after_tie``, ``limit`` and the filters'), and SQLAlchemy keeps its
    compiled form, so a page costs the query and little else. On SQLite a sort by store
    walks ``transfer_stores`` in its key order and joins each line by (plan_id, seq),
    unless a store or a product narrows the lines to a few hundred, sorted as they are."""
    source: Any = LINES if lines else ORDERS
    if lines:
        columns, clauses = LINE_COLUMNS, _line_where(where, ranged, sqlite)  # type: ignore[arg-type]
        sort_column, tie = TRANSFER_SORTS[sort.field], LINES.c.seq
        narrow = where.store_id is not None or where.product_id is not None
        if sqlite and sort.field in STORE_SORTS and not narrow:
            ends = BY_STORE.alias("ends")
            source = LINES.join(
                ends,
                (ends.c.plan_id == LINES.c.plan_id)
                & (ends.c.seq == LINES.c.seq)
                & (ends.c.direction == literal(STORE_SORTS[sort.field])),
            )
            clauses = [*clauses, ends.c.plan_id == bindparam("plan_id")]
            sort_column, tie = ends.c.store_id, ends.c.seq
    else:
        columns, clauses = ORDER_COLUMNS, _order_where(where)  # type: ignore[arg-type]
        sort_column, tie = ORDER_SORTS[sort.field], ORDERS.c.id
    alone = sort_column is tie  # sorting by the tie-breaker itself
    keys = [tie] if alone else [sort_column, tie]
    order = [k.desc() if sort.descending else k.asc() for k in keys]
    if paged:
        last: BindParameter[Any] = bindparam("after_tie")
        mine = tie if alone else tuple_(sort_column, tie)
        theirs = last if alone else tuple_(bindparam("after_value"), last)
        clauses = [*clauses, mine < theirs if sort.descending else mine > theirs]
    stmt = select(*columns, sort_column, tie).select_from(source).where(*clauses).order_by(*order)
    return stmt.limit(bindparam("limit", type_=Integer))


def _keyset(
    session: Session,
    *,
    lines: bool,
    where: LineFilter | OrderFilter,
    params: dict[str, Any],
    fields: Sequence[str],
    sort: Sort,
    after: Key | None,
    limit: int,
) -> KeysetPage:
    """The rows after ``after`` in (sort, tie) order; ``limit + 1`` are read to know if
    another page follows."""
    paged = after is not None
    stmt = _keyset_statement(
        lines, _blank(where), sort, paged, _ranged(params), lines and is_sqlite(session)
    )
    values = {**params, "limit": limit + 1}
    if after is not None:
        values |= {"after_value": after[0], "after_tie": after[1]}
    raw = session.connection().execute(stmt, values).all()
    more = len(raw) > limit
    raw = raw[:limit]
    next_key: Key | None = None
    if more and raw:
        next_key = (raw[-1][-2], int(raw[-1][-1]))
    width = len(fields)
    items = [dict(zip(fields, row[:width], strict=True)) for row in raw]
    return KeysetPage(items=items, next_key=next_key)


def _ranged(params: dict[str, Any]) -> bool:
    return "line_first" in params


def _blank(where: LineFilter | OrderFilter) -> LineFilter | OrderFilter:
    """``where`` with each value set replaced by a marker: what a statement depends on."""
    kept: dict[str, Any] = {  # direction and status change the statement itself
        k: v if k in ("direction", "status") else (None if v is None else "")
        for k, v in asdict(where).items()
    }
    return type(where)(**kept)


def count_lines(session: Session, *, plan_id: int, where: LineFilter) -> int:
    """How many of plan ``plan_id``'s lines match."""
    params = _line_params(session, plan_id, where)
    clauses = _line_where(where, _ranged(params), is_sqlite(session))
    stmt = select(func.count()).select_from(LINES).where(*clauses)
    return int(session.connection().scalar(stmt, params) or 0)


def count_orders(session: Session, *, plan_id: int, where: OrderFilter) -> int:
    """How many of plan ``plan_id``'s warehouse orders match."""
    stmt = select(func.count()).select_from(ORDERS).where(*_order_where(where))
    return int(session.connection().scalar(stmt, _order_params(plan_id, where)) or 0)


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
    return _keyset(
        session,
        lines=True,
        where=where,
        params=_line_params(session, plan_id, where),
        fields=LINE_FIELDS,
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
    return _keyset(
        session,
        lines=False,
        where=where,
        params=_order_params(plan_id, where),
        fields=ORDER_FIELDS,
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
        .where(*of_plan(session.connection(), plan_id))
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
    params = _line_params(session, plan_id, where)
    rows = session.execute(
        select(
            TransferRow.from_store,
            TransferRow.to_store,
            func.count(),
            func.sum(TransferRow.quantity),
            func.sum(TransferRow.quantity * TransferRow.distance_km),
        )
        .where(*_line_where(where, _ranged(params), is_sqlite(session)))
        .group_by(TransferRow.from_store, TransferRow.to_store),
        params,
    ).all()
    return [Pair(a, b, int(n), int(units), float(km)) for a, b, n, units, km in rows]
