"""The options of ``--engine`` (``plan`` and ``backtest``), defined once, and their checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockshift.cli.app import fail

ENGINES = ("process", "dask")

StoresSourceOpt = Annotated[
    str | None,
    typer.Option(
        "--stores", help="Stores CSV/Parquet: store_id, lat, lon (--engine dask: also a URL)."
    ),
]
InventorySourceOpt = Annotated[
    str | None,
    typer.Option(
        "--inventory",
        help="Inventory CSV/Parquet: store_id, product_id, on_hand (--engine dask: also a "
        "folder of Parquet parts or a URL every worker can read).",
    ),
]
SalesSourceOpt = Annotated[
    str | None,
    typer.Option(
        "--sales",
        help="Daily sales CSV/Parquet: date, store_id, product_id, units (--engine dask: "
        "also a folder of Parquet parts or a URL).",
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="process (this one process) or dask (a Dask cluster: --scheduler, or a "
        "LocalCluster of --workers processes).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="STOCKSHIFT_DASK_SCHEDULER",
        help="--engine dask: the address of a running scheduler, tcp://HOST:PORT.",
    ),
]
WorkersOpt = Annotated[
    int,
    typer.Option("--workers", min=1, help="--engine dask without --scheduler: worker processes."),
]
WorkerMemoryOpt = Annotated[
    str | None,
    typer.Option(
        "--worker-memory",
        help="--engine dask without --scheduler: each worker's memory limit, e.g. 6GB.",
    ),
]
RowsPerTaskOpt = Annotated[
    int,
    typer.Option(
        "--rows-per-task", min=1, help="--engine dask: inventory rows a task works on at once."
    ),
]


def check_engine_options(
    engine: str,
    scheduler: str | None,
    worker_memory: str | None,
    *inputs: str | None,
) -> None:
    """Stop on a bad engine option or an empty input name, whichever engine runs."""
    if engine not in ENGINES:
        fail(f"--engine {escape(repr(engine))}: use {' or '.join(ENGINES)}")
    if scheduler is not None and not re.fullmatch(r"[a-z][a-z0-9+]*://\S+", scheduler):
        fail(
            f"--scheduler {escape(repr(scheduler))}: give the scheduler's address, "
            "tcp://HOST:PORT (STOCKSHIFT_DASK_SCHEDULER sets it too)"
        )
    if worker_memory is not None:
        try:
            from dask.utils import parse_bytes  # dask only when asked for (cli/main.py)

            size = parse_bytes(worker_memory) if worker_memory.strip() else 0
        except (ValueError, TypeError):
            size = 0
        if size < 2**20:
            fail(
                f"--worker-memory {escape(repr(worker_memory))}: give a size of at least "
                "1MB, such as 6GB"
            )
    for flag, value in zip(("--stores", "--inventory", "--sales"), inputs, strict=True):
        if value is not None and not value.strip():
            fail(f"{flag} is empty: give a file (or, with --engine dask, a folder or URL)")


def as_path(source: str | None) -> Path | None:
    """An input for the single process, which reads files only."""
    return None if source is None else Path(source)
