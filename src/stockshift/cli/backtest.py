"""``stockshift backtest``: replay the sales history under each policy (SPEC section 10)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from stockshift.cli.app import app, check_output, console, err, fail, load, run
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
from stockshift.cli.options import with_plan_parameters_fixing
from stockshift.core.errors import ParameterError
from stockshift.core.types import POLICIES, PlanParameters
from stockshift.engine.cluster import ROWS_PER_TASK, DaskOptions, dask_client

if TYPE_CHECKING:  # the backtest and its writers are imported when it runs (cli/main.py)
    from stockshift.core.backtest import BacktestResult, BacktestSettings


def parse_date(flag: str, value: str) -> np.datetime64:
    """An ISO date (YYYY-MM-DD), or a ParameterError naming the flag."""
    try:
        if len(value) != 10:
            raise ValueError
        return np.datetime64(value, "D")
    except ValueError:
        raise ParameterError(f"{flag} {value!r}: not a date; use YYYY-MM-DD") from None


def parse_policies(value: str) -> tuple[str, ...]:
    from stockshift.core.backtest import resolve_policies

    names = tuple(n.strip() for n in value.split(",") if n.strip())
    resolve_policies(names)
    return names


@app.command("backtest")
# --review-days and the lead days are planning flags that the replay uses as its own
# horizons (expected-benefit plans with the same ones); the economics keep their defaults
@with_plan_parameters_fixing(target="forecast", max_transfers=None, policy="greedy")
def backtest_command(
    stores: StoresSourceOpt = None,
    inventory: InventorySourceOpt = None,
    sales: SalesSourceOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First day replayed, YYYY-MM-DD; on hand is the stock that morning "
            "(default: the last --weeks weeks of the sales).",
        ),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks to replay.")] = 8,
    policies: Annotated[
        str,
        typer.Option(
            "--policies",
            help=f"Comma-separated policies to compare: {', '.join(('warehouse', *POLICIES))}.",
        ),
    ] = "warehouse,greedy",
    *,
    params: PlanParameters,
    engine: EngineOpt = "process",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = 2,
    worker_memory: WorkerMemoryOpt = None,
    rows_per_task: RowsPerTaskOpt = ROWS_PER_TASK,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the result (stockshift.backtest/1 JSON)."),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write one CSV row per policy and week here.")
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Chart: cumulative lost sales by week, unit-km per policy."),
    ] = None,
) -> None:
    """Replay the sales history under each policy: lost sales, stock and transfer effort."""
    from stockshift.core.backtest import BacktestSettings, run_backtest
    from stockshift.io.backtestfile import write_backtest, write_chart, write_weeks_csv

    check_engine_options(engine, scheduler, worker_memory, stores, inventory, sales)
    if sales is None:
        fail("a backtest replays sales: pass --sales sales.csv")
    if engine == "dask" and (stores is None or inventory is None):
        fail(
            "--engine dask reads --stores, --inventory and --sales: files, folders of Parquet "
            "parts or URLs"
        )
    check_output(output, "--output")
    check_output(csv, "--csv")
    check_output(png, "--png", (".png", ".svg", ".pdf"))
    names = run(lambda: parse_policies(policies))
    first_day = run(lambda: parse_date("--start", start)) if start is not None else None
    settings = BacktestSettings(
        start=first_day,
        weeks=weeks,
        # the horizons are planning parameters (expected-benefit plans with them too)
        review_days=params.review_days,
        warehouse_lead_days=params.warehouse_lead_days,
        transfer_lead_days=params.transfer_lead_days,
        policies=names,
    )
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(policy: str, done: int, total: int) -> None:
            if policy not in tasks:
                tasks[policy] = bar.add_task(policy, total=total)
            bar.update(tasks[policy], completed=done)

        if engine == "dask":
            options = DaskOptions(scheduler, workers, worker_memory, rows_per_task)
            inputs = (stores or "", inventory or "", sales)
            result = run(lambda: _backtest_on_dask(options, inputs, params, settings, progress))
        else:
            dataset = run(lambda: load(None, as_path(stores), as_path(inventory), as_path(sales)))
            result = run(lambda: run_backtest(dataset, params, settings, progress=progress))
        if output is not None:
            write_backtest(result, output)
        if csv is not None:
            write_weeks_csv(result, csv)
        if png is not None:
            write_chart(result, png)
    # a pipe or file has no width: print the whole table there, fit it to a terminal
    out = console if console.is_terminal else Console(width=132, highlight=False)
    out.print(_table(result))
    for path, what in ((output, "Result"), (csv, "Weekly CSV"), (png, "Chart")):
        if path is not None:
            console.print(f"{what} written to {path}")


def _backtest_on_dask(
    options: DaskOptions,
    inputs: tuple[str, str, str],
    params: PlanParameters,
    settings: BacktestSettings,
    progress: Callable[[str, int, int], None],
) -> BacktestResult:
    from stockshift.engine.dask_backtest import backtest_on_dask

    stores, inventory, sales = inputs
    with dask_client(options) as client:
        result, warnings = backtest_on_dask(
            client, stores=stores, inventory=inventory, sales=sales, params=params,
            settings=settings, rows_per_task=options.rows_per_task, progress=progress,
        )  # fmt: skip
    for w in warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    return result


def _num(x: float) -> str:
    return f"{x:,.0f}"


def _table(result: BacktestResult) -> Table:
    s = result.settings
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=(
            f"Backtest {result.start} – {result.end} ({s.weeks} weeks): {result.stores} stores, "
            f"{result.products} products; review every {s.review_days} d, warehouse "
            f"{s.warehouse_lead_days} d, transfers {s.transfer_lead_days} d"
        ),
    )
    table.add_column("policy", no_wrap=True)
    for header in (
        "lost\nsales",
        "vs\nwarehouse",
        "fill\nrate",
        "average\nstock",
        "warehouse\nunits",
        "transfer\nunits",
        "lines",
        "unit-km",
    ):
        table.add_column(header, justify="right", no_wrap=True)
    for r in result.policies:
        pct = r.lost_vs_warehouse_pct
        table.add_row(
            r.policy,
            _num(r.lost),
            "—" if r.policy == "warehouse" else ("n/a" if pct is None else f"{pct:+.1f} %"),
            "n/a" if r.fill_rate is None else f"{100 * r.fill_rate:.1f} %",
            _num(r.average_stock),
            _num(r.warehouse_units),
            _num(r.transfer_units),
            _num(r.transfer_lines),
            _num(r.unit_km),
        )
    return table
