"""Crash atomicity: ``db import`` and ``db plan`` killed with SIGKILL at several points leave
the database as it was before or as it is after, never in between, and the next run works.

The kills are real: the command runs as its own process and gets SIGKILL after a delay, so
no Python cleanup, no rollback and no lock release runs in it — the database must recover on
its own (SQLite's journal, PostgreSQL's aborted transaction and released advisory lock).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.models import PlanRow, Stock, TransferRow

pytestmark = pytest.mark.slow

DELAYS = (0.5, 1.2, 2.5)
"""Seconds after start-up at which a run is killed: reading files, writing rows, committing."""


def _stockshift(*args: str | Path, wait: float | None = None) -> int | None:
    """Run ``stockshift`` as a process; with ``wait``, SIGKILL it after that many seconds of
    its own work (imports done) and return None if it was killed, else its exit status."""
    exe = Path(sys.executable).with_name("stockshift")
    proc = subprocess.Popen(
        [str(exe), *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    if wait is None:
        return proc.wait(timeout=600)
    try:
        return proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        return None


def _demo(folder: Path, stores: int, products: int, days: int) -> Path:
    assert (
        _stockshift("demo", folder, "--stores", stores, "--products", products, "--days", days) == 0
    )
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small chain's files, made once for the module: the tests only read them."""
    return _demo(tmp_path_factory.mktemp("small"), 20, 10, 14)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chain big enough that an import or a plan of it is still running when killed."""
    return _demo(tmp_path_factory.mktemp("big"), 250, 150, 28)


def _stock(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.scalar(select(func.count()).select_from(Stock)) or 0
            units = session.scalar(select(func.coalesce(func.sum(Stock.on_hand), 0))) or 0
            return int(rows), int(units)
    finally:
        engine.dispose()


def _import(url: str, folder: Path, wait: float | None = None) -> int | None:
    return _stockshift(
        "db", "import", "--database-url", url, "--stores", folder / "stores.csv",
        "--inventory", folder / "inventory.csv", "--sales", folder / "sales.csv", wait=wait,
    )  # fmt: skip


def test_import_killed_at_any_point_keeps_the_old_data_or_the_new(
    database_url: str, small: Path, big: Path
) -> None:
    old, new = _file_stock(small), _file_stock(big)
    killed = 0
    for delay in DELAYS:
        assert _import(database_url, small) == 0
        assert _stock(database_url) == old
        status = _import(database_url, big, wait=delay)
        now = _stock(database_url)
        # a kill just after the commit leaves the new data: old or new, nothing between
        assert now in (old, new), f"killed after {delay} s: the database is half imported"
        if status is None:
            killed += 1
        else:
            assert status == 0 and now == new
    assert killed, "no run was killed: the import finished before every delay"
    # the next import runs to the end: no stale lock, no leftover half-written rows
    assert _import(database_url, big) == 0
    assert _stock(database_url) == new


def _file_stock(folder: Path) -> tuple[int, int]:
    """Rows and units of a demo inventory file (store_id,product_id,on_hand)."""
    lines = (folder / "inventory.csv").read_text().splitlines()[1:]
    return len(lines), sum(int(line.rsplit(",", 1)[1]) for line in lines)


def test_plan_killed_at_any_point_leaves_no_half_stored_plan(database_url: str, big: Path) -> None:
    assert _import(database_url, big) == 0
    for delay in DELAYS:
        _stockshift(
            "db", "plan", "--database-url", database_url, "--target", "cluster-mean", wait=delay
        )
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            for plan in session.scalars(select(PlanRow)):
                lines = session.scalar(
                    select(func.count())
                    .select_from(TransferRow)
                    .where(TransferRow.plan_id == plan.id)
                )
                if plan.status == "completed":
                    assert plan.header is not None and lines and lines > 0
                else:  # killed: a plan row without any of its lines
                    assert plan.status in ("queued", "running", "failed") and lines == 0
    finally:
        engine.dispose()
    # the next plan runs and stores every line
    assert _stockshift("db", "plan", "--database-url", database_url) == 0
