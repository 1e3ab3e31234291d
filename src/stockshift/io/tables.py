"""Low-level table reading and column checks, with file/row/column-precise errors.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import gzip
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from stockshift.core.errors import InputError, InputIssue
from stockshift.core.types import Stores
from stockshift.io.csvcells import restore_texts
from stockshift.io.limits import CONTROL_CHARACTERS, MAX_ID_LENGTH

MAX_ISSUES = 20
HEADER_ROWS = 2  # data row i (0-based) is spreadsheet row i + 2


@dataclass
class Issues:
    """Collects problems across a load, so that one run lists them all (up to a cap)."""

    items: list[InputIssue] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_ISSUES:
            self.items.append(InputIssue(file, row, column, message))

    def add_rows(self, file: str, rows: np.ndarray[Any, Any], column: str, message: str) -> None:
        """One issue per offending data row (0-based indices)."""
        for r in rows[: MAX_ISSUES - len(self.items)]:
            self.items.append(InputIssue(file, int(r) + HEADER_ROWS, column, message))
        self.total += len(rows)

    def raise_if_any(self) -> None:
        if self.total:
            raise InputError(self.items, total=self.total)


Source = Path | tuple[str, pa.Table]
"""A file, or an in-memory table with the name to use in messages (the service's uploads)."""


def read_table(source: Source) -> tuple[str, pa.Table]:
    """Read CSV (optionally .gz) or Parquet; every CSV column comes in as text."""
    if isinstance(source, tuple):
        return source
    path = source
    label = path.name
    return label, _read_file(path, label)


def _read_file(path: Path, label: str) -> pa.Table:
    if not path.exists():
        raise InputError.single(label, None, None, f"file not found: {path}")
    if path.is_dir():
        return _read_parts(path, label)
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pq.read_table(path)
        header = _csv_header(path)
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        # the message names the file as given; the service's is a temporary path of its own
        reason = str(exc).replace(str(path), label).replace(str(path.parent), "")
        row = None if name.endswith((".parquet", ".pq")) else _bad_csv_row(path)
        raise InputError.single(
            label, row, None, f"cannot be read as {_kind(name)}: {reason}".strip()
        ) from None


def dataset_parts(folder: Path) -> list[Path]:
    """The Parquet parts of a dataset folder (``stockshift demo --rows-per-part``, Spark,
    Dask), in name order, subfolders included; hidden and ``_``-prefixed files skipped."""
    return sorted(
        p
        for p in folder.rglob("*.parquet")
        if p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )


def _read_parts(folder: Path, label: str) -> pa.Table:
    """A folder of Parquet parts as one table, rows in part order (row numbers in messages
    count across the parts in that order)."""
    parts = dataset_parts(folder)
    if not parts:
        raise InputError.single(
            label + "/", None, None, "is a folder with no .parquet parts; give a file or a "
            "folder of Parquet parts (such as stockshift demo --rows-per-part writes)",
        )  # fmt: skip
    tables = []
    for part in parts:
        try:
            tables.append(pq.read_table(part))
        except (pa.ArrowInvalid, OSError) as exc:
            shown = f"{label}/{part.relative_to(folder)}"
            raise InputError.single(
                shown, None, None, f"cannot be read as Parquet: {exc}".replace(str(part), shown)
            ) from None
    first = tables[0].schema
    for part, table in zip(parts, tables, strict=True):
        if not table.schema.equals(first):
            raise InputError.single(
                f"{label}/{part.relative_to(folder)}", None, None,
                f"has columns {_columns(table.schema)}, but {parts[0].relative_to(folder)} "
                f"has {_columns(first)}: the parts of one dataset must share their columns",
            )  # fmt: skip
    return pa.concat_tables(tables)


def _columns(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name} ({f.type})" for f in schema)


def _bad_csv_row(path: Path) -> int | None:
    """The spreadsheet row (header = 1) of the first line that is not UTF-8 or has another
    number of fields than the header; None when the fault is elsewhere (read on error only)."""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as raw:
            reader = csv.reader(line.decode("utf-8") for line in raw)
            columns: int | None = None
            try:
                for fields in reader:
                    if columns is None:
                        columns = len(fields)
                    elif fields and len(fields) != columns:
                        return reader.line_num
            except UnicodeDecodeError:
                return reader.line_num + 1
            except csv.Error:
                return reader.line_num
    except (OSError, EOFError):
        return None
    return None


def _kind(name: str) -> str:
    return "Parquet" if name.endswith((".parquet", ".pq")) else "UTF-8 CSV with a header row"


def _csv_header(path: Path) -> list[str]:
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 16),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=False),
    )
    return list(reader.schema.names)


