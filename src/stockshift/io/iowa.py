"""Convert the public Iowa liquor data into stockshift's stores, inventory and sales tables.

The Iowa Alcoholic Beverages Division publishes every wholesale purchase by a licensed
retailer (data.iowa.gov datasets m3tr-qhgy, ykb6-ywnd). Those purchases are the stores'
replenishment, which stands in for demand; the data has no stock levels, so on hand is
synthesised (see :func:`synthesise_on_hand` and docs/how-to-iowa.md). What is dropped is
counted in an :class:`IowaReport`: returns (negative bottles), stores without coordinates,
sales of stores the stores file does not know, and rows outside the chosen chain, dates
and products.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from stockshift.core.errors import InputError, ParameterError
from stockshift.io.limits import EARLIEST_DATE, FUTURE_MARGIN_DAYS, MAX_SALES_UNITS, latest_date
from stockshift.io.tables import (
    Issues,
    id_codes,
    numbers,
    resolve_columns,
    strings,
    trimmed,
)

STORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "store": ("store", "store_number"),
    "name": ("name", "store_name"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon"),
}
STORE_OPTIONAL: dict[str, tuple[str, ...]] = {"city": ("city",), "zip": ("zip_code", "zip")}
SALES_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date",),
    "store": ("store_number", "store"),
    "item": ("item_number", "item"),
    "units": ("bottles_sold", "units"),
}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
US_DATE = r"^\d{1,2}/\d{1,2}/\d{4}$"


@dataclass(frozen=True, slots=True)
class IowaOptions:
    """What to keep and how to synthesise stock (``stockshift convert iowa`` flags)."""

    chain: str | None = None
    since: date | None = None
    top_products: int | None = 200
    stock_days: float = 14.0
    stock_spread: float = 0.6
    stockout: float = 0.1
    seed: int = 0


@dataclass(frozen=True, slots=True)
class IowaReport:
    """Counts of what was read, dropped and written, so a user can judge the conversion."""

    stores_in_file: int
    stores_in_chain: int
    stores_without_position: int
    stores_without_sales: int
    stores_written: int
    sales_rows_read: int
    rows_before_since: int
    rows_unknown_store: int
    rows_store_without_position: int
    rows_other_chain: int
    return_rows: int
    return_units: float
    zero_rows: int
    rows_without_item: int
    rows_other_products: int
    products_written: int
    inventory_rows: int
    sales_rows_written: int
    first_date: date
    last_date: date

    def lines(self) -> list[str]:
        """The report as short lines for a terminal."""
        return [
            f"stores: {self.stores_in_file} in the file, {self.stores_in_chain} in the chain, "
            f"{self.stores_without_position} dropped without coordinates, "
            f"{self.stores_without_sales} without kept sales, {self.stores_written} written",
            f"sales rows: {self.sales_rows_read} read, {self.rows_before_since} before --since, "
            f"{self.rows_unknown_store} of stores not in the stores file, "
            f"{self.rows_store_without_position} of stores without coordinates, "
            f"{self.rows_other_chain} of other chains",
            f"returns: {self.return_rows} negative row(s) dropped ({self.return_units:g} bottles); "
            f"{self.zero_rows} zero row(s) dropped",
            f"products: {self.products_written} kept, {self.rows_without_item} rows without an "
            f"item number and {self.rows_other_products} of other products dropped",
            f"written: {self.inventory_rows} inventory rows, {self.sales_rows_written} daily sales "
            f"rows from {self.first_date} to {self.last_date}",
        ]


@dataclass(frozen=True, slots=True)
class IowaDataset:
    stores: pd.DataFrame
    inventory: pd.DataFrame
    sales: pd.DataFrame
    report: IowaReport


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _read_csv(
    path: Path, required: Mapping[str, tuple[str, ...]], optional: Mapping[str, tuple[str, ...]]
) -> tuple[pa.Table, dict[str, str]]:
    """Read only the columns needed, ids and dates as text; CSV or .csv.gz."""
    label = path.name
    if not path.exists():
        raise InputError.single(label, None, None, f"file not found: {path}")
    try:
        header = list(
            pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema.names
        )
        issues = Issues()
        what = "stores" if "lat" in required else "daily sales"
        cols = resolve_columns(
            header,
            label,
            required,
            optional,
            issues,
            normalise=_norm,
            hint=f"; is this the Iowa {what} file?",
        )
        issues.raise_if_any()
        text_cols = [v for k, v in cols.items() if k not in ("units",)]
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(cols.values()),
                column_types={c: pa.string() for c in text_cols},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputError.single(
            label, None, None, f"cannot be read as a UTF-8 CSV with a header row: {exc}"
        ) from None
    return table, cols


def _bad_rows(label: str, rows: npt.NDArray[np.int64], column: str, message: str) -> InputError:
    issues = Issues()
    issues.add_rows(label, rows, column, message)
    return InputError(issues.items, total=issues.total)


def _days(col: pa.ChunkedArray, label: str, column: str) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 from date cells in ISO (2022-10-31) or US (10/31/2022) form."""
    if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
        days = pc.cast(pc.cast(col, pa.date32()), pa.int32())
        return np.asarray(days.to_numpy(zero_copy_only=False), dtype=np.int64)
    txt = pc.utf8_trim_whitespace(pc.fill_null(col, ""))
    iso = np.asarray(pc.match_substring_regex(txt, ISO_DATE).to_numpy(zero_copy_only=False))
    us = np.asarray(pc.match_substring_regex(txt, US_DATE).to_numpy(zero_copy_only=False))
    bad = np.flatnonzero(~(iso | us))
    if len(bad):
        raise _bad_rows(label, bad, column, "is not a date like 2022-10-31 or 10/31/2022")
    out = np.zeros(len(iso), dtype=np.int64)
    try:
        for mask, fmt in ((iso, "%Y-%m-%d"), (us, "%m/%d/%Y")):
            if mask.any():
                sel = pc.filter(txt, pa.array(mask))
                parsed = pc.cast(pc.strptime(sel, format=fmt, unit="s"), pa.date32())
                out[mask] = np.asarray(
                    pc.cast(parsed, pa.int32()).to_numpy(zero_copy_only=False), np.int64
                )
    except pa.ArrowInvalid as exc:
        raise InputError.single(label, None, column, f"has an impossible date: {exc}") from None
    _check_date_range(out, label, column)
    return out


