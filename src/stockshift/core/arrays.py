"""The core's arrays (Stores, Inventory, Sales) built from plain, already valid columns.

The file readers (io) and the database snapshot (db) both end here, so a plan on the
database equals ``stockshift plan`` on the same data by construction. Validation (rows,
columns, messages) is the caller's: these functions trust their input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray, IntArray, Inventory, Sales, Stores, StrArray

EPOCH = np.datetime64("1970-01-01", "D")


def build_stores(
    ids: npt.NDArray[Any],
    lat: npt.NDArray[Any],
    lon: npt.NDArray[Any],
    names: npt.NDArray[Any] | None = None,
    cluster: npt.NDArray[Any] | None = None,
    capacity: npt.NDArray[Any] | None = None,
) -> Stores:
    """Stores sorted by ``store_id`` (code points); a store without a name is named by its id."""
    order = np.argsort(ids.astype(str), kind="stable")
    ids_sorted = ids[order].astype(object)
    return Stores(
        ids=ids_sorted,
        lat=lat[order].astype(np.float64),
        lon=lon[order].astype(np.float64),
        names=(names[order] if names is not None else ids_sorted).astype(object),
        given_cluster=cluster[order].astype(object) if cluster is not None else None,
        capacity=capacity[order] if capacity is not None else None,
    )


def rank_ids(values: StrArray) -> tuple[StrArray, IntArray]:
    """(the distinct ``values`` sorted by code point, the sorted position of each value).

    ``values`` are distinct (a dictionary of ids), in any order.
    """
    rank = np.argsort(values.astype(str), kind="stable")
    position = np.empty(len(rank), dtype=np.int64)
    position[rank] = np.arange(len(rank))
    return values[rank], position


def inventory_in_order(
    product_ids: StrArray,
    product: IntArray,
    store: IntArray,
    on_hand: IntArray,
    in_transit: IntArray | None,
) -> Inventory:
    """The CSR inventory from rows already sorted by (product, store), one row per pair.

    ``product`` indexes the sorted ``product_ids``; products without a row are left out.
    """
    used = np.flatnonzero(np.bincount(product, minlength=len(product_ids)))
    remap = np.full(len(product_ids), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    p = remap[product]
    indptr = np.zeros(len(used) + 1, dtype=np.int64)
    np.cumsum(np.bincount(p, minlength=len(used)), out=indptr[1:])
    return Inventory(
        product_ids=product_ids[used],
        product=p.astype(np.int32),
        store=store.astype(np.int32),
        on_hand=on_hand.astype(np.int64),
        indptr=indptr,
        in_transit=None if in_transit is None else in_transit.astype(np.int64),
    )


def build_inventory(
    stores: Stores,
    store: IntArray,
    products: StrArray,
    product: IntArray,
    on_hand: IntArray,
    in_transit: IntArray | None = None,
) -> Inventory:
    """The CSR inventory from rows in any order, one per (store, product) pair.

    ``store`` indexes ``stores``; ``product`` indexes ``products``, the distinct product
    ids in any order.
    """
    product_ids, position = rank_ids(products)
    p = position[product]
    order = np.argsort(p * max(len(stores), 1) + store, kind="stable")
    return inventory_in_order(
        product_ids,
        p[order],
        store[order],
        on_hand[order],
        None if in_transit is None else in_transit[order],
    )


def build_sales(
    inventory: Inventory,
    n_stores: int,
    *,
    product: IntArray,
    store: IntArray,
    day: IntArray,
    units: FloatArray,
    first_day: int,
    last_day: int,
    keep_days: int | None,
) -> Sales:
    """Daily units per inventory row, zero-filled over the last ``keep_days`` days of
    ``first_day..last_day`` (days since 1970-01-01; all days when None).

    ``product`` indexes ``inventory.product_ids`` and ``store`` the stores; a row with -1
    in either, or whose pair has no inventory row, is left out. Units of one row and day add.
    """
    total_days = last_day - first_day + 1
    n_keep = total_days if keep_days is None else min(keep_days, total_days)
    first = last_day - n_keep + 1
    n_s = max(n_stores, 1)
    inv_keys = inventory.product.astype(np.int64) * n_s + inventory.store
    sel = (product >= 0) & (store >= 0)
    key = product[sel] * n_s + store[sel]
    row = np.searchsorted(inv_keys, key)
    row = np.minimum(row, max(len(inv_keys) - 1, 0))
    hit = (inv_keys[row] == key) if len(inv_keys) else np.zeros(len(key), bool)
    sold_any = np.zeros(len(inv_keys), dtype=bool)
    sold_any[row[hit]] = True
    d = day[sel][hit] - first
    recent = d >= 0
    flat = row[hit][recent] * n_keep + d[recent]
    matrix = np.bincount(flat, weights=units[sel][hit][recent], minlength=len(inv_keys) * n_keep)
    return Sales(
        units=matrix.astype(np.float64, copy=False).reshape(len(inv_keys), n_keep),
        has_sales=sold_any,
        first_day=EPOCH + first,
        last_day=EPOCH + last_day,
        total_days=total_days,
    )
