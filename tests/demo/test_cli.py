"""``stockshift demo``: files a planner accepts, the same bytes for a seed, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "demo"


def test_demo_output_plans_end_to_end(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "chain"
    result = cli("demo", "--stores", "15", "--products", "12", "--days", "35", "--seed", "4", out)
    assert result.exit_code == 0, result.output
    assert "15 stores" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["inventory.csv", "sales.csv", "stores.csv"]
    result = cli(
        "plan",
        "--stores", out / "stores.csv",
        "--inventory", out / "inventory.csv",
        "--sales", out / "sales.csv",
        "--output", tmp_path / "plan.json",
        "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["summary"]["stores"] == 15
    assert plan["transfers"]


def test_same_seed_writes_the_same_bytes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for name in ("a", "b"):
        result = cli("demo", "--stores", "9", "--products", "5", "--days", "14", tmp_path / name)
        assert result.exit_code == 0, result.output
    for f in ("stores.csv", "inventory.csv", "sales.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_parquet_without_sales(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "demo", "--stores", "6", "--products", "4", "--days", "0", "--format", "parquet", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.parquet", "stores.parquet"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stores", "0"], "--stores 0"),
        (["--format", "xml"], "--format 'xml'"),
        (["--anchor", "Gotham"], "not a demo city"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    result = cli("demo", *args, tmp_path / "out")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_shipped_demo_set_is_what_the_generator_writes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """examples/demo is `stockshift demo` with its defaults; regenerate it when this fails."""
    result = cli("demo", tmp_path)
    assert result.exit_code == 0, result.output
    for f in ("stores.csv", "inventory.csv", "sales.csv"):
        same = (tmp_path / f).read_bytes() == (EXAMPLES / f).read_bytes()
        assert same, f"examples/demo/{f} is stale: run `stockshift demo examples/demo`"
    size = sum(p.stat().st_size for p in EXAMPLES.iterdir())
    assert size < 2_000_000


def test_an_unwritable_folder_is_a_clean_error(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    result = cli("demo", "--stores", "3", "--products", "2", blocker)
    assert result.exit_code == 2
    assert "cannot write into" in result.stderr
    assert "Traceback" not in result.output
