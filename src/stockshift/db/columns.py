"""The planning snapshot's tables read as Arrow columns, in one read transaction.

A snapshot is millions of rows (stock and the sales window); row-by-row reading makes a
Python object of every value (five million sales rows: twenty million objects). Here no
row becomes a Python object; ids arrive as dictionaries (a few thousand distinct strings
plus integer codes):

- PostgreSQL: the ADBC driver (``adbc-driver-postgresql``) reads
  ``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` straight into Arrow arrays, in C, on a
  connection of its own whose one transaction is ``REPEATABLE READ``: every table of the
  snapshot is read as of one moment. (psycopg's copy hands over one row per call: 3.7
  million Python calls for the demo chain's snapshot, most of the read.)
- SQLite: on the session's own connection and transaction (SQLite in WAL mode fixes what a
  transaction sees at its first read). For each range of :data:`SQLITE_CHUNK` rowids,
  ``group_concat`` joins each column's values into one text, a value a line; Arrow's C++
  CSV reader parses each. No id holds a line break (or any control character): ids and
  names are checked wherever they enter (:mod:`stockshift.io.tables`, the API). Formatting
  each row as one line (``printf`` of its fields) cost SQLite twice as much. A real is
  written as an integer when it is one (most units sold are; far cheaper than ``printf``)
  and with 17 significant digits otherwise, so every double reads back exactly. (An ADBC
  driver cannot serve SQLite: it links a second copy of SQLite into the process, and two
  copies in one process lose each other's file locks; measured, its reads did not even see
  the other copy's commits.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from stockshift.db.models import Sale, Store

ID_TYPE = pa.dictionary(pa.int32(), pa.string())
SQLITE_CHUNK = 250_000  # rows per chunk: a few MB of text per column
SEPARATOR = "\x1f"  # the CSV delimiter, in no value: each line of a column text is one field


@dataclass(frozen=True, slots=True)
class Columns:
    """Columns of a table to read, with their Arrow types, and the date column ``since``
    filters on."""

    table: str
    types: dict[str, pa.DataType]
    day: str | None = None


STOCK = Columns(
    "stock",
    {"store_id": ID_TYPE, "product_id": ID_TYPE, "on_hand": pa.int64(), "in_transit": pa.int64()},
)
SALES = Columns(
    "sales",
    {"day": pa.date32(), "store_id": ID_TYPE, "product_id": ID_TYPE, "units": pa.float64()},
    day="day",
)
STORE_COLUMNS = ("store_id", "name", "lat", "lon", "cluster", "capacity")
Rows = list[tuple[Any, ...]]


class SnapshotReader(Protocol):
    def stores(self) -> Rows:
        """The stores table (:data:`STORE_COLUMNS`), a row per store: a few thousand."""

    def span(self) -> tuple[date, date] | None:
        """The first and last sales day stored, or None without sales."""

    def table(self, columns: Columns, *, since: date | None = None) -> pa.Table:
        """Every row of ``columns.table`` (with ``day >= since`` when given), typed as
        ``columns.types``. Row order is the database's: callers index rows by their ids."""


@contextmanager
def snapshot_reader(session: Session) -> Iterator[SnapshotReader]:
    """A reader of the database ``session`` uses, in one read transaction that ends
    (rolled back: it only read) with the block."""
    if session.get_bind().dialect.name == "postgresql":
        with _postgres(session) as reader:
            yield reader
        return
    try:
        yield _Sqlite(session)
    finally:
        session.rollback()


def _empty(columns: Columns) -> pa.Table:
    return pa.table({n: pa.chunked_array([], type=t) for n, t in columns.types.items()})


class _Postgres:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def _arrow(self, sql: str) -> pa.Table:
        self._cursor.execute(sql)
        table: pa.Table = self._cursor.fetch_arrow_table()
        return table

    def stores(self) -> Rows:
        table = self._arrow(f"SELECT {', '.join(STORE_COLUMNS)} FROM stores")
        return list(zip(*(c.to_pylist() for c in table.columns), strict=True))

    def span(self) -> tuple[date, date] | None:
        row = self._arrow("SELECT min(day), max(day) FROM sales").to_pylist()[0]
        first, last = row.values()
        return None if first is None or last is None else (first, last)

    def table(self, columns: Columns, *, since: date | None = None) -> pa.Table:
        # an ISO date made here from a date, never user text
        where = (
            f" WHERE {columns.day} >= DATE '{since.isoformat()}'" if since and columns.day else ""
        )
        table = self._arrow(f"SELECT {', '.join(columns.types)} FROM {columns.table}{where}")
        if table.num_rows == 0:
            return _empty(columns)
        return pa.table(
            {
                name: pc.dictionary_encode(table.column(name)) if kind == ID_TYPE
                else table.column(name).cast(kind)
                for name, kind in columns.types.items()
            }
        )  # fmt: skip