def _lower(name: str) -> str:
    return name.strip().lower()


def resolve_columns(
    table: pa.Table | Sequence[str],
    label: str,
    required: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]],
    issues: Issues,
    *,
    normalise: Callable[[str], str] = _lower,
    hint: str = "",
) -> dict[str, str]:
    """Map canonical column names to the file's (accepting aliases, any case).

    ``table``: the table or just its header; ``normalise`` makes a header name comparable to
    the aliases; ``hint`` ends the message of a missing column.
    """
    names = table.column_names if isinstance(table, pa.Table) else list(table)
    present = {normalise(c): c for c in names}
    found: dict[str, str] = {}
    for canon, aliases in {**required, **optional}.items():
        for alias in (canon, *aliases):
            if alias in present:
                found[canon] = present[alias]
                break
    missing = [c for c in required if c not in found]
    for c in missing:
        others = [a for a in required[c] if a != c]
        alias_note = f" (or {', '.join(others)})" if others else ""
        issues.add(
            label,
            1,
            c,
            f"required column '{c}'{alias_note} is missing; the header has: "
            + ", ".join(names)
            + hint,
        )
    return found


def text(table: pa.Table, column: str) -> pa.ChunkedArray:
    """A column as trimmed text, nulls as empty strings."""
    return trimmed(table.column(column))


def strings(col: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.object_]]:
    """A column as trimmed Python strings (an object array), nulls as empty strings."""
    return np.asarray(trimmed(col).to_numpy(zero_copy_only=False), dtype=object)


