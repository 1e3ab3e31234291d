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

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from stockshift.core.forecast.learned import TrainingRows
from stockshift.core.parameters import validate_parameters
from stockshift.core.pipeline import (
    Chain,
    assemble_plan,
    cap_split,
    fit_learned_rows,
    learned_rows,
    plan_products,
    prepare_chain,
    sales_days,
)
from stockshift.core.runs import ProductsPlan, cut_off, named_rows
from stockshift.core.types import Plan, PlanParameters
from stockshift.engine.cluster import ROWS_PER_TASK
from stockshift.engine.inputs import Source, read_run, read_stores_file, scan_inputs
from stockshift.engine.runs import Run

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Shared:
    """What every task reads, broadcast to the workers once."""

    params: PlanParameters
    chain: Chain
    source: Source
    all_rows: bool


def plan_run(
    shared: Shared, run: Run, max_transfers: int | None, lines_before: int
) -> tuple[ProductsPlan, tuple[str, ...]]:
    """On a worker: read, check and plan one run of products; (its plan, its warnings).

    Unless ``shared.all_rows``, the plan keeps only the rows it names, so that a worker
    holds little for each run it has planned (a run cut off by the cap needs no more: every
    row with need is named, as a destination or a warehouse order).
    """
    dataset, warnings = read_run(shared.source, run, sales_days(shared.params))
    plan = plan_products(
        dataset,
        shared.params,
        shared.chain,
        max_transfers=max_transfers,
        lines_before=lines_before,
    )
    if not shared.all_rows:
        plan = named_rows(plan, len(dataset.stores))
    return plan, warnings


def run_rows(source: Source, run: Run, params: PlanParameters) -> tuple[int, TrainingRows] | None:
    """On a worker: the learned model's training rows of one run of products."""
    dataset, _ = read_run(source, run, sales_days(params))
    return learned_rows(dataset, params)


def learn_on_dask(
    client: Any, source: Source, runs: list[Run], params: PlanParameters, chain: Chain
) -> Chain:
    """``chain`` with ``--forecast auto``'s learned model, fitted here on the training rows
    every run sends (:func:`~stockshift.core.pipeline.fit_learned_rows`: the model one
    process fits on every row), before any run is planned."""
    found = client.gather([client.submit(run_rows, source, r, params, pure=False) for r in runs])
    if all(f is None for f in found):
        return chain
    return replace(chain, learned=fit_learned_rows(found, params))


def _line_count(result: tuple[ProductsPlan, tuple[str, ...]]) -> int:
    return len(result[0].alloc.quantity)


def _cut_off(result: tuple[ProductsPlan, tuple[str, ...]]) -> tuple[ProductsPlan, tuple[str, ...]]:
    return cut_off(result[0]), result[1]


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
    st, dropped = read_stores_file(stores, warnings)
    chain = prepare_chain(st, params, say)
    scan = scan_inputs(
        client, st, dropped, inventory=inventory, sales=sales, rows_per_task=rows_per_task
    )
    runs = scan.runs
    if params.forecast == "auto" and sales is not None:
        say("fitting the forecast model")
        chain = learn_on_dask(client, scan.source, runs, params, chain)
    shared = Shared(
        params=params,
        chain=chain,
        source=scan.source,
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
    warnings += scan.sales_warnings
    say("writing outputs")
    return assemble_plan(chain, params, parts, sales is not None, tuple(warnings))
