"""The planning snapshot as it was read before Arrow: every row a Python tuple.

Kept as the reference the fast snapshot (:func:`stockshift.db.dataset.snapshot_dataset`)
must equal, array for array, on any data (tests/db/test_snapshot.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Executable, func, select
from sqlalchemy.orm import Session

from stockshift.core.arrays import build_inventory, build_sales
from stockshift.core.types import Dataset, Sales
from stockshift.db.dataset import sales_window, stores_from_columns
from stockshift.db.models import Sale, Stock, Store


def _columns(session: Session, stmt: Executable, n: int) -> list[tuple[Any, ...]]:
    rows = session.connection().execute(stmt).fetchall()
    return list(zip(*rows, strict=True)) if rows else [()] * n


def rowwise_snapshot(session: Session, *, window: int | None, with_sales: bool = True) -> Dataset:
    stores = stores_from_columns(
        *_columns(
            session,
            select(Store.store_id, Store.name, Store.lat, Store.lon, Store.cluster, Store.capacity),
            6,
        )
    )
    store_index = pd.Index(stores.ids)
    store_ids, product_ids, on_hand, in_transit = _columns(
        session, select(Stock.store_id, Stock.product_id, Stock.on_hand, Stock.in_transit), 4
    )
    products, product = np.unique(
        np.array(product_ids, dtype=object).astype(str), return_inverse=True
    )
    inventory = build_inventory(
        stores,
        store_index.get_indexer(pd.Index(np.array(store_ids, dtype=object))).astype(np.int64),
        products.astype(object),
        product.astype(np.int64),
        np.array(on_hand, dtype=np.int64),
        np.array(in_transit, dtype=np.int64),
    )
    sales: Sales | None = None
    stored = session.execute(select(func.min(Sale.day), func.max(Sale.day))).one()
    span = (
        sales_window(None if stored[0] is None else tuple(stored), window) if with_sales else None
    )
    if span is not None and len(inventory):
        start, last = span
        days, sale_stores, sale_products, units = _columns(
            session,
            select(Sale.day, Sale.store_id, Sale.product_id, Sale.units).where(Sale.day >= start),
            4,
        )
        epoch = date(1970, 1, 1)
        sales = build_sales(
            inventory,
            len(stores),
            product=pd.Index(inventory.product_ids).get_indexer(
                pd.Index(np.array(sale_products, dtype=object))
            ),
            store=store_index.get_indexer(pd.Index(np.array(sale_stores, dtype=object))),
            day=np.array(days, dtype="datetime64[D]").astype(np.int64),
            units=np.array(units, dtype=np.float64),
            first_day=(start - epoch).days,
            last_day=(last - epoch).days,
            keep_days=window,
        )
    session.rollback()
    return Dataset(stores, inventory, sales)
