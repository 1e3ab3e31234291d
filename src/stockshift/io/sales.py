"""Daily sales (SPEC section 1): zero-filled over the file's date range, per inventory row."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.errors import InputError
from stockshift.core.types import Inventory, Sales, Stores
from stockshift.io.limits import EARLIEST_DATE, FUTURE_MARGIN_DAYS, MAX_SALES_UNITS, latest_date
from stockshift.io.tables import (
    HEADER_ROWS,
    Issues,
    RowSubset,
    Source,
    check_ids,
    id_codes,
    key_columns,
    numbers,
    read_table,
    resolve_columns,
    store_codes,
)

SALES_REQUIRED = {"date": (), "store_id": (), "product_id": (), "units": ()}


def read_sales(
    path: Source,
    stores: Stores,
    dropped: set[str],
    inventory: Inventory,
    issues: Issues,
    warnings: list[str],
    *,
    keep_days: int | None,
) -> Sales:
    """Daily sales, zero-filled over the file's whole date range, for the inventory rows."""
    label, table = read_table(path)
    cols = resolve_columns(table, label, SALES_REQUIRED, {}, issues)
    issues.raise_if_any()
    rows, txt = key_columns(table, label, cols, ("date", "store_id", "product_id"), warnings)
    sub = table.take(pa.array(rows)) if len(rows) != table.num_rows else table
    units = numbers(
        sub,
        cols["units"],
        label,
        "units",
        RowSubset(issues, rows),
        what="a number of units ≥ 0",
        maximum=MAX_SALES_UNITS,
    )
    with np.errstate(invalid="ignore"):
        neg = np.flatnonzero(units < 0)
    issues.add_rows(
        label,
        rows[neg],
        "units",
        "must be a number ≥ 0 (record returns as a stock adjustment, not negative sales)",
    )
    for column in ("store_id", "product_id"):
        check_ids(txt[column], rows, label, column, issues)
    days = _parse_dates(sub.column(cols["date"]), txt["date"], rows, label, issues)
    _check_date_range(days, txt["date"], rows, label, issues)
    s, keep = store_codes(txt["store_id"], rows, stores, dropped, label, issues, warnings)
    issues.raise_if_any()
    if len(days) == 0:
        raise InputError.single(
            label, None, None, "has no sales rows; leave the sales file out to plan on stock alone"
        )
    first_all, last_all = int(days.min()), int(days.max())
    total_days = last_all - first_all + 1
    n_keep = total_days if keep_days is None else min(keep_days, total_days)
    first = last_all - n_keep + 1
    prod_index = pd.Index(inventory.product_ids)
    p = id_codes(txt["product_id"], prod_index)
    n_s = max(len(stores), 1)
    inv_keys = inventory.product.astype(np.int64) * n_s + inventory.store
    sel = keep & (p >= 0) & (s >= 0)
    key = p[sel] * n_s + s[sel]
    row = np.searchsorted(inv_keys, key)
    row = np.minimum(row, max(len(inv_keys) - 1, 0))
    hit = (inv_keys[row] == key) if len(inv_keys) else np.zeros(len(key), bool)
    sold_any = np.zeros(len(inv_keys), dtype=bool)
    sold_any[row[hit]] = True
    d = days[sel][hit] - first
    recent = d >= 0
    flat = row[hit][recent] * n_keep + d[recent]
    matrix = np.bincount(flat, weights=units[sel][hit][recent], minlength=len(inv_keys) * n_keep)
    epoch = np.datetime64("1970-01-01", "D")
    return Sales(
        units=matrix.astype(np.float64, copy=False).reshape(len(inv_keys), n_keep),
        has_sales=sold_any,
        first_day=epoch + first,
        last_day=epoch + last_all,
        total_days=total_days,
    )


def _parse_dates(
    raw: pa.ChunkedArray,
    txt: pa.ChunkedArray,
    rows: np.ndarray[Any, Any],
    label: str,
    issues: Issues,
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Days since 1970-01-01 for ISO YYYY-MM-DD dates."""
    if pa.types.is_date(raw.type) or pa.types.is_timestamp(raw.type):
        as_days = pc.cast(pc.cast(raw, pa.date32()), pa.int32())
        return np.asarray(as_days.to_numpy(zero_copy_only=False), np.int64)
    try:
        ok = pc.all(pc.match_substring_regex(txt, r"^\d{4}-\d{2}-\d{2}$")).as_py()
        if ok is None or ok:
            return np.asarray(
                pc.cast(pc.cast(txt, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False),
                np.int64,
            )
    except pa.ArrowException:
        pass
    vals = txt.to_numpy(zero_copy_only=False)
    out = np.zeros(len(vals), dtype=np.int64)
    for i, v in enumerate(vals):
        try:
            if len(v) != 10:
                raise ValueError
            out[i] = int(np.datetime64(v, "D").astype(np.int64))
        except ValueError:
            issues.add(
                label, int(rows[i]) + HEADER_ROWS, "date", f"'{v}' is not a date in YYYY-MM-DD form"
            )
    return out


def _check_date_range(
    days: np.ndarray[Any, np.dtype[np.int64]],
    txt: pa.ChunkedArray,
    rows: np.ndarray[Any, Any],
    label: str,
    issues: Issues,
) -> None:
    """Sales dates from :data:`EARLIEST_DATE` to today plus :data:`FUTURE_MARGIN_DAYS`."""
    epoch = date(1970, 1, 1)
    low = (EARLIEST_DATE - epoch).days
    latest = latest_date()
    high = (latest - epoch).days
    early = np.flatnonzero(days < low)
    late = np.flatnonzero(days > high)
    issues.add_rows(
        label,
        rows[early],
        "date",
        f"is before {EARLIEST_DATE.isoformat()}; is the year mistyped?",
    )
    issues.add_rows(
        label,
        rows[late],
        "date",
        f"is after {latest.isoformat()} (today plus {FUTURE_MARGIN_DAYS} days); "
        "is the year mistyped?",
    )
