"""The Typer app, its consoles and the error handling every command shares.

Command modules import this module and register on ``app``; ``cli/main.py`` imports the
command modules. Nothing here imports a command, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from stockshift.core.errors import InputError, ParameterError, StockshiftError
from stockshift.core.types import Dataset
from stockshift.io.readers import load_dataset

app = typer.Typer(
    name="stockshift",
    help="Plan store-to-store inventory transfers: forecast, cluster, allocate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_BAD_INPUT = 2


@app.callback()
def _root() -> None:
    """Plan store-to-store inventory transfers: forecast, cluster, allocate."""


T = TypeVar("T")


def flag(field: str) -> str:
    """A parameter's command-line spelling: ``pack_size`` -> ``--pack-size``."""
    return "--" + field.replace("_", "-")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain errors into a clean message and exit status 2; never a traceback."""
    try:
        yield
    except InputError as exc:
        err.print(f"[bold red]error:[/] bad input ({exc.total} problem(s)); nothing was written")
        for line in str(exc).splitlines():
            err.print(f"  {line}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ParameterError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.render(flag))}", markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except StockshiftError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def load(
    paper: Path | None,
    stores: Path | None,
    inventory: Path | None,
    sales: Path | None,
    *,
    sales_days: int | None = None,
) -> Dataset:
    """Load inputs given either as one paper-layout file or as --stores/--inventory."""
    if paper is not None and (stores or inventory):
        raise InputError.single(
            "command line",
            None,
            None,
            "give one paper-layout file or --stores/--inventory, not both",
        )
    if paper is None and (stores is None or inventory is None):
        raise InputError.single(
            "command line",
            None,
            None,
            "give --stores and --inventory (and optionally --sales), or one paper-layout file",
        )
    dataset = load_dataset(
        stores=stores, inventory=inventory, sales=sales, paper=paper, sales_days=sales_days
    )
    for w in dataset.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    return dataset


def fail(message: str) -> NoReturn:
    """Stop with a parameter error: message on stderr, exit status 2."""
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(EXIT_BAD_INPUT)


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; a domain error becomes a message on stderr and exit status 2."""
    with user_errors():
        return fn()
