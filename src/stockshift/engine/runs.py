"""Cut an input's products into runs of about N rows, each read by one task (``--engine dask``).

When the parts hold disjoint, ordered ranges of products (``stockshift demo`` writes them so:
a part per slice of products), a run is a sequence of whole parts and each task reads only
its own files. Otherwise every task reads each part that holds one of its products and
keeps those products' rows: correct on any layout, but each part is read once per run.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stockshift.io.parts import Part

Counts = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
"""A part's product ids (trimmed text) and the rows of each."""


@dataclass(frozen=True, slots=True)
class Run:
    """One task's products: the parts to read, the products to keep (None: every row), and
    the sales parts that hold some of its products."""

    parts: tuple[Part, ...]
    products: frozenset[str] | None
    rows: int
    sales: tuple[Part, ...] = ()


def cut_runs(parts: Sequence[Part], counts: Sequence[Counts], rows_per_run: int) -> list[Run]:
    """Runs in ascending ``product_id`` order (code points), about ``rows_per_run`` rows each;
    a product is never split between runs. Rows with an empty id go to the first run (the
    readers drop and count them); with no rows at all, one run reads (and checks) them."""
    return _cut(parts, counts, rows_per_run) or [Run(tuple(parts), None, 0)]


def _cut(parts: Sequence[Part], counts: Sequence[Counts], rows_per_run: int) -> list[Run]:
    spans = []
    for i, (ids, _) in enumerate(counts):
        named = ids[ids != ""]
        if len(named):
            spans.append((min(named), max(named), i))
    spans.sort()
    ordered = all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    if ordered and spans:
        return _whole_parts(parts, counts, [i for _, _, i in spans], rows_per_run)
    return _by_product(parts, counts, rows_per_run)


def _whole_parts(
    parts: Sequence[Part], counts: Sequence[Counts], order: list[int], rows_per_run: int
) -> list[Run]:
    rows = [int(c.sum()) for _, c in counts]
    # parts with no named product (empty, or only empty ids) join the first run
    unnamed = [i for i in range(len(parts)) if i not in set(order)]
    runs: list[Run] = []
    group: list[int] = list(unnamed)
    for i in order:
        group.append(i)
        if sum(rows[j] for j in group) >= rows_per_run:
            runs.append(Run(tuple(parts[j] for j in group), None, sum(rows[j] for j in group)))
            group = []
    if group:
        runs.append(Run(tuple(parts[j] for j in group), None, sum(rows[j] for j in group)))
    return runs


def _by_product(parts: Sequence[Part], counts: Sequence[Counts], rows_per_run: int) -> list[Run]:
    all_ids = np.concatenate([ids for ids, _ in counts]).astype(str)
    all_rows = np.concatenate([c for _, c in counts])
    ids, where = np.unique(all_ids, return_inverse=True)  # code-point order
    rows = np.bincount(where, weights=all_rows, minlength=len(ids)).astype(np.int64)
    # cut where the running total passes each multiple of rows_per_run
    total = np.cumsum(rows)
    cut = np.flatnonzero(np.diff(total // max(rows_per_run, 1)) > 0) + 1
    bounds = [0, *cut.tolist(), len(ids)]
    held = [set(np.asarray(i, dtype=str).tolist()) for i, _ in counts]
    runs = []
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        products = frozenset(ids[lo:hi].tolist())
        mine = tuple(p for p, h in zip(parts, held, strict=True) if not h.isdisjoint(products))
        runs.append(Run(mine, products, int(rows[lo:hi].sum())))
    return runs