def _check_date_range(days: npt.NDArray[np.int64], label: str, column: str) -> None:
    """The dates of docs/cli.md's limits: from 1900-01-01 to today plus a year's margin."""
    epoch = date(1970, 1, 1)
    latest = latest_date()
    outside = np.flatnonzero((days < (EARLIEST_DATE - epoch).days) | (days > (latest - epoch).days))
    if len(outside):
        raise _bad_rows(
            label,
            outside,
            column,
            f"is not from {EARLIEST_DATE.isoformat()} to {latest.isoformat()} "
            f"(today plus {FUTURE_MARGIN_DAYS} days); is the year mistyped?",
        )


@dataclass(frozen=True, slots=True)
class _Stores:
    frame: pd.DataFrame  # store_id, name, lat, lon[, city] of usable stores in the chain
    no_position: pd.Index  # ids of stores dropped for lack of coordinates
    other_chain: pd.Index  # ids of usable stores not in the chain
    in_file: int
    in_chain: int


def read_stores(path: Path, chain: str | None) -> _Stores:
    """The Iowa stores file; stores with empty coordinates are dropped (and counted)."""
    label = path.name
    table, cols = _read_csv(path, STORE_COLUMNS, STORE_OPTIONAL)
    ids = strings(table.column(cols["store"]))
    names = strings(table.column(cols["name"]))
    issues = Issues()
    where = {"lat": "a latitude in degrees", "lon": "a longitude in degrees"}
    lat, lon = (
        numbers(table, cols[c], label, cols[c], issues, what=where[c], blank_ok=True)
        for c in ("lat", "lon")
    )
    issues.raise_if_any()
    with np.errstate(invalid="ignore"):
        out_of_range = np.flatnonzero((np.abs(lat) > 90) | (np.abs(lon) > 180))
    if len(out_of_range):
        raise _bad_rows(
            label, out_of_range, cols["lat"], "coordinates out of range; are lat and lon swapped?"
        )
    empty_id = np.flatnonzero(ids == "")
    if len(empty_id):
        raise _bad_rows(label, empty_id, cols["store"], "is empty; every store needs its number")
    dup = np.flatnonzero(pd.Series(ids).duplicated().to_numpy())
    if len(dup):
        raise _bad_rows(label, dup, cols["store"], "repeats an earlier store number")
    frame = pd.DataFrame({"store_id": ids, "name": names, "lat": lat, "lon": lon})
    if "city" in cols:
        frame["city"] = strings(table.column(cols["city"]))
    if "zip" in cols:
        frame["cluster"] = zip_regions(strings(table.column(cols["zip"])), frame.get("city"))
    in_chain = np.ones(len(frame), dtype=bool)
    if chain:
        in_chain = frame["name"].str.upper().str.contains(chain.upper(), regex=False).to_numpy()
    positioned = ~(np.isnan(lat) | np.isnan(lon))
    return _Stores(
        frame=frame[in_chain & positioned].reset_index(drop=True),
        no_position=pd.Index(ids[in_chain & ~positioned]),
        other_chain=pd.Index(ids[~in_chain]),
        in_file=len(frame),
        in_chain=int(in_chain.sum()),
    )


