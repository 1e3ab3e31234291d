"""Shared test setup."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from stockshift.cli.main import app

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


class Cli:
    """Runs ``stockshift`` in-process and keeps stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, cwd: Path | None = None):  # type: ignore[no-untyped-def]
        import os

        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)


@pytest.fixture
def cli() -> Cli:
    return Cli()


# --- pytest-xdist (`make pytest` runs `pytest -n auto`) -----------------------------------------
# Tests are dealt out one at a time, as by xdist's own "load", except that every test under
# tests/engine goes to one worker: they share one Dask LocalCluster (tests/engine/conftest.py),
# which would otherwise start in each worker. (xdist_group marks with --dist loadgroup would
# say the same, but that grouping is silently lost with pytest 9.2, pytest-xdist issue 1386.)
ONE_WORKER = ("tests/engine/",)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "load":
        return None  # --dist loadfile and the like: as asked
    from xdist.scheduler import LoadScopeScheduling

    class Scheduler(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((p for p in ONE_WORKER if nodeid.startswith(p)), nodeid)

    return Scheduler(config, log)


# --- database fixtures (tests/db, tests/api) -------------------------------------------------
# Every database test runs on SQLite, and on PostgreSQL too when STOCKSHIFT_TEST_POSTGRES_URL
# is set (.ci/run sets it). PostgreSQL tests use a schema of their own, made and migrated once
# per session and emptied before each test.

POSTGRES_URL = os.environ.get("STOCKSHIFT_TEST_POSTGRES_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="STOCKSHIFT_TEST_POSTGRES_URL is not set"
        ),
    ),
]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL schema of this test session's own, dropped at the end."""
    from sqlalchemy import create_engine, text

    from stockshift.db.engine import make_engine
    from stockshift.db.migrate import upgrade

    assert POSTGRES_URL is not None
    schema = f"stockshift_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    from sqlalchemy import text

    from stockshift.db.engine import make_engine
    from stockshift.db.models import Base

    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated once per session, copied for each test: the
    migrations took a tenth of a second a test (tests/db/test_migrations.py runs them)."""
    from stockshift.db.engine import make_engine
    from stockshift.db.migrate import upgrade

    path = tmp_path_factory.mktemp("migrated") / "stockshift.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection out checkpoints the WAL into the file
    assert not path.with_name(f"{path.name}-wal").exists()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: SQLite, then PostgreSQL when configured."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        _empty_postgres(url)
        return url
    path = tmp_path / "stockshift.db"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from stockshift.db.engine import make_engine

    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    from stockshift.db.engine import session_factory

    return session_factory(engine)
