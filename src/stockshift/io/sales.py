"""Daily sales (SPEC section 1): zero-filled over the file's date range, per inventory row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.arrays import build_sales
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


@dataclass(frozen=True, slots=True)
class SalesRows:
    """A checked sales file's rows: store index (-1: a store dropped for lack of a
    position), product id, day (since 1970-01-01) and units."""

    store: npt.NDArray[np.int64]
    product_ids: pa.ChunkedArray
    day: npt.NDArray[np.int64]
    units: npt.NDArray[np.float64]


def sales_matrix(
    rows: SalesRows,
    stores: Stores,
    inventory: Inventory,
    *,
    keep_days: int | None,
    days: tuple[int, int] | None = None,
) -> Sales:
    """The zero-filled daily matrix of SPEC section 3 for the inventory rows.

    ``days``: the sales file's first and last day, when ``rows`` are only some of its rows
    (a run of products of ``--engine dask``); else they are read off ``rows``.
    """
    first, last = days if days is not None else sales_days_range(rows)
    return build_sales(
        inventory,
        len(stores),
        product=id_codes(rows.product_ids, pd.Index(inventory.product_ids)),
        store=rows.store,
        day=rows.day,
        units=rows.units,
        first_day=first,
        last_day=last,
        keep_days=keep_days,
    )


def sales_days_range(rows: SalesRows) -> tuple[int, int]:
    """The first and last day of sales rows (days since 1970-01-01)."""
    return int(rows.day.min()), int(rows.day.max())


def daily_frame(rows: SalesRows, stores: Stores) -> pd.DataFrame:
    """(store_id, product_id, day, units): one row per store, product and day with units
    sold, as the database keeps them; rows of dropped stores are left out."""
    known = rows.store >= 0
    frame = pd.DataFrame(
        {
            "store_id": stores.ids[rows.store[known]],
            "product_id": np.asarray(rows.product_ids.to_numpy(zero_copy_only=False))[known],
            "day": rows.day[known],
            "units": rows.units[known],
        }
    )
    grouped = frame.groupby(["store_id", "product_id", "day"], as_index=False, sort=False)
    total = grouped["units"].sum()
    sold: pd.DataFrame = total[total["units"] > 0].reset_index(drop=True)
    sold["day"] = (np.datetime64("1970-01-01", "D") + sold["day"].to_numpy()).astype(str)
    return sold


def read_sales_rows(
    path: Source,
    stores: Stores,
    dropped: set[str],
    issues: Issues,
    warnings: list[str],
    *,
    allow_empty: bool = False,
) -> SalesRows:
    """Read and check the sales file (SPEC section 1); every problem is an issue.

    ``allow_empty``: a file without rows is no error (one part of several).
    """
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
    if len(days) == 0 and not allow_empty:
        raise InputError.single(
            label, None, None, "has no sales rows; leave the sales file out to plan on stock alone"
        )
    return SalesRows(
        store=np.where(keep, s, -1).astype(np.int64),
        product_ids=txt["product_id"],
        day=days,
        units=units,
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
