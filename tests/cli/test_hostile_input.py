"""Issue 7 parts 4-5: hostile values make `plan` and `db import` exit 2 naming file, row, column."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.models import Store
from tests.conftest import Cli
from tests.hostile import CASES, Case


def _where(case: Case) -> str:
    return f"{case.file}, row {case.row}, column '{case.column}'"


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_plan_refuses_hostile_value(name: str, cli: Cli, tmp_path: Path) -> None:
    case = CASES[name]
    stores, inventory, sales = case.write(tmp_path)
    out = tmp_path / "out"
    r = cli(
        "plan", "--stores", stores, "--inventory", inventory, "--sales", sales,
        "--target", "cluster-mean", "--output", out / "plan.json", "--csv", out,
    )  # fmt: skip
    assert r.exit_code == 2, r.output
    assert _where(case) in r.stderr and case.words in r.stderr, r.stderr
    assert "Traceback" not in r.output
    assert not out.exists()


def test_db_import_refuses_every_hostile_value(cli: Cli, database_url: str, tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: exit 2 and the message, never a database error; nothing stored."""
    failures = {}
    for name, case in CASES.items():
        folder = tmp_path / name.replace(" ", "_").replace("*", "x")
        stores, inventory, sales = case.write(folder)
        r = cli(
            "db", "import", "--database-url", database_url, "--stores", stores,
            "--inventory", inventory, "--sales", sales,
        )  # fmt: skip
        if r.exit_code != 2 or _where(case) not in r.stderr or case.words not in r.stderr:
            failures[name] = (r.exit_code, r.stderr[-300:])
    assert failures == {}
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Store)) == 0
    engine.dispose()
