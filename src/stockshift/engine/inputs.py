"""The inputs of ``--engine dask``, read where they are needed.

The client reads the stores and asks the workers to count each inventory part's products
and check each sales part, then cuts the products into runs (:func:`scan_inputs`); a task
reads and checks only its run's rows (:func:`read_run`), as one process reads the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.errors import InputError
from stockshift.core.types import Dataset, Stores
from stockshift.engine.runs import Counts, Run, cut_runs
from stockshift.io.parts import Part, list_parts, product_counts, read_part, read_rows
from stockshift.io.readers import read_inventory, read_stores
from stockshift.io.sales import SalesRows, read_sales_rows, sales_days_range, sales_matrix
from stockshift.io.tables import Issues


@dataclass(frozen=True, slots=True)
class Source:
    """What a task needs to read its run: the stores (read by the client), the ids of the
    stores dropped from them, how messages name the inventory and sales, and the sales'
    first and last day (the same columns in every run's sales matrix)."""

    stores: Stores
    dropped: frozenset[str]
    inventory_label: str
    sales_label: str | None
    sales_days: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Scan:
    """The inputs scanned: how to read them, the runs of products, the sales parts' warnings."""

    source: Source
    runs: list[Run]
    sales_warnings: tuple[str, ...]


def read_stores_file(stores: str, warnings: list[str]) -> tuple[Stores, frozenset[str]]:
    """The stores (file, first part of a folder, or URL), read here; and the dropped ids."""
    parts = list_parts(stores)
    st, dropped = read_stores((parts[0].label, read_part(parts[0])), Issues(), warnings)
    return st, frozenset(dropped)


def scan_inputs(
    client: Any,
    stores: Stores,
    dropped: frozenset[str],
    *,
    inventory: str,
    sales: str | None,
    rows_per_task: int,
) -> Scan:
    """Runs of about ``rows_per_task`` inventory rows, in product order, each with the sales
    parts that hold its products; every sales part is checked whole, on a worker."""
    inv_parts = list_parts(inventory)
    counted = client.gather(client.map(product_counts, inv_parts, pure=False))
    runs = cut_runs(inv_parts, counted, rows_per_task)
    days = sales_label = None
    warnings: list[str] = []
    if sales is not None:
        sales_parts = list_parts(sales)
        sales_label = _label(sales, sales_parts)
        ranges = client.gather(
            client.map(_sales_range, sales_parts, stores=stores, dropped=dropped, pure=False)
        )
        spans = [r[0] for r in ranges if r[0] is not None]
        if not spans:
            raise InputError.single(
                sales_label, None, None,
                "has no sales rows; leave the sales file out to plan on stock alone",
            )  # fmt: skip
        days = (min(a for a, _ in spans), max(b for _, b in spans))
        runs = _with_sales(runs, counted, inv_parts, sales_parts, [r[2] for r in ranges])
        warnings = [w for r in ranges for w in r[1]]
    source = Source(stores, dropped, _label(inventory, inv_parts), sales_label, days)
    return Scan(source, runs, tuple(warnings))


def read_run(source: Source, run: Run, keep_days: int | None) -> tuple[Dataset, tuple[str, ...]]:
    """On a worker: one run's inventory and sales rows, checked; (its dataset, warnings).

    ``keep_days``: the trailing days of sales kept as the matrix (None: every day)."""
    stores = source.stores
    rows = read_rows(source.inventory_label, run.parts, run.products)
    warnings: list[str] = []
    inventory = read_inventory(
        (rows.label, rows.table), stores, set(source.dropped), rows.issues, warnings
    )
    sales = None
    if source.sales_label is not None:
        wanted = frozenset(inventory.product_ids.tolist())
        found = read_rows(source.sales_label, run.sales, wanted)
        if found.table.num_rows:
            sold = read_sales_rows(
                (found.label, found.table), stores, set(source.dropped), found.issues, []
            )
        else:
            no = np.zeros(0, dtype=np.int64)
            sold = SalesRows(no, pa.chunked_array([], pa.string()), no, no.astype(np.float64))
        sales = sales_matrix(sold, stores, inventory, keep_days=keep_days, days=source.sales_days)
    return Dataset(stores, inventory, sales), tuple(warnings)


def _sales_range(
    part: Part, stores: Stores, dropped: frozenset[str]
) -> tuple[tuple[int, int] | None, list[str], frozenset[str]]:
    """On a worker: check a sales part whole (as the single process checks the file); its
    first and last day (None: no rows), its warnings and the products it holds."""
    warnings: list[str] = []
    table = read_part(part)
    rows = read_sales_rows(
        (part.label, table), stores, set(dropped), Issues(), warnings, allow_empty=True
    )
    days = sales_days_range(rows) if len(rows.day) else None
    return days, warnings, frozenset(pc.unique(rows.product_ids).to_pylist())


def _with_sales(
    runs: list[Run],
    counted: Sequence[Counts],
    inv_parts: Sequence[Part],
    sales_parts: Sequence[Part],
    sales_products: Sequence[frozenset[str]],
) -> list[Run]:
    """Each run with the sales parts that hold one of its products (only those are read)."""
    held = {part: set(ids.tolist()) for part, (ids, _) in zip(inv_parts, counted, strict=True)}
    out = []
    for run in runs:
        products = run.products or set().union(*(held[p] for p in run.parts))
        mine = [s for s, ids in zip(sales_parts, sales_products, strict=True) if ids & products]
        out.append(replace(run, sales=tuple(mine)))
    return out


def _label(source: str, parts: Sequence[Part]) -> str:
    """How messages name an input: the file's name, or the folder's."""
    if len(parts) == 1 and parts[0].url == source:
        return parts[0].label
    return source.rstrip("/").rsplit("/", 1)[-1]
