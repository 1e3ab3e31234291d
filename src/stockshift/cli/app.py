"""The Typer app, its consoles and the error handling every command shares.

Command modules import this module and register on ``app``; ``cli/main.py`` imports the
command modules. Nothing here imports a command, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from stockshift.core.errors import InputError, ParameterError, StockshiftError
from stockshift.core.types import Dataset
from stockshift.io.readers import load_dataset


class _Commands(TyperGroup):
    """The root group: a file that cannot be read or written, anywhere in any command, is a
    clear message and exit status 2 (a missing folder, a full disk, no permission)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            err.print(
                f"[bold red]error:[/] cannot use{escape(where)}: {escape(exc.strerror or str(exc))}"
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None


app = typer.Typer(
    cls=_Commands,
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


def check_output(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Stop before any work when ``path`` (an output of ``option``) cannot be written: it is
    a folder, a file stands where a folder would be made, or its suffix is not one of
    ``suffixes``. Missing folders are fine: the writers make them."""
    if path is None:
        return
    if path.is_dir():
        fail(f"{option} {escape(str(path))}: is a folder; give a file name")
    _check_parents(path, option)
    if suffixes and path.suffix.lower() not in suffixes:
        fail(f"{option} {escape(str(path))}: give a file name ending in {' or '.join(suffixes)}")


def check_folder(path: Path | None, option: str) -> None:
    """Stop before any work when the folder ``path`` of ``option`` cannot be made or used."""
    if path is None:
        return
    if path.exists() and not path.is_dir():
        fail(f"{option} {escape(str(path))}: is a file; give a folder")
    _check_parents(path, option)


def _check_parents(path: Path, option: str) -> None:
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        fail(
            f"{option} {escape(str(path))}: {escape(str(ancestor))} is a file, so no folder "
            "can be made there; choose another path"
        )


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; a domain error becomes a message on stderr and exit status 2."""
    with user_errors():
        return fn()
