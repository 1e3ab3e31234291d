"""Master data in and out of the database: all-or-nothing import, snapshot for planning.

Import validates with the same readers as ``stockshift plan`` (SPEC section 1), so a file
the CLI refuses is refused here with the same row-level messages, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Executable, delete, func, or_, select
from sqlalchemy.orm import Session

from stockshift.core.types import Dataset
from stockshift.db.bulk import bulk_insert
from stockshift.db.engine import begin_import, run_write
from stockshift.db.errors import ConflictError
from stockshift.db.models import LedgerRow, Product, Sale, Stock, Store, TransferRow
from stockshift.io.readers import load_dataset
from stockshift.io.sales import SALES_REQUIRED
from stockshift.io.tables import Issues, Source, empty_mask, read_table, resolve_columns, text


@dataclass(frozen=True, slots=True)
class ImportSummary:
    stores: int
    products: int
    stock_rows: int
    sales_rows: int
    units_on_hand: int
    warnings: tuple[str, ...]


def _sales_frame(source: Source, known_stores: set[str]) -> pd.DataFrame:
    """The sales file as (store_id, product_id, day, units), one row per key, zero days left out.

    Called only after :func:`load_dataset` accepted the file, so every value parses.
    """
    label, table = read_table(source)
    cols = resolve_columns(table, label, SALES_REQUIRED, {}, Issues())
    keys = {c: text(table, cols[c]) for c in ("date", "store_id", "product_id")}
    keep = ~(
        empty_mask(keys["date"]) | empty_mask(keys["store_id"]) | empty_mask(keys["product_id"])
    )
    units_col = table.column(cols["units"])
    units = (
        units_col.to_numpy(zero_copy_only=False)
        if pa.types.is_integer(units_col.type) or pa.types.is_floating(units_col.type)
        else text(table, cols["units"]).to_numpy(zero_copy_only=False)
    )
    frame = pd.DataFrame(
        {
            "store_id": keys["store_id"].to_numpy(zero_copy_only=False),
            "product_id": keys["product_id"].to_numpy(zero_copy_only=False),
            "day": keys["date"].to_numpy(zero_copy_only=False),
            "units": units,
        }
    )[keep]
    frame = frame[frame["store_id"].isin(known_stores)]
    frame["units"] = pd.to_numeric(frame["units"]).astype(np.float64)
    frame["day"] = pd.to_datetime(frame["day"].str.slice(0, 10), format="%Y-%m-%d").dt.strftime(
        "%Y-%m-%d"
    )
    frame = frame.groupby(["store_id", "product_id", "day"], as_index=False, sort=False)["units"]
    out = frame.sum()
    result: pd.DataFrame = out[out["units"] > 0].reset_index(drop=True)
    return result


def import_sources(
    session: Session,
    *,
    stores: Source,
    inventory: Source,
    sales: Source | None = None,
    key_id: int | None = None,
) -> ImportSummary:
    """Replace stores, products, stock and sales with the given files, all or nothing.

    Raises :class:`~stockshift.core.errors.InputError` (nothing written) when any file is bad.
    Units in transit on dispatched transfers are kept, on the destination's stock row;
    an import that drops a store such transfers arrive at or leave from is refused
    (:class:`~stockshift.db.errors.ConflictError`), as is a second import while one runs.
    """
    dataset = load_dataset(stores=stores, inventory=inventory, sales=sales, sales_days=1)
    sales_frame = (
        _sales_frame(sales, set(dataset.stores.ids.tolist())) if sales is not None else None
    )
    return replace_master_data(
        session, dataset=dataset, sales=sales_frame, key_id=key_id, note="import"
    )


def replace_master_data(
    session: Session,
    *,
    dataset: Dataset,
    sales: pd.DataFrame | None,
    key_id: int | None,
    note: str,
) -> ImportSummary:
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


OPEN_LISTED = 20  # open transfers named per store in a refused import's message


def _refuse_dropping_open_transfers(session: Session, stores: set[str]) -> None:
    """Refuse an import whose stores file lacks a store that dispatched transfers still
    arrive at or leave from: their units in transit would have nowhere to be received,
    and a cancel nowhere to go back to."""
    ends = session.execute(
        select(TransferRow.from_store, TransferRow.to_store).where(
            TransferRow.status == "dispatched"
        )
    ).all()
    dropped = sorted({s for pair in ends for s in pair} - stores)
    if not dropped:
        return
    lines = session.execute(
        select(TransferRow.id, TransferRow.from_store, TransferRow.to_store, TransferRow.quantity)
        .where(
            TransferRow.status == "dispatched",
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
        "(GET /api/v1/transfers?status=dispatched&store_id=...), or keep the stores in the "
        "file; nothing was changed",
        problems,
    )


def _open_transit(session: Session) -> list[tuple[str, str, int]]:
    """(destination, product, units) still on their way on dispatched transfers."""
    rows = session.execute(
        select(TransferRow.to_store, TransferRow.product_id, func.sum(TransferRow.quantity))
        .where(TransferRow.status == "dispatched")
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


def _stores_table(session: Session) -> pa.Table:
    rows = session.execute(
        select(Store.store_id, Store.name, Store.lat, Store.lon, Store.cluster, Store.capacity)
    ).all()
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 6
    data: dict[str, pa.Array] = {
        "store_id": pa.array(cols[0], pa.string()),
        "name": pa.array(cols[1], pa.string()),
        "lat": pa.array(cols[2], pa.float64()),
        "lon": pa.array(cols[3], pa.float64()),
    }
    if any(c is not None for c in cols[4]):
        data["cluster"] = pa.array(cols[4], pa.string())
    if any(c is not None for c in cols[5]):
        data["capacity"] = pa.array(cols[5], pa.float64())
    return pa.table(data)


def _frame(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    """Rows of a Core select as a DataFrame, column by column.

    Executed on the connection (no ORM row processing) and transposed with ``zip``: building
    a DataFrame from millions of Row objects directly makes pandas probe every row.
    """
    rows = session.connection().execute(stmt).fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame(dict(zip(columns, cols, strict=True)))


def snapshot_dataset(session: Session, *, window: int | None, with_sales: bool = True) -> Dataset:
    """The database's stores, stock and the last ``window`` days of sales, as a Dataset.

    Read in one transaction, so the plan sees the stock as it was when it started. The
    sales window starts on the same day the sales file's would, so a plan from the database
    equals ``stockshift plan`` on the same data.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    stores = _stores_table(session)
    stock = _frame(
        session,
        select(Stock.store_id, Stock.product_id, Stock.on_hand, Stock.in_transit),
        ["store_id", "product_id", "on_hand", "in_transit"],
    )
    inventory = pa.Table.from_pandas(stock, preserve_index=False)
    sales_table: pa.Table | None = None
    first, last = (
        session.execute(select(func.min(Sale.day), func.max(Sale.day))).one()
        if with_sales
        else (None, None)
    )
    if first is not None and last is not None and len(stock):
        start: date = max(first, last - timedelta(days=window - 1)) if window else first
        sales = _frame(
            session,
            select(Sale.day, Sale.store_id, Sale.product_id, Sale.units).where(Sale.day >= start),
            ["date", "store_id", "product_id", "units"],
        )
        pad = pd.DataFrame(
            {
                "date": [start],
                "store_id": [stock["store_id"].iloc[0]],
                "product_id": [stock["product_id"].iloc[0]],
                "units": [0.0],
            }
        )
        sales = pd.concat([pad, sales], ignore_index=True)
        sales["date"] = pd.to_datetime(sales["date"]).dt.strftime("%Y-%m-%d")
        sales_table = pa.Table.from_pandas(sales, preserve_index=False)
    session.rollback()
    return load_dataset(
        stores=("stores", stores),
        inventory=("inventory", inventory),
        sales=("sales", sales_table) if sales_table is not None else None,
        sales_days=window if sales_table is not None else None,
    )
