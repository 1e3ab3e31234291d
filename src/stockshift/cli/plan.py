"""``stockshift plan``: inputs -> plan file, CSV exports and the Fig. 2 report."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from stockshift.cli.app import app, check_folder, check_output, console, err, fail, load, run
from stockshift.cli.engine import (
    EngineOpt,
    InventorySourceOpt,
    RowsPerTaskOpt,
    SalesSourceOpt,
    SchedulerOpt,
    StoresSourceOpt,
    WorkerMemoryOpt,
    WorkersOpt,
    as_path,
    check_engine_options,
)
from stockshift.cli.options import PaperFile, with_plan_parameters
from stockshift.cli.report import product_blocks, totals
from stockshift.core.types import Plan, PlanParameters
from stockshift.engine.cluster import ROWS_PER_TASK, DaskOptions, dask_client

# The planner, the engines and the writers are imported by the command that runs them
# (see cli/main.py): every command's start-up would otherwise pay for all of them.

LOADING = "loading inputs"
WRITING = "writing outputs"


@app.command("plan")
@with_plan_parameters
def plan_command(
    paper: PaperFile = None,
    stores: StoresSourceOpt = None,
    inventory: InventorySourceOpt = None,
    sales: SalesSourceOpt = None,
    *,
    params: PlanParameters,
    engine: EngineOpt = "process",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = 2,
    worker_memory: WorkerMemoryOpt = None,
    rows_per_task: RowsPerTaskOpt = ROWS_PER_TASK,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the plan file (JSON) here; a folder (ending in /) gets a plan dataset.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (JSON, or a Parquet dataset for a folder or a plan too big for one JSON "
            "file), json or parquet.",
        ),
    ] = "auto",
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Write transfers.csv, warehouse_orders.csv, targets.csv here."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print the totals only, not every move.")
    ] = False,
) -> None:
    """Plan store-to-store transfers and warehouse orders (SPEC sections 3-6)."""
    from stockshift.core import pipeline
    from stockshift.io.planfile import write_csvs

    check_engine_options(engine, scheduler, worker_memory, stores, inventory, sales)
    target = _output_kind(output, fmt)
    check_folder(csv, "--csv")
    with _progress_after(1.0) as bar:
        steps = (LOADING, *pipeline.STEPS, WRITING)
        task = bar.add_task(LOADING, total=len(steps))
        done = {name: i for i, name in enumerate(steps)}

        def step(name: str) -> None:
            bar.update(task, description=name, completed=done.get(name))

        if engine == "dask":
            options = DaskOptions(scheduler, workers, worker_memory, rows_per_task)
            inputs = _dask_inputs(paper, stores, inventory, sales)
            result = run(lambda: _plan_on_dask(options, inputs, params, csv is not None, step))
        else:
            dataset = run(
                lambda: load(
                    paper, as_path(stores), as_path(inventory), as_path(sales),
                    sales_days=pipeline.sales_days(params),
                )
            )  # fmt: skip
            result = run(lambda: pipeline.build_plan(dataset, params, progress=step))
        step(WRITING)
        written = None if target is None else _write(result, *target, fmt == "auto")
        if csv is not None:
            csv.mkdir(parents=True, exist_ok=True)
            write_csvs(result, csv)
    _print_report(result, quiet=quiet)
    if written is not None:
        console.print(f"Plan written to {written}", soft_wrap=True)
    if csv is not None:
        console.print(f"CSV files written to {csv}/")


def _dask_inputs(
    paper: Path | None, stores: str | None, inventory: str | None, sales: str | None
) -> tuple[str, str, str | None]:
    if paper is not None or stores is None or inventory is None:
        fail(
            "--engine dask reads --stores and --inventory (and optionally --sales): files, "
            "folders of Parquet parts or URLs; give those instead of a paper-layout file"
        )
    return stores, inventory, sales


def _plan_on_dask(
    options: DaskOptions,
    inputs: tuple[str, str, str | None],
    params: PlanParameters,
    all_rows: bool,
    step: Callable[[str], None],
) -> Plan:
    from stockshift.engine.dask_plan import plan_on_dask

    stores, inventory, sales = inputs
    with dask_client(options) as client:
        plan = plan_on_dask(
            client, stores=stores, inventory=inventory, sales=sales, params=params,
            rows_per_task=options.rows_per_task, all_rows=all_rows, progress=step,
        )  # fmt: skip
    for w in plan.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    return plan


def _output_kind(output: str | None, fmt: str) -> tuple[Path, bool] | None:
    """Where the plan goes and whether as a dataset folder; stops on a path that cannot
    take it before any work."""
    if fmt not in ("auto", "json", "parquet"):
        fail(f"--format {fmt!r}: use auto, json or parquet")
    if output is None:
        if fmt != "auto":
            fail(f"--format {fmt}: give --output too")
        return None
    if not output.strip():
        fail("--output '': give a file name (plan.json) or a folder (plan/)")
    path = Path(output)
    folder = fmt == "parquet" or (
        fmt == "auto" and (output.endswith(("/", os.sep)) or path.is_dir())
    )
    if folder:
        _check_dataset_folder(path)
    else:
        check_output(path, "--output")
    return path, folder


def _check_dataset_folder(path: Path) -> None:
    from stockshift.io.plandataset import is_plan_dataset

    if path.exists() and not path.is_dir():
        fail(f"--output {escape(str(path))}: is a file; give a folder for a plan dataset")
    if path.is_dir() and not is_plan_dataset(path) and any(path.iterdir()):
        fail(
            f"--output {escape(str(path))}: a folder that holds other files, not a plan "
            "dataset; give a new or empty folder"
        )
    check_folder(path, "--output")


def _write(plan: Plan, path: Path, folder: bool, auto: bool) -> str:
    """Write the plan file, or the plan dataset; in ``auto``, a plan of more records than one
    JSON file should hold goes to a dataset beside the file name given, and says so."""
    from stockshift.io import plandataset
    from stockshift.io.plandataset import n_records, write_plan_dataset
    from stockshift.io.planfile import write_plan

    if not folder and auto and n_records(plan) > plandataset.JSON_MAX_LINES:
        dataset = path.with_suffix("") if path.suffix.lower() == ".json" else path
        dataset = dataset.with_name(dataset.name + ".parquet") if dataset == path else dataset
        _check_dataset_folder(dataset)
        err.print(
            f"note: the plan has {n_records(plan):,} records (transfers, fulfilment, warehouse "
            f"orders), more than one JSON file should hold ({plandataset.JSON_MAX_LINES:,}); it is "
            f"written as a Parquet dataset in {dataset}/ instead of {path} "
            "(header.json and Parquet parts; --format json forces one file)",
            markup=False,
        )
        path, folder = dataset, True
    if folder:
        write_plan_dataset(plan, path)
        return f"{path}/"
    write_plan(plan, path)
    return str(path)


@contextmanager
def _progress_after(seconds: float) -> Iterator[Progress]:
    """A transient progress bar on stderr that appears only if the run lasts ``seconds``."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    timer = threading.Timer(seconds, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield bar
    finally:
        timer.cancel()
        bar.stop()


def _print_report(plan: Plan, *, quiet: bool) -> None:
    """The per-line report, then the totals, to stdout as plain text in large writes.

    The report can run to a million lines; formatting them through rich (markup, wrapping,
    one write per line) would cost more than planning did.
    """
    out = sys.stdout
    if not quiet:
        for block in product_blocks(plan):
            out.write("\n".join(block) + "\n")
    out.write("\n".join(totals(plan)) + "\n")
    out.flush()