def zip_regions(zips: npt.NDArray[Any], cities: pd.Series | None) -> npt.NDArray[Any]:
    """A business-like region per store for ``--clusters column``: the first three digits of
    its ZIP code (the postal sectional centre: "ZIP 500" is Des Moines, "ZIP 522" Cedar
    Rapids), or its city where the ZIP is not a 5-digit code, or "unknown"."""
    zip_text = pd.Series(zips, dtype=object).fillna("").astype(str).str.strip()
    valid = zip_text.str.fullmatch(r"\d{5}(-\d{4})?")
    fallback = (
        pd.Series(["unknown"] * len(zip_text), dtype=object)
        if cities is None
        else cities.reset_index(drop=True).replace("", "unknown").fillna("unknown")
    )
    out: npt.NDArray[Any] = np.where(
        valid.to_numpy(), "ZIP " + zip_text.str[:3], fallback.to_numpy(dtype=object)
    ).astype(object)
    return out


def synthesise_on_hand(
    rate: npt.NDArray[np.float64], days: float, spread: float, stockout: float, seed: int
) -> npt.NDArray[np.int64]:
    """Stock on hand where the data has none: 0 with probability ``stockout``, else
    floor(r · k · e^(σ·Z)), Z ~ N(0, 1).

    r is the row's mean bottles per calendar day over the kept window, k = ``days`` (the
    median cover) and σ = ``spread``; the lognormal factor makes some stores hold weeks of
    stock and others days, and the empty shelves are the deficits a plan must fill first.
    Seeded, in the inventory's (store, product) order, so a seed gives the same stock.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(len(rate))
    empty = rng.random(len(rate)) < stockout
    units = np.where(empty, 0.0, np.floor(rate * days * np.exp(spread * z)))
    out: npt.NDArray[np.int64] = units.astype(np.int64)
    return out


def _validate(options: IowaOptions) -> None:
    if options.top_products is not None and options.top_products < 1:
        raise ParameterError.about(
            "top_products", options.top_products, "keep at least 1 product (or leave it out)"
        )
    if not options.stock_days > 0:
        raise ParameterError.about("stock_days", options.stock_days, "must be more than 0, e.g. 14")
    if not options.stock_spread >= 0:
        raise ParameterError.about("stock_spread", options.stock_spread, "must be ≥ 0, e.g. 0.6")
    if not 0 <= options.stockout < 1:
        raise ParameterError.about(
            "stockout_share", options.stockout, "a share in [0, 1), e.g. 0.1"
        )


def convert_iowa(stores: Path, sales: Path, options: IowaOptions | None = None) -> IowaDataset:
    """The Iowa stores and daily sales files as stockshift's three tables, with a report."""
    opts = options or IowaOptions()
    _validate(opts)
    st = read_stores(stores, opts.chain)
    label = sales.name
    table, cols = _read_csv(sales, SALES_COLUMNS, {})
    n_read = table.num_rows
    day = _days(table.column(cols["date"]), label, cols["date"])
    issues = Issues()
    units = numbers(table, cols["units"], label, cols["units"], issues, what="a number of bottles")
    issues.raise_if_any()
    huge = np.flatnonzero(np.abs(units) > MAX_SALES_UNITS)
    if len(huge):
        raise _bad_rows(
            label, huge, cols["units"], f"is beyond the largest accepted, {MAX_SALES_UNITS:,}"
        )
    keep = np.ones(n_read, dtype=bool)
    before = np.zeros(n_read, dtype=bool)
    if opts.since is not None:
        since = (np.datetime64(opts.since, "D") - np.datetime64("1970-01-01", "D")).astype(int)
        before = day < since
        keep &= ~before
    store_txt = trimmed(table.column(cols["store"]))
    store = id_codes(store_txt, pd.Index(st.frame["store_id"]))
    unknown_mask = store < 0
    no_pos = keep & unknown_mask & (id_codes(store_txt, st.no_position) >= 0)
    other = keep & unknown_mask & (id_codes(store_txt, st.other_chain) >= 0)
    unknown = keep & unknown_mask & ~no_pos & ~other
    keep &= ~unknown_mask
    returns = keep & (units < 0)
    zeros = keep & (units == 0)
    keep &= units > 0
    all_items = trimmed(table.column(cols["item"]))
    blank_item = keep & np.asarray(
        pc.equal(pc.utf8_length(all_items), 0).to_numpy(zero_copy_only=False), dtype=bool
    )
    no_item = int(blank_item.sum())
    keep &= ~blank_item
    item_txt = pc.filter(all_items, pa.array(keep))
    enc = pc.dictionary_encode(item_txt).combine_chunks()
    item_ids = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    item = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    k_store, k_day, k_units = store[keep], day[keep], units[keep]
    totals = np.bincount(item, weights=k_units, minlength=len(item_ids))
    order = np.lexsort((item_ids.astype(str), -totals))  # best sellers first, ties by id
    n_top = len(item_ids) if opts.top_products is None else min(opts.top_products, len(item_ids))
    chosen = np.zeros(len(item_ids), dtype=bool)
    chosen[order[:n_top]] = True
    in_top = chosen[item] if len(item) else np.zeros(0, dtype=bool)
    frame = pd.DataFrame(
        {
            "day": k_day[in_top],
            "store": k_store[in_top],
            "item": item[in_top],
            "units": k_units[in_top],
        }
    )
    daily = frame.groupby(["day", "store", "item"], sort=True)["units"].sum().reset_index()
    if daily.empty:
        raise ParameterError(
            f"{label}: no sales rows are left after the filters (chain {opts.chain!r}, "
            f"since {opts.since}); check the chain against the stores file's names and the "
            "first day against the file's dates"
        )
    return _assemble(
        st,
        daily,
        item_ids,
        opts,
        _Counts(
            n_read=n_read,
            before=int(before.sum()),
            unknown=int(unknown.sum()),
            no_pos=int(no_pos.sum()),
            other=int(other.sum()),
            returns=int(returns.sum()),
            return_units=float(-units[returns].sum()),
            zeros=int(zeros.sum()),
            other_products=int((~in_top).sum()),
            products=n_top,
            no_item=no_item,
        ),
    )


