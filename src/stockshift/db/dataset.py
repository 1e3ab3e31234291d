"""Master data in and out of the database: all-or-nothing replacement, snapshot for planning.

Both take and give plain data (the core's arrays, a frame of daily sales): reading and
checking files is io's (see :mod:`stockshift.service.imports`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from stockshift.core.arrays import build_inventory, build_sales, build_stores
from stockshift.core.types import Dataset, IntArray, Sales, Stores, StrArray
from stockshift.db.bulk import bulk_insert
from stockshift.db.columns import SALES, STOCK, STORE_COLUMNS, snapshot_reader
from stockshift.db.engine import begin_import, run_write
from stockshift.db.errors import ConflictError
from stockshift.db.models import (
    MOVED_LINE,
    LedgerRow,
    Product,
    Sale,
    Stock,
    Store,
    TransferRow,
)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    stores: int
    products: int
    stock_rows: int
    sales_rows: int
    units_on_hand: int
    warnings: tuple[str, ...]


def replace_master_data(
    session: Session,
    *,
    dataset: Dataset,
    sales: pd.DataFrame | None,
    key_id: int | None,
    note: str,
) -> ImportSummary:
    """Replace stores, products, stock and sales with ``dataset`` and ``sales``, all or nothing.

    Units in transit on dispatched transfers are kept, on the destination's stock row. Runs
    alone (:func:`~stockshift.db.engine.begin_import`); refuses with
    :class:`~stockshift.db.errors.ConflictError`, nothing changed, to drop a store that
    dispatched transfers still arrive at or leave from.
    """
    st, inv = dataset.stores, dataset.inventory
    stores_frame = pd.DataFrame(
        {
            "store_id": st.ids,
            "name": st.names,
            "lat": st.lat,
            "lon": st.lon,
            "cluster": st.given_cluster if st.given_cluster is not None else None,
            "capacity": st.capacity if st.capacity is not None else np.nan,
        }
    )
    if st.given_cluster is not None:
        stores_frame["cluster"] = stores_frame["cluster"].replace("", None)
    products_frame = pd.DataFrame({"product_id": inv.product_ids})
    stock_frame = pd.DataFrame(
        {
            "store_id": st.ids[inv.store],
            "product_id": inv.product_ids[inv.product],
            "on_hand": inv.on_hand.astype(np.int64),
            "in_transit": (
                np.zeros(len(inv), dtype=np.int64)
                if inv.in_transit is None
                else inv.in_transit.astype(np.int64)
            ),
        }
    )
    store_ids = set(st.ids.tolist())

    def replace() -> None:
        _refuse_dropping_open_transfers(session, store_ids)
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            # emptied in one statement, stock before sales: the order a snapshot reads them
            session.execute(text("TRUNCATE stock, sales"))
        else:
            session.execute(delete(Stock))
            session.execute(delete(Sale))
        session.execute(delete(Store))
        session.execute(delete(Product))
        bulk_insert(session, "stores", stores_frame)
        products = products_frame
        extra = _products_in_transit(session, set(inv.product_ids.tolist()))
        if extra:
            products = pd.concat([products_frame, pd.DataFrame({"product_id": extra})])
        bulk_insert(session, "products", products)
        if postgres:
            with _indexes_rebuilt(session, ("stock", "sales")):
                bulk_insert(session, "stock", stock_frame)
                if sales is not None:
                    bulk_insert(session, "sales", sales)
        else:
            # in primary-key order, so that each insert appends to the B-tree
            bulk_insert(session, "stock", stock_frame.sort_values(["store_id", "product_id"]))
            if sales is not None:
                bulk_insert(session, "sales", sales.sort_values(["store_id", "product_id", "day"]))
        _restore_in_transit(session, store_ids)
        session.add(
            LedgerRow(
                at=datetime.now(UTC),
                key_id=key_id,
                reason="import",
                note=f"{note}: {len(st)} stores, {len(inv)} stock rows, "
                f"{0 if sales is None else len(sales)} sales rows",
                on_hand_delta=0,
                in_transit_delta=0,
            )
        )

    run_write(session, replace, begin=begin_import)
    return ImportSummary(
        stores=len(st),
        products=len(inv.product_ids),
        stock_rows=len(inv),
        sales_rows=0 if sales is None else len(sales),
        units_on_hand=int(inv.on_hand.sum()),
        warnings=dataset.warnings,
    )


@contextmanager
def _indexes_rebuilt(session: Session, tables: tuple[str, ...]) -> Iterator[None]:
    """PostgreSQL: drop the indexes and key constraints of ``tables`` (emptied before), let the
    block load them, then build each index once and check each key in one pass.

    Ten million rows then load in one sequential COPY instead of ten million B-tree inserts
    and foreign-key trigger calls. The definitions are read from the catalog, so the tables
    come back exactly as the migrations made them; it all happens in the import's
    transaction, so a failure anywhere restores the tables and their indexes as they were.
    The tables stay locked (ACCESS EXCLUSIVE) until the import commits: readers of stock and
    sales wait for it rather than seeing them empty.
    """
    constraints: list[tuple[str, str, str, str]] = []
    indexes: list[tuple[str, str]] = []
    for table in tables:
        rows = session.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f') "
                "ORDER BY contype DESC, conname"
            ),
            {"t": table},
        ).all()
        constraints += [(table, str(n), str(d), str(k)) for n, d, k in rows]
        owned = {str(n) for n, _, k in rows if k in ("p", "u")}
        indexes += [
            (str(n), str(d))
            for n, d in session.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = current_schema() AND tablename = :t ORDER BY indexname"
                ),
                {"t": table},
            ).all()
            if str(n) not in owned
        ]
    for table, name, _, _ in sorted(constraints, key=lambda c: c[3] != "f"):  # keys first
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        session.execute(text(f'DROP INDEX "{name}"'))
    yield
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # sorts in memory
    for _, definition in indexes:
        session.execute(text(definition))
    for table, name, definition, _ in constraints:  # primary keys before foreign keys
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


OPEN_LISTED = 20  # open transfers named per store in a refused import's message


def _refuse_dropping_open_transfers(session: Session, stores: set[str]) -> None:
    """Refuse an import whose stores file lacks a store that dispatched transfers still
    arrive at or leave from: their units in transit would have nowhere to be received,
    and a cancel nowhere to go back to."""
    ends = session.execute(
        select(TransferRow.from_store, TransferRow.to_store).where(
            TransferRow.status == "dispatched", TransferRow.status != MOVED_LINE
        )
    ).all()
    dropped = sorted({s for pair in ends for s in pair} - stores)
    if not dropped:
        return
    lines = session.execute(
        select(TransferRow.id, TransferRow.from_store, TransferRow.to_store, TransferRow.quantity)
        .where(
            TransferRow.status == "dispatched",
            TransferRow.status != MOVED_LINE,
            or_(TransferRow.from_store.in_(dropped), TransferRow.to_store.in_(dropped)),
        )
        .order_by(TransferRow.id)
    ).all()
    problems: list[dict[str, Any]] = []
    for store in dropped:
        inbound = [(t, q) for t, _, dst, q in lines if dst == store]
        outbound = [(t, q) for t, src, _, q in lines if src == store]
        ids = sorted(t for t, _ in inbound + outbound)
        problems.append(
            {
                "store_id": store,
                "inbound": len(inbound),
                "inbound_units": sum(q for _, q in inbound),
                "outbound": len(outbound),
                "outbound_units": sum(q for _, q in outbound),
                "transfer_ids": ids[:OPEN_LISTED],
            }
        )
    named = "; ".join(
        f"{p['store_id']}: {p['inbound']} inbound ({p['inbound_units']} units), "
        f"{p['outbound']} outbound ({p['outbound_units']} units), transfers "
        + ", ".join(str(t) for t in p["transfer_ids"])
        + (" ..." if p["inbound"] + p["outbound"] > OPEN_LISTED else "")
        for p in problems[:10]
    )
    more = f" (and {len(dropped) - 10} more stores)" if len(dropped) > 10 else ""
    raise ConflictError(
        f"the stores file lacks {len(dropped)} store(s) with open transfers (dispatched, "
        f"units in transit): {named}{more}. Receive or cancel those transfers first "
        "(the dispatched transfers of those stores), or keep the stores in the file; nothing "
        "was changed",
        problems,
    )


def _open_transit(session: Session) -> list[tuple[str, str, int]]:
    """(destination, product, units) still on their way on dispatched transfers."""
    rows = session.execute(
        select(TransferRow.to_store, TransferRow.product_id, func.sum(TransferRow.quantity))
        .where(TransferRow.status == "dispatched", TransferRow.status != MOVED_LINE)
        .group_by(TransferRow.to_store, TransferRow.product_id)
    ).all()
    return [(str(s), str(p), int(q)) for s, p, q in rows]


def _products_in_transit(session: Session, known: set[str]) -> list[str]:
    return sorted({p for _, p, _ in _open_transit(session)} - known)


def _restore_in_transit(session: Session, stores: set[str]) -> None:
    """Put units of dispatched transfers back in transit at their destination after a reload."""
    for store_id, product_id, units in _open_transit(session):
        if store_id not in stores:
            continue
        row = session.get(Stock, (store_id, product_id))
        if row is None:
            session.add(
                Stock(store_id=store_id, product_id=product_id, on_hand=0, in_transit=units)
            )
        else:
            row.in_transit += units  # on top of the file's own in_transit, if it had one
    session.flush()


def stores_from_columns(
    ids: Sequence[Any],
    names: Sequence[Any],
    lat: Sequence[Any],
    lon: Sequence[Any],
    cluster: Sequence[Any],
    capacity: Sequence[Any],
) -> Stores:
    """The stores table's columns (a few thousand values each) as the core's Stores: a
    store without a name is named by its id, and clusters and capacities count only when
    some store has one."""
    id_arr = np.array(ids, dtype=object)
    blank = np.array([n is None or n == "" for n in names], dtype=bool)
    return build_stores(
        id_arr,
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.where(blank, id_arr, np.array(names, dtype=object)),
        np.array(cluster, dtype=object) if any(c not in (None, "") for c in cluster) else None,
        np.array(capacity, dtype=np.float64) if any(c is not None for c in capacity) else None,
    )


def _codes(column: pa.ChunkedArray, values: StrArray) -> IntArray:
    """Position of each id of a dictionary ``column`` in ``values`` (-1 where absent).

    Looked up once per distinct id (the dictionary), not once per row."""
    known = pa.array(values.astype(str), type=pa.string())
    parts = [
        pc.index_in(chunk.dictionary, value_set=known)
        .fill_null(-1)
        .to_numpy(zero_copy_only=False)
        .astype(np.int64)[chunk.indices.to_numpy(zero_copy_only=False)]
        for chunk in column.chunks
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def snapshot_dataset(
    session: Session,
    *,
    window: int | None,
    with_sales: bool = True,
    on_stores: Callable[[Stores], object] | None = None,
) -> Dataset:
    """The database's stores, stock and the last ``window`` days of sales, as a Dataset.

    Read in one read transaction (:func:`~stockshift.db.columns.snapshot_reader`), so the
    plan sees the stock as it was when it started. The sales window starts on the same day
    the sales file's would, so a plan from the database equals ``stockshift plan`` on the
    same data. The rows were checked when they were written, so they go straight into the
    core's arrays: stock and sales arrive as Arrow columns, never as a Python object per row.
    ``on_stores`` is given the stores as soon as they are read, before the stock and sales.
    """
    with snapshot_reader(session) as reader:
        stores = stores_from_columns(*_transposed(reader.stores(), len(STORE_COLUMNS)))
        if on_stores is not None:
            on_stores(stores)
        stock = reader.table(STOCK)
        product_column = stock.column("product_id")
        distinct = pc.unique(
            pa.chunked_array([c.dictionary for c in product_column.chunks], pa.string())
        )
        products = np.sort(distinct.to_numpy(zero_copy_only=False).astype(str)).astype(object)
        inventory = build_inventory(
            stores,
            _codes(stock.column("store_id"), stores.ids),
            products,
            _codes(product_column, products),
            _integers(stock.column("on_hand")),
            _integers(stock.column("in_transit")),
        )
        del stock, product_column
        sales: Sales | None = None
        span = sales_window(reader.span(), window) if with_sales else None
        if span is not None and len(inventory):
            start, last = span
            sold = reader.table(SALES, since=start)
            epoch = date(1970, 1, 1)
            sales = build_sales(
                inventory,
                len(stores),
                product=_codes(sold.column("product_id"), inventory.product_ids),
                store=_codes(sold.column("store_id"), stores.ids),
                day=_integers(sold.column("day")),
                units=sold.column("units").to_numpy().astype(np.float64, copy=False),
                first_day=(start - epoch).days,
                last_day=(last - epoch).days,
                keep_days=window,
            )
    return Dataset(stores, inventory, sales)


def _transposed(rows: list[tuple[Any, ...]], n: int) -> list[tuple[Any, ...]]:
    return list(zip(*rows, strict=True)) if rows else [()] * n


def sales_window(span: tuple[date, date] | None, window: int | None) -> tuple[date, date] | None:
    """The first and last sales day a plan reads, of the stored history ``span`` (first and
    last day, None without sales): its last ``window`` days, all of it without a window."""
    if span is None:
        return None
    first, last = span
    return (max(first, last - timedelta(days=window - 1)) if window else first), last


def _integers(column: pa.ChunkedArray) -> IntArray:
    values: IntArray = column.to_numpy().astype(np.int64)
    return values