def trimmed(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text of any column, nulls as empty strings; whole floats (501.0) as ``501``.

    A cell stockshift neutralised against formula injection on export (``'=x``, see
    :mod:`stockshift.io.csvcells`) reads back as it was (``=x``).
    """
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        if pa.types.is_floating(col.type):
            # ids stored as floats (e.g. 501.0) come back as "501"
            as_int = pc.cast(col, pa.int64(), safe=False)
            exact = pc.equal(pc.cast(as_int, pa.float64(), safe=False), col)
            col = pc.if_else(exact, pc.cast(as_int, pa.string()), pc.cast(col, pa.string()))
        else:
            col = pc.cast(col, pa.string())
    col = pc.fill_null(col, "")
    return restore_texts(pc.utf8_trim_whitespace(col))


def empty_mask(col: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(pc.equal(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False), bool)


NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""The number forms accepted in text cells: ``12``, ``-3.5``, ``.5``, ``1.2e3``; no thousands
separators, no ``nan`` or ``inf``."""


def _shown(value: str) -> str:
    return f"'{value}'" if value else "empty"


def numbers(
    table: pa.Table,
    column: str,
    label: str,
    canon: str,
    issues: Issues,
    *,
    what: str,
    maximum: float | None = None,
    blank_ok: bool = False,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A numeric column as float64; empty, unparseable and non-finite cells are reported by row.

    Reported cells come back as NaN, so later range checks can skip them. ``maximum``: the
    largest value accepted (see :mod:`stockshift.io.limits`); ``blank_ok``: empty cells are
    NaN, not an issue.
    """
    col = table.column(column)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        null = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
        out = np.array(col.to_numpy(zero_copy_only=False), dtype=np.float64)
        if not blank_ok:
            issues.add_rows(label, np.flatnonzero(null), canon, f"is empty; expected {what}")
        bad = np.flatnonzero(~np.isfinite(out) & ~null)
        issues.add_rows(label, bad, canon, f"is not a finite number; expected {what}")
        out[bad] = np.nan
    else:
        out = _parse_numbers(text(table, column), label, canon, issues, what, blank_ok)
    if maximum is not None:
        with np.errstate(invalid="ignore"):
            big = np.flatnonzero(out > maximum)
        issues.add_rows(label, big, canon, f"is above the largest accepted, {maximum:,.0f} units")
        out[big] = np.nan
    return out


def _parse_numbers(
    txt: pa.ChunkedArray, label: str, canon: str, issues: Issues, what: str, blank_ok: bool
) -> np.ndarray[Any, np.dtype[np.float64]]:
    try:
        out = np.array(pc.cast(txt, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except pa.ArrowException:
        values = txt.to_numpy(zero_copy_only=False)
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            if NUMBER.fullmatch(v) and math.isfinite(f := float(v)):
                out[i] = f
            elif not (blank_ok and v == ""):
                issues.add(label, i + HEADER_ROWS, canon, f"is {_shown(v)}; expected {what}")
        return out
    bad = np.flatnonzero(~np.isfinite(out))  # nan, inf, 1e400
    if len(bad):
        shown = txt.take(pa.array(bad)).to_pylist()
        for j, v in zip(bad.tolist(), shown, strict=True):
            issues.add(label, j + HEADER_ROWS, canon, f"is {_shown(v)}; expected {what}")
        out[bad] = np.nan
    return out


def whole_numbers(
    table: pa.Table, column: str, label: str, canon: str, issues: Issues, *, maximum: int
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """A column of whole numbers 0..``maximum`` as int64, read exactly (never through float).

    Text cells may be written ``12``, ``12.0`` or ``1.2e1``: any number form of
    :data:`NUMBER` whose value is whole. Reported cells come back as 0.
    """
    what = "a whole number of units ≥ 0"
    col = table.column(column)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        null = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
        raw = np.array(pc.fill_null(col, 0).to_numpy(zero_copy_only=False))
        issues.add_rows(label, np.flatnonzero(null), canon, f"is empty; expected {what}")
        if pa.types.is_floating(col.type):
            finite = np.isfinite(raw)
            issues.add_rows(
                label,
                np.flatnonzero(~finite),
                canon,
                f"is not a finite number; expected {what}",
            )
            raw = np.where(finite, raw, 0.0)
            with np.errstate(invalid="ignore"):
                frac = np.flatnonzero(raw != np.floor(raw))
            issues.add_rows(label, frac, canon, f"must be {what}")
            raw[frac] = 0
        neg = np.flatnonzero(raw < 0)
        big = np.flatnonzero(raw > maximum)
        issues.add_rows(label, neg, canon, f"must be {what}")
        issues.add_rows(label, big, canon, f"is above the largest accepted, {maximum:,} units")
        ok = (raw >= 0) & (raw <= maximum)
        return np.where(ok, raw, 0).astype(np.int64)
    txt = text(table, column)
    try:
        out = np.array(pc.cast(txt, pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    except pa.ArrowException:
        # plain digits in bulk; only the other cells (12.0, 1e3, text) one by one
        plain = np.asarray(
            pc.match_substring_regex(txt, r"^-?[0-9]{1,18}$").to_numpy(zero_copy_only=False), bool
        )
        out = np.zeros(len(plain), dtype=np.int64)
        out[plain] = pc.cast(txt.filter(pa.array(plain)), pa.int64()).to_numpy()
        other = np.flatnonzero(~plain)
        values = txt.take(pa.array(other)).to_pylist()
        for i, v in zip(other.tolist(), values, strict=True):
            number = _whole(v, maximum)
            if isinstance(number, int):
                out[i] = number
            else:
                issues.add(label, i + HEADER_ROWS, canon, number.format(v=_shown(v), what=what))
    neg = np.flatnonzero(out < 0)
    big = np.flatnonzero(out > maximum)
    issues.add_rows(label, neg, canon, f"must be {what}")
    issues.add_rows(label, big, canon, f"is above the largest accepted, {maximum:,} units")
    out[neg] = 0
    out[big] = 0
    return out


def _whole(v: str, maximum: int) -> int | str:
    """The exact value of one text cell, or a message template ({v}, {what}) saying why not."""
    if not NUMBER.fullmatch(v):
        return "is {v}; expected {what}"
    d = Decimal(v)
    if d < 0:
        return "must be {what}"
    if d > maximum:
        return f"is above the largest accepted, {maximum:,} units"
    if d != d.to_integral_value():
        return "must be {what}"
    return int(d)


def check_ids(
    txt: pa.ChunkedArray,
    rows: np.ndarray[Any, Any],
    label: str,
    canon: str,
    issues: Issues,
    *,
    max_length: int = MAX_ID_LENGTH,
) -> None:
    """Ids (and names) must fit the database column and hold no control character.

    Checked on the distinct values (ids repeat on every sales row), then mapped to rows.
    """
    if not len(txt):
        return
    enc = pc.dictionary_encode(txt).combine_chunks()
    distinct = enc.dictionary
    long = pc.greater(pc.utf8_length(distinct), max_length)
    ctrl = pc.match_substring_regex(distinct, CONTROL_CHARACTERS)
    if not pc.any(pc.or_(long, ctrl)).as_py():
        return
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
    for flags, message in (
        (long, f"is longer than {max_length} characters; shorten it"),
        (ctrl, "holds a control character (NUL, tab, line break, ...); remove it"),
    ):
        bad = np.asarray(flags.to_numpy(zero_copy_only=False), bool)
        issues.add_rows(label, rows[np.flatnonzero(bad[codes])], canon, message)


def id_codes(values: pa.ChunkedArray, universe: pd.Index) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Index of each value in ``universe`` (-1 if absent), via dictionary encoding."""
    enc = pc.dictionary_encode(values).combine_chunks()
    dict_pos = universe.get_indexer(enc.dictionary.to_pylist())
    idx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(dict_pos, dtype=np.int64)[idx] if len(idx) else idx


class RowSubset(Issues):
    """Issues whose row numbers refer to a subset of the file's rows."""

    def __init__(self, parent: Issues, rows: np.ndarray[Any, Any]) -> None:
        super().__init__()
        self.parent, self.rows = parent, rows

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        real = None if row is None else int(self.rows[row - HEADER_ROWS]) + HEADER_ROWS
        self.parent.add(file, real, column, message)

    def add_rows(self, file: str, rows: np.ndarray[Any, Any], column: str, message: str) -> None:
        self.parent.add_rows(file, self.rows[rows], column, message)


def key_columns(
    table: pa.Table, label: str, cols: dict[str, str], keys: tuple[str, ...], warnings: list[str]
) -> tuple[np.ndarray[Any, Any], dict[str, pa.ChunkedArray]]:
    """Drop rows whose key fields are empty (counted in a warning); return kept row indices."""
    txt = {k: text(table, cols[k]) for k in keys}
    empty = np.zeros(table.num_rows, dtype=bool)
    for k in keys:
        empty |= empty_mask(txt[k])
    if empty.any():
        warnings.append(
            f"{label}: dropped {int(empty.sum())} row(s) with an empty " + "/".join(keys)
        )
        keep = np.flatnonzero(~empty)
        sel = pa.array(keep)
        return keep, {k: v.take(sel) for k, v in txt.items()}
    return np.arange(table.num_rows), txt


def store_codes(
    ids: pa.ChunkedArray,
    rows: np.ndarray[Any, Any],
    stores: Stores,
    dropped: set[str],
    label: str,
    issues: Issues,
    warnings: list[str],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Store index per row; rows of stores dropped for lack of a position are dropped too."""
    s = id_codes(ids, pd.Index(stores.ids))
    unknown = np.flatnonzero(s < 0)
    keep = np.ones(len(s), dtype=bool)
    if len(unknown):
        vals = np.asarray(ids.take(pa.array(unknown)).to_numpy(zero_copy_only=False), dtype=object)
        in_dropped = np.array([v in dropped for v in vals], dtype=bool)
        keep[unknown[in_dropped]] = False
        if in_dropped.any():
            warnings.append(
                f"{label}: dropped {int(in_dropped.sum())} row(s) of stores with no lat/lon"
            )
        really = unknown[~in_dropped]
        for r, v in list(zip(really, vals[~in_dropped], strict=True))[:10]:
            issues.add(
                label,
                int(rows[r]) + HEADER_ROWS,
                "store_id",
                f"store '{v}' is not in the stores file; add it there or remove this row",
            )
        issues.total += max(len(really) - 10, 0)
    return s, keep
