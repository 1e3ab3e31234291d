"""``stockshift plan --engine dask``: the single-process plan, computed on a Dask cluster.

Products are independent but for clustering (stores only) and the global cap (SPEC section
4.4). So the client reads the stores, clusters them and computes their distances once
(:func:`~stockshift.core.pipeline.prepare_chain`) and broadcasts that to every worker; the
workers read the inventory (and sales) a run of products at a time and plan each run with
the core's code, without the cap (:func:`~stockshift.core.pipeline.plan_products`). The
client then needs only each run's line count to place the cap
(:func:`~stockshift.core.pipeline.cap_split`): the run it falls in is planned again with
it, the runs after make no line, and the runs come back, in product order, as one plan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.errors import InputError, StockshiftError
from stockshift.core.parameters import validate_parameters
from stockshift.core.pipeline import (
    Chain,
    assemble_plan,
    cap_split,
    plan_products,
    prepare_chain,
    sales_days,
)
from stockshift.core.runs import ProductsPlan, cut_off, named_rows
from stockshift.core.types import Dataset, Plan, PlanParameters, Stores
from stockshift.engine.runs import Counts, Run, cut_runs
from stockshift.io.parts import Part, list_parts, product_counts, read_part, read_rows
from stockshift.io.readers import read_inventory, read_stores
from stockshift.io.sales import SalesRows, read_sales_rows, sales_days_range, sales_matrix
from stockshift.io.tables import Issues

ROWS_PER_TASK = 2_000_000
"""Inventory rows a task plans at once, by default (a worker holds a few times their size)."""

Progress = Callable[[str], None]


class ClusterError(StockshiftError):
    """The Dask scheduler cannot be reached or the cluster cannot be started."""


@dataclass(frozen=True, slots=True)
class DaskOptions:
    """Where to run: an existing scheduler, or a LocalCluster of ``workers`` processes."""

    scheduler: str | None = None
    workers: int = 2
    memory_limit: str | None = None  # per worker, e.g. "6GB"; None: Dask's share of RAM
    rows_per_task: int = ROWS_PER_TASK


@contextmanager
def dask_client(options: DaskOptions) -> Iterator[Any]:
    """A client of the scheduler given, or of a LocalCluster that lives as long as it."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {options.scheduler}: {exc}; start one "
                "(dask-scheduler) or leave --scheduler and STOCKSHIFT_DASK_SCHEDULER unset"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=options.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=options.memory_limit or "auto",
            dashboard_address=":0",  # any free port: no warning when 8787 is taken
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


@dataclass(frozen=True, slots=True)
class Shared:
    """What every task reads, broadcast to the workers once."""

    params: PlanParameters
    chain: Chain
    dropped: frozenset[str]
    inventory_label: str
    sales_label: str | None
    sales_days: tuple[int, int] | None
    all_rows: bool


def plan_run(
    shared: Shared, run: Run, max_transfers: int | None, lines_before: int
) -> tuple[ProductsPlan, tuple[str, ...]]:
    """On a worker: read, check and plan one run of products; (its plan, its warnings).

    Unless ``shared.all_rows``, the plan keeps only the rows it names, so that a worker
    holds little for each run it has planned (a run cut off by the cap needs no more: every
    row with need is named, as a destination or a warehouse order).
    """
    stores = shared.chain.stores
    rows = read_rows(shared.inventory_label, run.parts, run.products)
    warnings: list[str] = []
    inventory = read_inventory(
        (rows.label, rows.table), stores, set(shared.dropped), rows.issues, warnings
    )
    sales = None
    if shared.sales_label is not None:
        wanted = frozenset(inventory.product_ids.tolist())
        found = read_rows(shared.sales_label, run.sales, wanted)
        if found.table.num_rows:
            sold = read_sales_rows(
                (found.label, found.table), stores, set(shared.dropped), found.issues, []
            )
        else:
            no = np.zeros(0, dtype=np.int64)
            sold = SalesRows(no, pa.chunked_array([], pa.string()), no, no.astype(np.float64))
        sales = sales_matrix(
            sold,
            stores,
            inventory,
            keep_days=sales_days(shared.params),
            days=shared.sales_days,
        )
    dataset = Dataset(stores, inventory, sales)
    plan = plan_products(
        dataset,
        shared.params,
        shared.chain,
        max_transfers=max_transfers,
        lines_before=lines_before,
    )
    if not shared.all_rows:
        plan = named_rows(plan, len(stores))
    return plan, tuple(warnings)


