"""Service commands: ``db upgrade``, ``db import``, ``db import-plan``, ``db plan``,
``keys create``, ``serve``."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from stockshift.cli.app import EXIT_BAD_INPUT, app, console, err, fail, run
from stockshift.cli.options import InventoryOpt, SalesOpt, StoresOpt, with_plan_parameters
from stockshift.config import Settings
from stockshift.core.errors import InputError, ParameterError
from stockshift.core.types import PlanParameters

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

db_app = typer.Typer(help="The inventory database: migrate, import, plan.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the service.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: STOCKSHIFT_DATABASE_URL, else sqlite:///var/stockshift.db).",
    ),
]


def _settings(database_url: str | None) -> Settings:
    if database_url is not None and not database_url.strip():
        fail(
            "--database-url '': give a SQLAlchemy URL (sqlite:///var/stockshift.db, "
            "postgresql+psycopg://user@host/db), or leave it out"
        )
    return Settings(database_url=database_url) if database_url else Settings()


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be reached or named is a clean message and exit 2."""
    try:
        yield
    except (ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        err.print(
            f"[bold red]error:[/] cannot use the database {url!r}: {reason}\n"
            "  check --database-url or STOCKSHIFT_DATABASE_URL, and run: stockshift db upgrade",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _in_session(database_url: str | None, work: Callable[[Session], T]) -> T:
    """``work`` in a session on the database of ``--database-url``; its domain errors and
    an unusable database are clean messages and exit 2."""
    from stockshift.db.engine import make_engine, session_factory

    url = _settings(database_url).database_url
    with database_errors(url):
        engine = make_engine(url)
        try:
            with session_factory(engine)() as session:
                return run(lambda: work(session))
        finally:
            engine.dispose()


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Create or migrate the database's tables to the newest version."""
    from stockshift.db.engine import make_engine
    from stockshift.db.migrate import upgrade

    settings = _settings(database_url)
    with database_errors(settings.database_url):
        engine = make_engine(settings.database_url)
        run(lambda: upgrade(engine))
        engine.dispose()
    console.print(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("import")
def db_import(
    stores: StoresOpt = None,
    inventory: InventoryOpt = None,
    sales: SalesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Replace stores, stock and sales with these files, all or nothing (SPEC section 1)."""
    from stockshift.db.engine import make_engine, session_factory
    from stockshift.service.imports import import_sources

    if stores is None or inventory is None:
        run(_fail(InputError.single("command line", None, None, "give --stores and --inventory")))
        return
    url = _settings(database_url).database_url
    with database_errors(url):
        engine = make_engine(url)
        with session_factory(engine)() as session:
            summary = run(
                lambda: import_sources(session, stores=stores, inventory=inventory, sales=sales)
            )
        engine.dispose()
    for warning in summary.warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    console.print(
        f"Imported {summary.stores} stores, {summary.products} products, "
        f"{summary.stock_rows} stock rows ({summary.units_on_hand} units on hand), "
        f"{summary.sales_rows} sales rows."
    )


@db_app.command("import-plan")
def db_import_plan(
    plan: Annotated[
        Path,
        typer.Argument(help="A plan file (plan.json) or plan dataset folder from stockshift plan."),
    ],
    database_url: DatabaseOpt = None,
) -> None:
    """Store a plan made by ``stockshift plan`` as a completed plan the service serves."""
    from stockshift.service.planimport import import_plan

    done = _in_session(database_url, lambda session: import_plan(session, plan))
    console.print(
        f"Plan {done.plan_id}: imported {done.transfers:,} transfer lines and "
        f"{done.warehouse_orders:,} warehouse orders from {plan}"
    )


@db_app.command("plan")
@with_plan_parameters
def db_plan(
    *,
    params: PlanParameters,
    database_url: DatabaseOpt = None,
) -> None:
    """Plan on the stock in the database and store the plan, as POST /api/v1/plans does."""
    from stockshift.db.engine import make_engine, session_factory
    from stockshift.db.plans import get_plan
    from stockshift.service.planning import run_plan, start_plan

    url = _settings(database_url).database_url
    with database_errors(url):
        engine = make_engine(url)
        sessions = session_factory(engine)
        plan_id = start_plan(sessions, params, key_id=None)
        # the command line starts without the planner (cli/main.py): it loads while the
        # snapshot is read, on the other core, a second or more of the read
        # run_plan gives the summary it stored: reading it back parses the whole header
        # (tens of megabytes of JSON for a big plan) to reach it
        summary = run_plan(sessions, plan_id, params, meanwhile=_load_planner)
        error: str | None = None
        if summary is None:
            with sessions() as session:
                error = get_plan(session, plan_id=plan_id).error
        engine.dispose()
    if summary is None:
        run(_fail(ParameterError(f"plan {plan_id} failed: {error}")))
        return
    console.print(
        f"Plan {plan_id}: {summary.get('transfers', 0)} transfer lines, "
        f"{summary.get('units_moved', 0)} units moved, "
        f"{summary.get('warehouse_units', 0)} units from the warehouse."
    )


def _load_planner() -> None:
    """The planner's modules, and the libraries it would load when it first clusters."""
    import stockshift.core.pipeline  # noqa: F401
    from stockshift.core.clustering import load_libraries

    load_libraries()


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="viewer, planner or admin.")],
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for.")] = "",
    database_url: DatabaseOpt = None,
) -> None:
    """Make an API key; it is printed once, alone on the last line, and stored hashed."""
    from stockshift.db.keys import create_key

    row, secret = _in_session(
        database_url, lambda session: create_key(session, role=role, name=name)
    )
    console.print(f"Created {row.role} key {row.id} ({row.name}). Keep it: it is shown only once.")
    print(secret)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help="Server processes sharing the port (uvicorn workers); see docs/api.md.",
        ),
    ] = 1,
    database_url: DatabaseOpt = None,
) -> None:
    """Serve the REST API and the dashboard; the database is migrated first if need be."""
    import os

    import uvicorn

    from stockshift.api.app import recover, served_app
    from stockshift.db.engine import make_engine, session_factory
    from stockshift.db.migrate import upgrade

    settings = _settings(database_url)
    _check_address(host, port)
    with database_errors(settings.database_url):
        engine = make_engine(settings.database_url)
        run(lambda: upgrade(engine))
        if workers > 1:
            recover(settings, session_factory(engine))
        engine.dispose()
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    console.print(
        f"stockshift serving on http://{shown}:{port}  (API docs: /docs)"
        + (f", {workers} worker processes" if workers > 1 else "")
    )
    if workers == 1:
        uvicorn.run(served_app(settings), host=host, port=port, log_level="info")
        return
    # Each worker process builds its own app from the environment: pass the settings there.
    os.environ["STOCKSHIFT_DATABASE_URL"] = settings.database_url
    os.environ["STOCKSHIFT_WORKERS"] = str(workers)
    uvicorn.run(
        "stockshift.api.app:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        timeout_worker_healthcheck=60,  # a busy machine can take longer than 5 s to start one
    )


def _check_address(host: str, port: int) -> None:
    """Stop with a message, before migrating anything, when ``host`` names no address."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        fail(f"--host {host!r}: not an address this machine can listen on ({exc})")


def _fail(exc: Exception) -> Callable[[], None]:
    """A callable that raises ``exc``, for :func:`run` to turn into a message and exit 2."""

    def raise_it() -> None:
        raise exc

    return raise_it
