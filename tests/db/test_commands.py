"""The service's commands: db upgrade, db import, db plan, keys create (serve is run by make run
and the e2e tests)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.keys import authenticate
from stockshift.db.models import PlanRow, TransferRow
from stockshift.db.plans import plan_header
from stockshift.db.transfers import execute_plan
from tests.conftest import Cli
from tests.db.factory import chain_files, without_store
from tests.factories import write_csv


def test_commands_from_empty_database_to_plan(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'service.db'}"
    files = chain_files(tmp_path)
    r = cli("db", "upgrade", "--database-url", url)
    assert r.exit_code == 0, r.output
    r = cli(
        "db", "import", "--database-url", url, "--stores", files.stores,
        "--inventory", files.inventory, "--sales", files.sales,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Imported 9 stores, 4 products, 36 stock rows" in r.stdout
    r = cli("keys", "create", "--role", "planner", "--database-url", url)
    assert r.exit_code == 0, r.output
    secret = r.stdout.strip().splitlines()[-1]
    r = cli("db", "plan", "--target", "cluster-mean", "--database-url", url)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Plan 1:")
    engine = make_engine(url)
    with session_factory(engine)() as session:
        summary = (plan_header(session, plan_id=1) or {})["summary"]
    engine.dispose()
    assert f"Plan 1: {summary['transfers']} transfer lines, {summary['units_moved']} units" in (
        " ".join(r.stdout.split())
    )
    engine = make_engine(url)
    with session_factory(engine)() as session:
        key = authenticate(session, secret=secret)
        assert key is not None and key.role == "planner"
        assert session.scalar(select(PlanRow.status)) == "completed"
    engine.dispose()


def test_bad_input_exits_2_with_a_message(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    assert cli("db", "upgrade", "--database-url", url).exit_code == 0
    files = chain_files(tmp_path)
    bad = write_csv(tmp_path / "inv.csv", ["store_id", "product_id"], [("S000", "P1")])
    r = cli("db", "import", "--database-url", url, "--stores", files.stores, "--inventory", bad)
    assert r.exit_code == 2
    assert "inv.csv" in r.stderr and "on_hand" in r.stderr
    r = cli("keys", "create", "--role", "root", "--database-url", url)
    assert r.exit_code == 2 and "viewer, planner, admin" in r.stderr
    r = cli("db", "plan", "--target", "forecast", "--database-url", url)
    assert r.exit_code == 2 and "failed" in r.stderr


def test_unusable_database_is_a_clean_error(cli: Cli, tmp_path: Path) -> None:
    r = cli("keys", "create", "--role", "admin", "--database-url", "nosuch://db")
    assert r.exit_code == 2 and "cannot use the database" in r.stderr
    url = f"sqlite:///{tmp_path / 'not-migrated.db'}"
    r = cli("keys", "create", "--role", "admin", "--database-url", url)
    assert r.exit_code == 2 and "stockshift db upgrade" in r.stderr


def test_import_dropping_a_store_with_open_transfers_exits_2(cli: Cli, tmp_path: Path) -> None:
    """Issue 7.7: db import says which store and transfers, exits 2, changes nothing."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    files = chain_files(tmp_path)
    assert cli("db", "upgrade", "--database-url", url).exit_code == 0
    args = ("db", "import", "--database-url", url)
    assert cli(*args, "--stores", files.stores, "--inventory", files.inventory).exit_code == 0
    assert cli("db", "plan", "--target", "cluster-mean", "--database-url", url).exit_code == 0
    engine = make_engine(url)
    with session_factory(engine)() as session:
        execute_plan(session, plan_id=1, key_id=None)
        line = session.scalars(select(TransferRow).order_by(TransferRow.id)).first()
    engine.dispose()
    assert line is not None
    closed = without_store(files, line.to_store, tmp_path / "closed")
    r = cli(*args, "--stores", closed.stores, "--inventory", closed.inventory)
    assert r.exit_code == 2, r.output
    assert f"{line.to_store}: " in r.stderr and "open transfers" in r.stderr
    assert str(line.id) in r.stderr and "nothing was changed" in r.stderr