def _line_count(result: tuple[ProductsPlan, tuple[str, ...]]) -> int:
    return len(result[0].alloc.quantity)


def _cut_off(result: tuple[ProductsPlan, tuple[str, ...]]) -> tuple[ProductsPlan, tuple[str, ...]]:
    return cut_off(result[0]), result[1]


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


def plan_on_dask(
    client: Any,
    *,
    stores: str,
    inventory: str,
    sales: str | None,
    params: PlanParameters,
    rows_per_task: int = ROWS_PER_TASK,
    all_rows: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """The plan ``build_plan`` makes of the same inputs, computed on ``client``'s cluster.

    ``stores`` is read here; ``inventory`` and ``sales`` (files, folders of Parquet parts or
    fsspec URLs every worker can read) only on the workers. ``all_rows``: keep every
    inventory row in the plan (targets.csv needs them; so does ``--forecast auto``'s plan
    file, which lists them); else only the rows the plan names come back to this process.
    """
    say = progress or (lambda _step: None)
    validate_parameters(params)
    say("loading inputs")
    warnings: list[str] = []
    store_parts = list_parts(stores)
    store_label = store_parts[0].label
    st, dropped = read_stores((store_label, read_part(store_parts[0])), Issues(), warnings)
    frozen_dropped = frozenset(dropped)
    chain = prepare_chain(st, params, say)
    inv_parts = list_parts(inventory)
    counted = client.gather(client.map(product_counts, inv_parts, pure=False))
    runs = cut_runs(inv_parts, counted, rows_per_task)
    days = sales_label = None
    if sales is not None:
        sales_parts = list_parts(sales)
        sales_label = _label(sales, sales_parts)
        ranges = client.gather(
            client.map(_sales_range, sales_parts, stores=st, dropped=frozen_dropped, pure=False)
        )
        spans = [r[0] for r in ranges if r[0] is not None]
        if not spans:
            raise InputError.single(
                sales_label, None, None,
                "has no sales rows; leave the sales file out to plan on stock alone",
            )  # fmt: skip
        days = (min(a for a, _ in spans), max(b for _, b in spans))
        runs = _with_sales(runs, counted, inv_parts, sales_parts, [r[2] for r in ranges])
    shared = Shared(
        params=params,
        chain=chain,
        dropped=frozen_dropped,
        inventory_label=_label(inventory, inv_parts),
        sales_label=sales_label,
        sales_days=days,
        all_rows=all_rows or params.forecast == "auto",  # auto's plan file lists every row
    )
    say("allocating")
    [on_workers] = client.scatter([shared], broadcast=True)
    futures = [client.submit(plan_run, on_workers, r, None, 0, pure=False) for r in runs]
    counts = client.gather([client.submit(_line_count, f, pure=False) for f in futures])
    split = cap_split(counts, params)
    if split is not None:
        at, before = split
        cap = params.max_transfers
        futures[at] = client.submit(plan_run, on_workers, runs[at], cap, before, pure=False)
        futures[at + 1 :] = [client.submit(_cut_off, f, pure=False) for f in futures[at + 1 :]]
    parts = []
    for future in futures:
        part, run_warnings = future.result()
        future.release()
        parts.append(part)
        warnings += run_warnings
    if sales is not None:
        warnings += [w for r in ranges for w in r[1]]
    say("writing outputs")
    return assemble_plan(chain, params, parts, sales is not None, tuple(warnings))


def _label(source: str, parts: Sequence[Part]) -> str:
    """How messages name an input: the file's name, or the folder's."""
    if len(parts) == 1 and parts[0].url == source:
        return parts[0].label
    return source.rstrip("/").rsplit("/", 1)[-1]
