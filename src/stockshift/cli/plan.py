"""``stockshift plan``: inputs -> plan file, CSV exports and the Fig. 2 report."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from stockshift.cli.app import app, check_folder, check_output, console, err, load, run
from stockshift.cli.options import (
    InventoryOpt,
    PaperFile,
    SalesOpt,
    StoresOpt,
    with_plan_parameters,
)
from stockshift.cli.report import product_blocks, totals
from stockshift.core import pipeline
from stockshift.core.pipeline import build_plan, sales_days
from stockshift.core.types import Plan, PlanParameters
from stockshift.io.planfile import write_csvs, write_plan

LOADING = "loading inputs"
WRITING = "writing outputs"
STEPS = (LOADING, *pipeline.STEPS, WRITING)


@app.command("plan")
@with_plan_parameters
def plan_command(
    paper: PaperFile = None,
    stores: StoresOpt = None,
    inventory: InventoryOpt = None,
    sales: SalesOpt = None,
    *,
    params: PlanParameters,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the plan file (JSON) here.")
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Write transfers.csv, warehouse_orders.csv, targets.csv here."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print the totals only, not every move.")
    ] = False,
) -> None:
    """Plan store-to-store transfers and warehouse orders (SPEC sections 3-6)."""
    check_output(output, "--output")
    check_folder(csv, "--csv")
    with _progress_after(1.0) as bar:
        task = bar.add_task(LOADING, total=len(STEPS))
        done = {name: i for i, name in enumerate(STEPS)}

        def step(name: str) -> None:
            bar.update(task, description=name, completed=done.get(name))

        dataset = run(lambda: load(paper, stores, inventory, sales, sales_days=sales_days(params)))
        result = run(lambda: build_plan(dataset, params, progress=step))
        step(WRITING)
        if output is not None:
            write_plan(result, output)
        if csv is not None:
            csv.mkdir(parents=True, exist_ok=True)
            write_csvs(result, csv)
    _print_report(result, quiet=quiet)
    if output is not None:
        console.print(f"Plan written to {output}")
    if csv is not None:
        console.print(f"CSV files written to {csv}/")


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
