"""Write input tables (stores, inventory, sales) as CSV or Parquet files the readers accept.

Used by ``stockshift demo`` and ``stockshift convert``. Tables are written through Arrow,
which is an order of magnitude faster than pandas' CSV writer at ten million rows; id
columns held as categoricals are written as plain text, dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from stockshift.io.csvcells import neutralise_texts

FileFormat = Literal["csv", "parquet"]


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with text ids and calendar dates."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, col.type.value_type)
        if pa.types.is_large_string(col.type):
            col = pc.cast(col, pa.string())
        if pa.types.is_timestamp(col.type):
            col = pc.cast(col, pa.date32())
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def _needs_quotes(table: pa.Table) -> bool:
    """Whether any text cell holds a comma, quote or line break, or was neutralised against
    formula injection (else no quoting at all)."""
    for col in table.columns:
        if (
            pa.types.is_string(col.type)
            and pc.any(pc.match_substring_regex(col, r'[,"\r\n]|^\'')).as_py()
        ):
            return True
    return False


def _neutralised(table: pa.Table) -> pa.Table:
    """Text columns with formula-like cells quoted-prefixed (:mod:`stockshift.io.csvcells`)."""
    columns = [
        neutralise_texts(col) if pa.types.is_string(col.type) else col for col in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def write_tables(
    folder: Path, tables: dict[str, pd.DataFrame], fmt: FileFormat = "csv"
) -> list[Path]:
    """Write each table as ``folder/<name>.csv`` or ``.parquet``; all files or none.

    Every file goes to a temporary name first and is renamed only when all were written,
    so a failure (disk full, interrupted) never leaves a half-written data set behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    done: list[tuple[str, Path]] = []
    try:
        for name, frame in tables.items():
            final = folder / f"{name}.{fmt}"
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{final.name}.", suffix=".tmp")
            os.close(fd)
            done.append((tmp, final))
            table = to_arrow(frame)
            if fmt == "parquet":
                pq.write_table(table, tmp)
            else:
                table = _neutralised(table)
                style = "needed" if _needs_quotes(table) else "none"
                with open(tmp, "wb") as fh:
                    fh.write((",".join(table.column_names) + "\n").encode())
                    options = pacsv.WriteOptions(include_header=False, quoting_style=style)
                    pacsv.write_csv(table, fh, options)
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, final in done:
        os.replace(tmp, final)
    return [final for _, final in done]


def part_name(index: int) -> str:
    """``part-00000.parquet``: parts sort by name in the order they were written."""
    return f"part-{index:05d}.parquet"


def write_parts(
    folder: Path, stores: pd.DataFrame, parts: Iterable[dict[str, pd.DataFrame | None]]
) -> list[Path]:
    """Write ``folder/stores.parquet`` and each table of ``parts`` as a Parquet dataset
    ``folder/<table>/part-NNNNN.parquet``, one part at a time (memory: one part); all or none.

    Everything goes to a hidden folder beside the result, and nothing is moved into place
    until every part was written; a dataset folder of the same name is replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder, prefix=".parts-"))
    try:
        pq.write_table(to_arrow(stores), work / "stores.parquet")
        names: list[str] = []
        for index, tables in enumerate(parts):
            for name, frame in tables.items():
                if frame is None:
                    continue
                if name not in names:
                    (work / name).mkdir()
                    names.append(name)
                pq.write_table(to_arrow(frame), work / name / part_name(index))
        done = [folder / "stores.parquet"] + [folder / name for name in names]
        for path in [work / "stores.parquet", *(work / name for name in names)]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
            target = folder / path.name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(path, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return done
