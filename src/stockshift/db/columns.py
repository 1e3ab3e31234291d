"""Whole tables read as Arrow columns: the planning snapshot's millions of rows.

Row-by-row reading makes a Python object of every value (five million sales rows: twenty
million objects, most of ``db plan``'s time). Here the database writes the rows as text in
bulk and Arrow's C++ CSV reader parses them, ids as dictionaries (a few thousand distinct
strings plus integer codes):

- PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` through psycopg's copy.
- SQLite: ``group_concat`` of each row's fields, in chunks of :data:`SQLITE_CHUNK` rows by
  rowid (a string of SQLite's own making, far below its one-gigabyte limit). Fields are
  separated by the unit separator (0x1f), which no id holds: ids and names are checked to
  hold no control character wherever they enter (:mod:`stockshift.io.tables`, the API).
  Reals are written with 17 significant digits, so every double reads back exactly.

Both run on the session's connection, inside its transaction, so a snapshot made of
several tables is consistent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy.orm import Session

ID_TYPE = pa.dictionary(pa.int32(), pa.string())
SQLITE_CHUNK = 1_000_000  # rows per group_concat string (about 30 MB)
SEPARATOR = "\x1f"


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


def read_table(session: Session, columns: Columns, *, since: date | None = None) -> pa.Table:
    """Every row of ``columns.table`` (with ``day >= since`` when given) as an Arrow table.

    Row order is the database's; callers index rows by their ids, never by position.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        blocks = [_postgres_csv(session, columns, since)]
        parse = pacsv.ParseOptions()
    else:
        blocks = list(_sqlite_csv(session, columns, since))
        parse = pacsv.ParseOptions(delimiter=SEPARATOR, quote_char=False)
    names = list(columns.types)
    tables = [
        pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(column_types=columns.types),
        )
        for block in blocks
        if block
    ]
    if not tables:
        return pa.table({n: pa.chunked_array([], type=t) for n, t in columns.types.items()})
    return pa.concat_tables(tables)


def _postgres_csv(session: Session, columns: Columns, since: date | None) -> bytes:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    where = f" WHERE {columns.day} >= %s" if since is not None and columns.day else ""
    select = f"SELECT {', '.join(columns.types)} FROM {columns.table}{where}"
    sql = f"COPY ({select}) TO STDOUT (FORMAT csv)"
    buffer = io.BytesIO()
    with raw.cursor() as cur, cur.copy(sql, (since,) if where else None) as copy:
        for block in copy:
            buffer.write(block)
    return buffer.getvalue()


def _sqlite_field(name: str, kind: pa.DataType) -> str:
    return f"printf('%!.17g', {name})" if pa.types.is_floating(kind) else name


def _sqlite_csv(session: Session, columns: Columns, since: date | None) -> list[bytes]:
    conn = session.connection()
    line = " || char(31) || ".join(_sqlite_field(n, t) for n, t in columns.types.items())
    # "+day" keeps SQLite from walking the date index: chunks go by rowid, in rowid order
    where = f" AND +{columns.day} >= ?" if since is not None and columns.day else ""
    sql = (
        f"SELECT group_concat(line, char(10)), max(rid) FROM (SELECT rowid AS rid, {line} AS line "
        f"FROM {columns.table} WHERE rowid > ?{where} ORDER BY rowid LIMIT {SQLITE_CHUNK})"
    )
    blocks: list[bytes] = []
    after = -(2**63)
    while True:
        params = (after, since.isoformat()) if where and since is not None else (after,)
        text, last = conn.exec_driver_sql(sql, params).one()
        if text is None:
            return blocks
        blocks.append(text.encode())
        after = last
