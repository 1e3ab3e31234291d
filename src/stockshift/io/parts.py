"""Input tables as parts: a file, a folder of Parquet parts, or an fsspec URL of either.

``--engine dask`` reads its inputs on the workers, a run of products at a time, so the
whole table is never in one process. :func:`list_parts` names the parts (on the client: a
listing, no data); :func:`product_counts` tells how many rows each part holds per product;
:func:`read_rows` reads the rows of some products from some parts as one table whose
problems are reported against the part and row they came from (:class:`PartRows`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stockshift.core.errors import InputError
from stockshift.io.tables import HEADER_ROWS, MAX_ISSUES, Issues, read_table, resolve_columns, text

PARQUET = (".parquet", ".pq")


@dataclass(frozen=True, slots=True)
class Part:
    """One file of an input: where it is (a local path or an fsspec URL) and its label in
    messages (its path inside the dataset folder, or the file's name)."""

    url: str
    label: str


def list_parts(source: str) -> list[Part]:
    """The files of ``source``: itself if it is a file, else its Parquet files, sorted."""
    fs, root = fsspec.core.url_to_fs(source)
    name = Path(root).name
    if not fs.exists(root):
        raise InputError.single(name, None, None, f"file or folder not found: {source}")
    if not fs.isdir(root):
        return [Part(source, name)]
    files = sorted(f for f in fs.find(root) if f.lower().endswith(PARQUET))
    if not files:
        raise InputError.single(
            name, None, None, f"{source} holds no Parquet files (*.parquet); give a file or a "
            "folder of Parquet parts",
        )  # fmt: skip
    protocol = source.split("://", 1)[0] + "://" if "://" in source else ""
    prefix = root.rstrip("/") + "/"
    return [Part(protocol + f if protocol else f, f.removeprefix(prefix)) for f in files]


def read_part(part: Part, columns: Sequence[str] | None = None) -> pa.Table:
    """One part as a table (CSV cells as text, as :func:`~stockshift.io.tables.read_table`);
    ``columns``: only those (any letter case) and, from Parquet, dictionary-encoded."""
    if "://" not in part.url and not part.url.lower().endswith(PARQUET):
        return read_table(Path(part.url))[1]
    fs, path = fsspec.core.url_to_fs(part.url)
    try:
        if columns is None:
            return pq.read_table(path, filesystem=fs)
        names = _present(pq.read_schema(path, filesystem=fs).names, columns)
        return pq.read_table(path, filesystem=fs, columns=names, read_dictionary=names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError.single(
            part.label, None, None, f"cannot be read as Parquet: {exc}"
        ) from None


def _present(names: Sequence[str], wanted: Sequence[str]) -> list[str]:
    lower = {n.lower(): n for n in names}
    return [lower[w.lower()] for w in wanted if w.lower() in lower]


def product_column(table: pa.Table, label: str) -> str:
    """The table's ``product_id`` column (as the readers resolve it: any letter case)."""
    issues = Issues()
    cols = resolve_columns(table, label, {"product_id": ()}, {}, issues)
    issues.raise_if_any()
    return cols["product_id"]


def product_counts(part: Part) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(the part's product ids as the readers see them, trimmed, rows of each).

    Parquet columns are read dictionary-encoded, so only each distinct id is trimmed.
    """
    table = read_part(part, ["product_id"])
    column = table.column(product_column(table, part.label))
    ids: list[np.ndarray[Any, Any]] = []
    rows: list[np.ndarray[Any, Any]] = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        values = text(pa.table({"id": chunk.dictionary}), "id").to_numpy(zero_copy_only=False)
        index = pc.fill_null(chunk.indices, len(values)).to_numpy(zero_copy_only=False)
        ids.append(np.append(np.asarray(values, dtype=object), ""))  # "" for nulls
        rows.append(np.bincount(index, minlength=len(values) + 1))
    if not ids:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({"id": np.concatenate(ids), "rows": np.concatenate(rows)})
    total = frame[frame["rows"] > 0].groupby("id", sort=False)["rows"].sum()
    return total.index.to_numpy(dtype=object), total.to_numpy(dtype=np.int64)


class PartRows(Issues):
    """Issues about a table joined from parts, reported at the part and row they came from."""

    def __init__(self, labels: list[str], starts: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]):
        super().__init__()
        self.labels, self.starts, self.rows = labels, starts, rows

    def _where(self, row: int) -> tuple[str, int]:
        i = row - HEADER_ROWS
        part = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.labels[part], int(self.rows[i]) + HEADER_ROWS

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        if row is None:
            super().add(file, row, column, message)
        else:
            super().add(*self._where(row), column, message)

    def add_rows(self, file: str, rows: np.ndarray[Any, Any], column: str, message: str) -> None:
        for r in rows[:MAX_ISSUES]:
            self.add(file, int(r) + HEADER_ROWS, column, message)
        self.total += max(len(rows) - MAX_ISSUES, 0)


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows read from parts: the joined table, its label, and where each row came from."""

    label: str
    table: pa.Table
    issues: PartRows


def read_rows(label: str, parts: Sequence[Part], products: Collection[str] | None) -> Rows:
    """The rows of ``products`` (trimmed ids; None: every row) from ``parts``, joined."""
    tables: list[pa.Table] = []
    labels: list[str] = []
    starts, rows = [0], [np.zeros(0, dtype=np.int64)]
    wanted = None if products is None else pa.array(sorted(products), pa.string())
    for part in parts:
        table = read_part(part)
        index = np.arange(table.num_rows)
        if wanted is not None:
            ids = text(table, product_column(table, part.label))
            keep = np.asarray(pc.is_in(ids, value_set=wanted).to_numpy(zero_copy_only=False))
            index = np.flatnonzero(keep)
            table = table.take(pa.array(index))
        tables.append(table)
        labels.append(part.label)
        starts.append(starts[-1] + table.num_rows)
        rows.append(index)
    joined = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    where = PartRows(labels, np.array(starts[:-1]), np.concatenate(rows))
    return Rows(label, joined, where)
