"""SPEC section 1: every bad input exits 2, names file, row and column, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import write_csv

STORES = [("A", 41.0, -93.0), ("B", 41.1, -93.1), ("C", 41.2, -93.2)]
INVENTORY = [("A", "P1", 10), ("B", "P1", 0), ("C", "P1", 5)]
SALES = [("2026-01-01", "A", "P1", 3), ("2026-01-02", "B", "P1", 4)]


def dataset(tmp: Path, stores=STORES, inventory=INVENTORY, sales=SALES, store_header=None):  # type: ignore[no-untyped-def]
    return (
        write_csv(tmp / "stores.csv", store_header or ["store_id", "lat", "lon"], stores),
        write_csv(tmp / "inventory.csv", ["store_id", "product_id", "on_hand"], inventory),
        write_csv(tmp / "sales.csv", ["date", "store_id", "product_id", "units"], sales),
    )


CASES = {
    "unknown store in inventory": (
        {"inventory": [*INVENTORY, ("Z", "P1", 4)]},
        ["inventory.csv", "row 5", "store_id", "'Z'"],
    ),
    "unknown store in sales": (
        {"sales": [*SALES, ("2026-01-03", "Q", "P1", 1)]},
        ["sales.csv", "row 4", "store_id", "'Q'"],
    ),
    "latitude out of range": (
        {"stores": [("A", 91.0, -93.0), *STORES[1:]]},
        ["stores.csv", "row 2", "'lat'", "[-90, 90]"],
    ),
    "longitude out of range": (
        {"stores": [*STORES[:2], ("C", 41.0, 200.5)]},
        ["stores.csv", "row 4", "'lon'", "[-180, 180]"],
    ),
    "negative on_hand": (
        {"inventory": [("A", "P1", -1), *INVENTORY[1:]]},
        ["inventory.csv", "row 2", "on_hand", "whole number"],
    ),
    "non-integer on_hand": (
        {"inventory": [*INVENTORY[:2], ("C", "P1", 2.5)]},
        ["inventory.csv", "row 4", "on_hand", "whole number"],
    ),
    "text on_hand": (
        {"inventory": [*INVENTORY[:2], ("C", "P1", "lots")]},
        ["inventory.csv", "row 4", "on_hand", "'lots'"],
    ),
    "negative units": (
        {"sales": [*SALES, ("2026-01-03", "A", "P1", -2)]},
        ["sales.csv", "row 4", "units", "≥ 0"],
    ),
    "bad date": (
        {"sales": [*SALES, ("03/01/2026", "A", "P1", 2)]},
        ["sales.csv", "row 4", "date", "YYYY-MM-DD"],
    ),
    "duplicate inventory row": (
        {"inventory": [*INVENTORY, ("B", "P1", 7)]},
        ["inventory.csv", "row 5", "repeat row 3"],
    ),
    "duplicate store id": (
        {"stores": [*STORES, ("B", 40.0, -92.0)]},
        ["stores.csv", "row 5", "store_id", "repeats row 3"],
    ),
    "missing column": (
        {"stores": [(s, lat) for s, lat, _ in STORES], "store_header": ["store_id", "lat"]},
        ["stores.csv", "'lon'", "missing"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_exits_2_and_writes_nothing(case: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    overrides, expected = CASES[case]
    stores, inventory, sales = dataset(tmp_path, **overrides)
    out = tmp_path / "out"
    result = cli(
        "plan",
        "--stores",
        stores,
        "--inventory",
        inventory,
        "--sales",
        sales,
        "--output",
        out / "plan.json",
        "--csv",
        out,
    )
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert "Traceback" not in result.output
    assert not out.exists()


def test_many_problems_are_listed_together(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    inv = [("A", "P1", -1), ("B", "P1", 1.5), ("Z", "P1", 1)]
    stores, inventory, _ = dataset(tmp_path, inventory=inv)
    result = cli("plan", "--stores", stores, "--inventory", inventory)
    assert result.exit_code == 2
    assert "3 problem(s)" in result.stderr
    assert "row 2" in result.stderr and "row 3" in result.stderr and "row 4" in result.stderr


def test_rows_with_empty_keys_are_dropped_and_counted(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    inv = [*INVENTORY, ("", "P1", 3), ("A", "", 2)]
    stores, inventory, _ = dataset(tmp_path, inventory=inv)
    result = cli("plan", "--stores", stores, "--inventory", inventory, "--target", "cluster-mean")
    assert result.exit_code == 0, result.output
    assert "dropped 2 row(s) with an empty store_id/product_id" in result.stderr


def test_missing_file_and_bad_parameters(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores, inventory, _ = dataset(tmp_path)
    result = cli("plan", "--stores", tmp_path / "nope.csv", "--inventory", inventory)
    assert result.exit_code == 2 and "file not found" in result.stderr
    for flag, value, words in [
        ("--pack-size", "0", "--pack-size"),
        ("--clusters", "many", "--clusters"),
        ("--service-level", "1.5", "--service-level"),
        ("--target", "magic", "--target"),
    ]:
        result = cli(
            "plan",
            "--stores",
            stores,
            "--inventory",
            inventory,
            "--sales",
            tmp_path / "sales.csv",
            flag,
            value,
        )
        assert result.exit_code == 2, (flag, result.output)
        assert words in result.stderr


def test_forecast_without_sales_is_a_clear_error(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores, inventory, _ = dataset(tmp_path)
    result = cli("plan", "--stores", stores, "--inventory", inventory, "--target", "forecast")
    assert result.exit_code == 2
    assert "--sales" in result.stderr


def test_column_clusters_need_the_column(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores, inventory, _ = dataset(tmp_path)
    result = cli("plan", "--stores", stores, "--inventory", inventory, "--clusters", "column")
    assert result.exit_code == 2
    assert "'cluster' column" in result.stderr