@dataclass(frozen=True, slots=True)
class _Counts:
    n_read: int
    before: int
    unknown: int
    no_pos: int
    other: int
    returns: int
    return_units: float
    zeros: int
    other_products: int
    products: int
    no_item: int


def _assemble(
    st: _Stores, daily: pd.DataFrame, item_ids: npt.NDArray[Any], opts: IowaOptions, n: _Counts
) -> IowaDataset:
    """Stores with kept sales, one inventory row per (store, item) sold, the daily sales."""
    stores = st.frame
    first, last = int(daily["day"].min()), int(daily["day"].max())
    span = last - first + 1
    per_row = daily.groupby(["store", "item"], sort=False)["units"].sum().reset_index()
    ids = stores["store_id"].to_numpy(dtype=object)
    per_row["store_id"] = ids[per_row["store"].to_numpy()]
    per_row["product_id"] = item_ids[per_row["item"].to_numpy()]
    per_row = per_row.sort_values(["store_id", "product_id"], kind="stable").reset_index(drop=True)
    rate = per_row["units"].to_numpy(np.float64) / span
    inventory = pd.DataFrame(
        {
            "store_id": per_row["store_id"].astype(object),
            "product_id": per_row["product_id"].astype(object),
            "on_hand": synthesise_on_hand(
                rate, opts.stock_days, opts.stock_spread, opts.stockout, opts.seed
            ),
        }
    )
    epoch = np.datetime64("1970-01-01", "D")
    sales = pd.DataFrame(
        {
            "date": (epoch + daily["day"].to_numpy().astype("timedelta64[D]")).astype(
                "datetime64[s]"
            ),
            "store_id": ids[daily["store"].to_numpy()],
            "product_id": item_ids[daily["item"].to_numpy()],
            "units": daily["units"].to_numpy(np.float64),
        }
    )
    if (sales["units"] == np.floor(sales["units"])).all():
        sales["units"] = sales["units"].astype(np.int64)
    with_sales = np.zeros(len(stores), dtype=bool)
    with_sales[per_row["store"].to_numpy()] = True
    out_stores = stores[with_sales].sort_values("store_id", kind="stable").reset_index(drop=True)
    report = IowaReport(
        stores_in_file=st.in_file,
        stores_in_chain=st.in_chain,
        stores_without_position=len(st.no_position),
        stores_without_sales=int((~with_sales).sum()),
        stores_written=int(with_sales.sum()),
        sales_rows_read=n.n_read,
        rows_before_since=n.before,
        rows_unknown_store=n.unknown,
        rows_store_without_position=n.no_pos,
        rows_other_chain=n.other,
        return_rows=n.returns,
        return_units=n.return_units,
        zero_rows=n.zeros,
        rows_without_item=n.no_item,
        rows_other_products=n.other_products,
        products_written=n.products,
        inventory_rows=len(inventory),
        sales_rows_written=len(sales),
        first_date=_as_date(first),
        last_date=_as_date(last),
    )
    return IowaDataset(out_stores, inventory, sales, report)


def _as_date(days: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + days)
