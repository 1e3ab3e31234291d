"""SPEC section 9: the inventory's optional ``in_transit`` column counts in the position."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.factories import write_csv

STORES = [("A", 41.0, -93.0), ("B", 41.01, -93.0), ("C", 41.02, -93.0)]


def _plan(cli, tmp: Path, inventory, *extra: str):  # type: ignore[no-untyped-def]
    write_csv(tmp / "stores.csv", ["store_id", "lat", "lon"], STORES)
    header = ["store_id", "product_id", "on_hand", "in_transit"][: len(inventory[0])]
    write_csv(tmp / "inventory.csv", header, inventory)
    result = cli(
        "plan", "--stores", "stores.csv", "--inventory", "inventory.csv", "--target",
        "cluster-mean", "--clusters", "1", "--output", "plan.json", "--csv", "out", *extra,
        cwd=tmp,
    )  # fmt: skip
    return result


@pytest.mark.parametrize("policy", ["greedy", "optimal"])
def test_position_sets_targets_but_only_on_hand_leaves(cli, tmp_path: Path, policy: str) -> None:  # type: ignore[no-untyped-def]
    # positions 30 (A: 4 on hand + 26 coming), 0 (B), 30 (C): mean 20, so A and C have a
    # surplus of 10 each, but A can send only the 4 it holds; B needs 20.
    inv = [("A", "P1", 4, 26), ("B", "P1", 0, 0), ("C", "P1", 30, 0)]
    result = _plan(cli, tmp_path, inv, "--policy", policy)
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan.json").read_text())
    sent = {t["from_store"]: t["quantity"] for t in plan["transfers"]}
    assert sent == {"A": 4, "C": 10}
    assert plan["warehouse_orders"] == [
        {"product_id": "P1", "store_id": "B", "quantity": 6, "reason": "no-source"}
    ]
    targets = pd.read_csv(tmp_path / "out" / "targets.csv", dtype={"store_id": str})
    assert targets["in_transit"].tolist() == [26, 0, 0]
    assert targets["surplus"].tolist() == [10, 0, 10]


def test_without_the_column_the_position_is_on_hand(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _plan(cli, tmp_path, [("A", "P1", 4), ("B", "P1", 0), ("C", "P1", 30)])
    assert result.exit_code == 0, result.output
    targets = pd.read_csv(tmp_path / "out" / "targets.csv")
    assert "in_transit" not in targets.columns
    assert targets["target"].tolist() == pytest.approx([34 / 3] * 3)


def test_bad_in_transit_is_named(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _plan(cli, tmp_path, [("A", "P1", 4, -1), ("B", "P1", 0, 2.5), ("C", "P1", 3, 0)])
    assert result.exit_code == 2
    assert "inventory.csv, row 2, column 'in_transit'" in result.output
    assert "inventory.csv, row 3, column 'in_transit'" in result.output
    assert not (tmp_path / "plan.json").exists()