@contextmanager
def _postgres(session: Session) -> Iterator[_Postgres]:
    import adbc_driver_postgresql.dbapi as adbc

    url = session.get_bind().engine.url.set(drivername="postgresql")
    with closing(adbc.connect(url.render_as_string(hide_password=False))) as connection:
        try:
            with closing(connection.cursor()) as cursor:
                # the driver has begun the transaction (autocommit is off): one snapshot
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield _Postgres(cursor)
        finally:
            connection.rollback()


class _Sqlite:
    def __init__(self, session: Session) -> None:
        self._session = session

    def stores(self) -> Rows:
        columns = [Store.__table__.c[name] for name in STORE_COLUMNS]
        return [tuple(r) for r in self._session.connection().execute(select(*columns))]

    def span(self) -> tuple[date, date] | None:
        first, last = self._session.execute(select(func.min(Sale.day), func.max(Sale.day))).one()
        return None if first is None or last is None else (first, last)

    def table(self, columns: Columns, *, since: date | None = None) -> pa.Table:
        def parse(block: tuple[bytes, ...]) -> pa.Table:
            parsed = {
                name: pacsv.read_csv(
                    io.BytesIO(lines),
                    read_options=pacsv.ReadOptions(column_names=[name]),
                    # a value a line: an empty line is an empty value, not a missing row
                    parse_options=pacsv.ParseOptions(
                        delimiter=SEPARATOR, quote_char=False, ignore_empty_lines=False
                    ),
                    convert_options=pacsv.ConvertOptions(column_types={name: kind}),
                ).column(0)
                for (name, kind), lines in zip(columns.types.items(), block, strict=True)
            }
            if len({len(c) for c in parsed.values()}) != 1:
                raise RuntimeError(f"{columns.table}: its columns read back unequal")
            return pa.table(parsed)

        # SQLite formats the next chunk while Arrow parses this one (both let go of the GIL)
        with ThreadPoolExecutor(max_workers=1) as pool:
            parsed = [pool.submit(parse, block) for block in self._blocks(columns, since)]
            tables = [p.result() for p in parsed]
        return pa.concat_tables(tables) if tables else _empty(columns)

    def _blocks(self, columns: Columns, since: date | None) -> Iterator[tuple[bytes, ...]]:
        """Each column of the next :data:`SQLITE_CHUNK` rows (by rowid) as one text, a
        value a line. Every column is NOT NULL, so each text has a line for every row."""
        conn = self._session.connection()
        texts = ", ".join(
            f"CAST(group_concat({_sqlite_field(n, t)}, '\n') AS BLOB)"
            for n, t in columns.types.items()
        )
        # "+day" keeps SQLite from walking the date index, one row lookup per sale (twice
        # the cost of formatting it): a row outside the window costs only its scan
        where = f" AND +{columns.day} >= :since" if since is not None and columns.day else ""
        rows = f"FROM {columns.table} WHERE rowid > :after"
        # a chunk's last rowid, found by walking the rowid B-tree (no row is read), so
        # that the formatting query is one aggregate over a rowid range: through a
        # subquery ordered by rowid and limited it cost SQLite half again as much
        bound = f"SELECT rowid {rows} ORDER BY rowid LIMIT 1 OFFSET {SQLITE_CHUNK - 1}"
        sql = f"SELECT {texts} {rows} AND rowid <= :last{where}"
        after, most = -(2**63), 2**63 - 1
        values: dict[str, Any] = {"since": since.isoformat()} if where and since else {}
        while after < most:
            last = conn.execute(text(bound), {"after": after}).scalar()
            last = most if last is None else int(last)
            block = conn.execute(text(sql), {**values, "after": after, "last": last}).one()
            after = last
            if block[0] is not None:
                yield tuple(bytes(b) for b in block)


def _sqlite_field(name: str, kind: pa.DataType) -> str:
    if not pa.types.is_floating(kind):
        return name
    whole = f"CAST({name} AS INTEGER)"
    return f"iif({name} = {whole}, {whole}, printf('%!.17g', {name}))"
