"""A plan as a Parquet dataset (``--output plan/``, ``--format parquet`` or automatic for a big
plan) holds the same document as the plan file, and ``db import-plan`` stores either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.models import PlanRow, TransferRow, WarehouseOrderRow
from stockshift.db.plans import plan_header, plan_line_rows, plan_order_rows
from stockshift.io import plandataset
from stockshift.io.plandataset import read_plan
from tests.conftest import Cli
from tests.db.factory import chain_files

POLICIES = [
    ["--target", "cluster-mean", "--max-transfers", "7"],
    ["--forecast", "auto", "--service-level", "0.9"],
    ["--policy", "expected-benefit"],
    ["--policy", "optimal", "--pack-size", "2"],
]


def _plan(cli: Cli, tmp_path: Path, output: str, *args: str) -> str:
    files = chain_files(tmp_path, stores=14, products=6)
    result = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory, "--sales", files.sales,
        "--quiet", "--output", output, *args,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(result.stdout)


@pytest.mark.parametrize("args", POLICIES)
def test_json_and_parquet_give_the_same_document(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(plandataset, "PART_ROWS", 4)  # several parts per table
    _plan(cli, tmp_path, str(tmp_path / "plan.json"), *args)
    out = _plan(cli, tmp_path, str(tmp_path / "plan") + "/", *args)
    assert f"Plan written to {tmp_path / 'plan'}/" in out
    folder = tmp_path / "plan"
    assert len(list((folder / "transfers").glob("part-*.parquet"))) > 1
    as_json, as_parquet = read_plan(tmp_path / "plan.json"), read_plan(folder)
    assert as_json.header == as_parquet.header
    assert list(as_json.tables) == list(as_parquet.tables)
    for name, table in as_json.tables.items():
        assert table.equals(as_parquet.tables[name]), name
    assert as_json.lines() > 0
    # and the records are the plan file's, key for key
    document = json.loads((tmp_path / "plan.json").read_text())
    for name, table in as_parquet.tables.items():
        assert table.to_pylist() == document[name], name


def test_format_parquet_and_an_existing_folder_choose_the_dataset(cli: Cli, tmp_path: Path) -> None:
    _plan(cli, tmp_path, str(tmp_path / "a"), "--format", "parquet")
    assert (tmp_path / "a" / "header.json").is_file()
    (tmp_path / "b").mkdir()
    _plan(cli, tmp_path, str(tmp_path / "b"))
    header = json.loads((tmp_path / "b" / "header.json").read_text())
    assert header["schema"] == "stockshift.plan-dataset/1"
    assert header["plan_schema"] == "stockshift.plan/1"
    assert header["tables"]["transfers"]["rows"] == header["summary"]["transfers"]
    _plan(cli, tmp_path, str(tmp_path / "b"))  # a plan dataset is replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_plan_too_big_for_json_becomes_a_dataset_and_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plandataset, "JSON_MAX_LINES", 3)
    files = chain_files(tmp_path)
    result = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory,
        "--target", "cluster-mean", "--quiet", "--output", tmp_path / "out" / "plan.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "written as a Parquet dataset in" in result.stderr
    assert "--format json forces one file" in result.stderr
    assert not (tmp_path / "out" / "plan.json").exists()
    assert read_plan(tmp_path / "out" / "plan").lines() > 3
    result = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory, "--format", "json",
        "--target", "cluster-mean", "--quiet", "--output", tmp_path / "out" / "plan.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "plan.json").is_file()


@pytest.mark.parametrize(
    ("output", "args", "message"),
    [
        ("taken.txt", ["--format", "parquet"], "is a file; give a folder"),
        ("busy/", [], "holds other files"),
        ("x.json", ["--format", "yaml"], "use auto, json or parquet"),
    ],
)
def test_outputs_that_cannot_take_a_dataset_exit_2_before_planning(
    cli: Cli, tmp_path: Path, output: str, args: list[str], message: str
) -> None:
    (tmp_path / "taken.txt").write_text("mine")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    files = chain_files(tmp_path)
    result = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory,
        "--output", str(tmp_path / output), *args,
    )  # fmt: skip
    assert result.exit_code == 2
    assert message in result.stderr
    assert (tmp_path / "taken.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("form", ["plan.json", "plan/"])
def test_db_import_plan_serves_the_same_lines_as_db_plan(
    cli: Cli, tmp_path: Path, form: str
) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    files = chain_files(tmp_path)
    assert cli("db", "upgrade", "--database-url", url).exit_code == 0
    r = cli(
        "db", "import", "--database-url", url, "--stores", files.stores,
        "--inventory", files.inventory, "--sales", files.sales,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert cli("db", "plan", "--database-url", url, "--target", "cluster-mean").exit_code == 0
    output = str(tmp_path / form)
    r = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory,
        "--target", "cluster-mean", "--quiet", "--output", output,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = cli("db", "import-plan", output, "--database-url", url)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Plan 2: imported")
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(PlanRow.status).where(PlanRow.id == 2)) == "completed"

        def lines(plan_id: int) -> list[dict[str, object]]:
            return [
                {k: v for k, v in row.items() if k != "transfer_id"}
                for row in plan_line_rows(session, plan_id=plan_id)
            ]

        assert lines(2) == lines(1) and lines(1)
        orders = plan_order_rows(session, plan_id=1)
        assert plan_order_rows(session, plan_id=2) == orders
        assert plan_header(session, plan_id=2) == plan_header(session, plan_id=1)
    engine.dispose()


def test_import_plan_refuses_what_is_not_a_plan_of_this_database(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    assert cli("db", "upgrade", "--database-url", url).exit_code == 0
    files = chain_files(tmp_path)
    output = str(tmp_path / "plan") + "/"
    r = cli(
        "plan", "--stores", files.stores, "--inventory", files.inventory,
        "--target", "cluster-mean", "--quiet", "--output", output,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    (tmp_path / "other.json").write_text('{"schema": "something/1"}')
    for path, message in (
        (output, "the database does not hold"),
        (str(tmp_path / "other.json"), "'something/1'"),
        (str(tmp_path), "without header.json"),
    ):
        r = cli("db", "import-plan", path, "--database-url", url)
        assert r.exit_code == 2, r.output
        assert message in r.stderr
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(PlanRow)) == 0
        assert session.scalar(select(func.count()).select_from(TransferRow)) == 0
        assert session.scalar(select(func.count()).select_from(WarehouseOrderRow)) == 0
    engine.dispose()
