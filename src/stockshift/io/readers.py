"""Load and validate the inputs of SPEC section 1 into a :class:`Dataset`.

Every problem is collected and reported with file, row and column; nothing is returned
unless the whole input is valid. Rows with empty key fields are dropped and counted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.arrays import build_stores, inventory_in_order, rank_ids
from stockshift.core.errors import InputError
from stockshift.core.types import Dataset, Inventory, Stores
from stockshift.io.limits import MAX_CAPACITY, MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_STOCK_UNITS
from stockshift.io.sales import SalesRows, daily_frame, read_sales_rows, sales_matrix
from stockshift.io.tables import (
    HEADER_ROWS,
    Issues,
    RowSubset,
    Source,
    check_ids,
    empty_mask,
    key_columns,
    numbers,
    read_table,
    resolve_columns,
    store_codes,
    text,
    whole_numbers,
)

STORE_REQUIRED = {
    "store_id": ("store", "store_number"),
    "lat": ("latitude",),
    "lon": ("longitude", "lng"),
}
STORE_OPTIONAL: dict[str, tuple[str, ...]] = {"name": (), "cluster": (), "capacity": ()}
INV_REQUIRED = {"store_id": (), "product_id": (), "on_hand": ("stock",)}
INV_OPTIONAL: dict[str, tuple[str, ...]] = {"in_transit": ()}
PAPER_REQUIRED = {
    "product_id": (),
    "store_id": (),
    "on_hand": ("stock",),
    "lat": ("latitude",),
    "lon": ("longitude",),
}


def _check_lat_lon(
    lat: np.ndarray[Any, Any], lon: np.ndarray[Any, Any], label: str, issues: Issues
) -> None:
    with np.errstate(invalid="ignore"):
        bad_lat = np.flatnonzero(~((lat >= -90) & (lat <= 90)) & ~np.isnan(lat))
        bad_lon = np.flatnonzero(~((lon >= -180) & (lon <= 180)) & ~np.isnan(lon))
    issues.add_rows(
        label, bad_lat, "lat", "latitude must be within [-90, 90]; are lat and lon swapped?"
    )
    issues.add_rows(label, bad_lon, "lon", "longitude must be within [-180, 180]")


def _report_duplicates(
    keys: np.ndarray[Any, Any], label: str, column: str, issues: Issues, what: str
) -> None:
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    dup = np.flatnonzero(sk[1:] == sk[:-1]) + 1
    if len(dup):
        first = order[dup - 1]
        rows = order[dup]
        for r, f in list(zip(rows, first, strict=True))[:10]:
            issues.add(
                label,
                int(r) + HEADER_ROWS,
                column,
                f"{what} repeats row {int(f) + HEADER_ROWS}; keep one row per {what}",
            )
        issues.total += max(len(rows) - 10, 0)


def read_stores(path: Source, issues: Issues, warnings: list[str]) -> tuple[Stores, set[str]]:
    """The stores file; returns the stores and the ids dropped for empty key fields."""
    label, table = read_table(path)
    cols = resolve_columns(table, label, STORE_REQUIRED, STORE_OPTIONAL, issues)
    issues.raise_if_any()
    ids = text(table, cols["store_id"])
    lat_txt, lon_txt = text(table, cols["lat"]), text(table, cols["lon"])
    no_id = empty_mask(ids)
    no_pos = (empty_mask(lat_txt) | empty_mask(lon_txt)) & ~no_id
    keep = ~(no_id | no_pos)
    dropped_ids = set(np.asarray(ids.to_numpy(zero_copy_only=False))[no_pos].tolist())
    if no_id.any():
        warnings.append(f"{label}: dropped {int(no_id.sum())} row(s) with an empty store_id")
    if no_pos.any():
        warnings.append(
            f"{label}: dropped {int(no_pos.sum())} store(s) with no lat/lon "
            "(and their inventory and sales rows)"
        )
    idx = np.flatnonzero(keep)
    sub = table.take(pa.array(idx))
    lat = numbers(
        sub, cols["lat"], label, "lat", RowSubset(issues, idx), what="a latitude in degrees"
    )
    lon = numbers(
        sub, cols["lon"], label, "lon", RowSubset(issues, idx), what="a longitude in degrees"
    )
    _check_lat_lon_rows(lat, lon, idx, label, issues)
    id_arr = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)[idx]
    check_ids(ids.take(pa.array(idx)), idx, label, "store_id", issues)
    _report_duplicates(id_arr.astype(str), label, "store_id", issues, "store_id")
    names = cluster = capacity = None
    if "name" in cols:
        name_txt = text(sub, cols["name"])
        check_ids(name_txt, idx, label, "name", issues, max_length=MAX_NAME_LENGTH)
        names = np.asarray(name_txt.to_numpy(zero_copy_only=False), dtype=object)
        names = np.where(names == "", id_arr, names)
    if "cluster" in cols:
        cluster_txt = text(sub, cols["cluster"])
        check_ids(cluster_txt, idx, label, "cluster", issues)
        cluster = np.asarray(cluster_txt.to_numpy(zero_copy_only=False), dtype=object)
        blank = np.flatnonzero(cluster == "")
        if len(blank) and len(blank) < len(cluster):
            issues.add_rows(
                label,
                idx[blank],
                "cluster",
                "is empty; give every store a cluster or leave the column out",
            )
        elif len(blank):
            cluster = None
    if "capacity" in cols:
        capacity = numbers(
            sub,
            cols["capacity"],
            label,
            "capacity",
            RowSubset(issues, idx),
            what="a number of units ≥ 0",
            maximum=MAX_CAPACITY,
        )
        with np.errstate(invalid="ignore"):
            negative = np.flatnonzero(capacity < 0)
        issues.add_rows(label, idx[negative], "capacity", "must be a number of units ≥ 0")
    issues.raise_if_any()
    return build_stores(id_arr, lat, lon, names, cluster, capacity), dropped_ids


def _check_lat_lon_rows(
    lat: np.ndarray[Any, Any],
    lon: np.ndarray[Any, Any],
    idx: np.ndarray[Any, Any],
    label: str,
    issues: Issues,
) -> None:
    _check_lat_lon(lat, lon, label, RowSubset(issues, idx))


def read_inventory(
    path: Source, stores: Stores, dropped: set[str], issues: Issues, warnings: list[str]
) -> Inventory:
    label, table = read_table(path)
    cols = resolve_columns(table, label, INV_REQUIRED, INV_OPTIONAL, issues)
    issues.raise_if_any()
    rows, txt = key_columns(table, label, cols, ("store_id", "product_id"), warnings)
    sub = table.take(pa.array(rows)) if len(rows) != table.num_rows else table
    on_hand = whole_numbers(
        sub, cols["on_hand"], label, "on_hand", RowSubset(issues, rows), maximum=MAX_STOCK_UNITS
    )
    in_transit = None
    if "in_transit" in cols:
        in_transit = whole_numbers(
            sub,
            cols["in_transit"],
            label,
            "in_transit",
            RowSubset(issues, rows),
            maximum=MAX_STOCK_UNITS,
        )
    _check_key_ids(txt, rows, label, issues)
    return _build_inventory(
        label,
        rows,
        txt["store_id"],
        txt["product_id"],
        on_hand,
        stores,
        dropped,
        issues,
        warnings,
        in_transit=in_transit,
    )


def _build_inventory(
    label: str,
    rows: np.ndarray[Any, Any],
    store_ids: pa.ChunkedArray,
    product_ids: pa.ChunkedArray,
    on_hand: np.ndarray[Any, Any],
    stores: Stores,
    dropped: set[str],
    issues: Issues,
    warnings: list[str],
    *,
    in_transit: np.ndarray[Any, Any] | None = None,
) -> Inventory:
    s, keep = store_codes(store_ids, rows, stores, dropped, label, issues, warnings)
    enc = pc.dictionary_encode(product_ids).combine_chunks()
    product_ids_sorted, pos = rank_ids(np.asarray(enc.dictionary.to_pylist(), dtype=object))
    p = (
        pos[np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
        if len(rows)
        else np.zeros(0, np.int64)
    )
    n_s = max(len(stores), 1)
    key = p * n_s + s
    valid = keep & (s >= 0)
    idx = np.flatnonzero(valid)
    order = idx[np.argsort(key[idx], kind="stable")]  # by (product, store); one sort serves both
    _report_duplicates_inv(key, order, rows, label, issues, stores, product_ids_sorted, p, s)
    issues.raise_if_any()
    return inventory_in_order(
        product_ids_sorted,
        p[order],
        s[order],
        on_hand[order],
        None if in_transit is None else in_transit[order],
    )


def _report_duplicates_inv(
    key: np.ndarray[Any, Any],
    order: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    label: str,
    issues: Issues,
    stores: Stores,
    products: np.ndarray[Any, Any],
    p: np.ndarray[Any, Any],
    s: np.ndarray[Any, Any],
) -> None:
    """Rows repeating a (store, product) pair; ``order`` sorts the valid rows by key."""
    sk = key[order]
    dup = np.flatnonzero(sk[1:] == sk[:-1]) + 1
    for d in dup[:10]:
        r, f = order[d], order[d - 1]
        issues.add(
            label,
            int(rows[r]) + HEADER_ROWS,
            "product_id",
            f"store '{stores.ids[s[r]]}' and product '{products[p[r]]}' repeat row "
            f"{int(rows[f]) + HEADER_ROWS}; keep one inventory row per store and product",
        )
    issues.total += max(len(dup) - 10, 0)


def _check_key_ids(
    txt: dict[str, pa.ChunkedArray], rows: np.ndarray[Any, Any], label: str, issues: Issues
) -> None:
    for column in ("store_id", "product_id"):
        check_ids(txt[column], rows, label, column, issues)


def read_paper_layout(
    path: Source, issues: Issues, warnings: list[str]
) -> tuple[Stores, Inventory]:
    """The paper's one-file layout: one row per product and store, with the store's position."""
    label, table = read_table(path)
    cols = resolve_columns(
        table, label, PAPER_REQUIRED, {"name": ("store_name",), "cluster": ()}, issues
    )
    issues.raise_if_any()
    rows, txt = key_columns(table, label, cols, ("store_id", "product_id"), warnings)
    sub = table.take(pa.array(rows)) if len(rows) != table.num_rows else table
    off = RowSubset(issues, rows)
    lat = numbers(sub, cols["lat"], label, "lat", off, what="a latitude in degrees")
    lon = numbers(sub, cols["lon"], label, "lon", off, what="a longitude in degrees")
    _check_lat_lon(lat, lon, label, off)
    on_hand = whole_numbers(sub, cols["on_hand"], label, "on_hand", off, maximum=MAX_STOCK_UNITS)
    _check_key_ids(txt, rows, label, issues)
    ids = np.asarray(txt["store_id"].to_numpy(zero_copy_only=False), dtype=object)
    frame = pd.DataFrame({"store_id": ids, "lat": lat, "lon": lon, "row": rows})
    extra = {}
    for opt in ("name", "cluster"):
        if opt in cols:
            opt_txt = text(sub, cols[opt])
            limit = MAX_NAME_LENGTH if opt == "name" else MAX_ID_LENGTH
            check_ids(opt_txt, rows, label, opt, issues, max_length=limit)
            extra[opt] = np.asarray(opt_txt.to_numpy(zero_copy_only=False), dtype=object)
            frame[opt] = extra[opt]
    first = frame.drop_duplicates("store_id")
    merged = frame.merge(
        first[["store_id", "lat", "lon", "row"]], on="store_id", suffixes=("", "_first")
    )
    moved = merged[(merged["lat"] != merged["lat_first"]) | (merged["lon"] != merged["lon_first"])]
    for _, r in moved.head(10).iterrows():
        issues.add(
            label,
            int(r["row"]) + HEADER_ROWS,
            "lat",
            f"store '{r['store_id']}' is at ({r['lat']}, {r['lon']}) here but at "
            f"({r['lat_first']}, {r['lon_first']}) on row {int(r['row_first']) + HEADER_ROWS}; "
            "give each store one position",
        )
    issues.raise_if_any()
    cluster = first["cluster"].to_numpy() if "cluster" in first else None
    if cluster is not None and (cluster == "").all():
        cluster = None
    stores = build_stores(
        first["store_id"].to_numpy(),
        first["lat"].to_numpy(),
        first["lon"].to_numpy(),
        first["name"].to_numpy() if "name" in first else None,
        cluster,
        None,
    )
    inv = _build_inventory(
        label, rows, txt["store_id"], txt["product_id"], on_hand, stores, set(), issues, warnings
    )
    return stores, inv


def load_dataset(
    *,
    stores: Source | None = None,
    inventory: Source | None = None,
    sales: Source | None = None,
    paper: Source | None = None,
    sales_days: int | None = None,
) -> Dataset:
    """Load the three-file layout (or the paper's one file) and validate it all-or-nothing.

    ``sales_days``: how many trailing days of the sales file to keep as a matrix (None: all).
    """
    dataset, rows = _load(stores, inventory, sales, paper)
    if rows is None:
        return dataset
    matrix = sales_matrix(rows, dataset.stores, dataset.inventory, keep_days=sales_days)
    return replace(dataset, sales=matrix)


def load_for_import(
    *, stores: Source, inventory: Source, sales: Source | None = None
) -> tuple[Dataset, pd.DataFrame | None]:
    """The files checked as :func:`load_dataset` checks them (the sales file read once), and
    the sales as the database keeps them (:func:`~stockshift.io.sales.daily_frame`)."""
    dataset, rows = _load(stores, inventory, sales, None)
    if rows is None:
        return dataset, None
    return dataset, daily_frame(rows, dataset.stores)


def _load(
    stores: Source | None,
    inventory: Source | None,
    sales: Source | None,
    paper: Source | None,
) -> tuple[Dataset, SalesRows | None]:
    issues = Issues()
    warnings: list[str] = []
    if paper is not None:
        st, inv = read_paper_layout(paper, issues, warnings)
        dropped: set[str] = set()
    else:
        if stores is None or inventory is None:
            raise InputError.single(
                "command line",
                None,
                None,
                "give a stores and an inventory file, or one paper-layout file",
            )
        st, dropped = read_stores(stores, issues, warnings)
        inv = read_inventory(inventory, st, dropped, issues, warnings)
    rows = None
    if sales is not None:
        rows = read_sales_rows(sales, st, dropped, issues, warnings)
    issues.raise_if_any()
    return Dataset(st, inv, None, tuple(warnings)), rows
