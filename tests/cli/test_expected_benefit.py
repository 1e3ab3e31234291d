"""The expected-benefit journey of docs/cli.md: the exact command, and expected_gain everywhere."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from tests.factories import write_csv

DOCUMENTED = (
    "plan --stores stores.csv --inventory inventory.csv --sales sales.csv "
    "--policy expected-benefit --warehouse-lead-days 7 --review-days 7 --transfer-lead-days 1 "
    "--cover-days 14 --window 91 --service-level 0.9 --clusters column --quiet --output plan.json"
)
COMMAND = DOCUMENTED.split(" ")  # the command exactly as docs/cli.md shows it


def _chain(tmp: Path) -> None:
    # S1 and S2 sell little and hold plenty; S3 and S4 sell a lot and are nearly empty
    rng = np.random.default_rng(3)
    write_csv(
        tmp / "stores.csv",
        ["store_id", "lat", "lon", "cluster"],
        [("S1", 41.60, -93.60, "a"), ("S2", 41.62, -93.65, "a"), ("S3", 41.58, -93.62, "a"),
         ("S4", 42.00, -93.60, "b"), ("S5", 42.02, -93.62, "b")],
    )  # fmt: skip
    write_csv(
        tmp / "inventory.csv",
        ["store_id", "product_id", "on_hand", "in_transit"],
        [("S1", "P1", 60, 0), ("S2", "P1", 40, 0), ("S3", "P1", 1, 0), ("S4", "P1", 0, 2),
         ("S5", "P1", 8, 0), ("S1", "P2", 5, 0), ("S3", "P2", 5, 0)],
    )  # fmt: skip
    rate = {"S1": 0.2, "S2": 0.3, "S3": 4.0, "S4": 3.0, "S5": 0.5}
    start = date(2025, 1, 1)
    rows = [
        (
            (start + timedelta(days=d)).isoformat(),
            s,
            "P1",
            int(rng.negative_binomial(2, 2 / (2 + r))),
        )
        for d in range(120)
        for s, r in rate.items()
    ]
    rows += [
        ((start + timedelta(days=d)).isoformat(), s, "P2", 1)
        for d in range(120)
        for s in ("S1", "S3")
    ]
    write_csv(tmp / "sales.csv", ["date", "store_id", "product_id", "units"], rows)


def test_the_documented_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _chain(tmp_path)
    result = cli(*COMMAND, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Expected extra sales" in result.output
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["parameters"]["policy"] == "expected-benefit"
    assert plan["parameters"]["warehouse_lead_days"] == 7
    lines = plan["transfers"]
    assert lines and {t["from_store"] for t in lines} <= {"S1", "S2", "S5"}
    assert {t["to_store"] for t in lines} <= {"S3", "S4"}
    assert all(t["expected_gain"] > 0 for t in lines)
    assert plan["summary"]["expected_gain"] == round(sum(t["expected_gain"] for t in lines), 3)
    # S1 and S3 sell P2 alike and hold alike: nothing to gain
    assert all(t["product_id"] == "P1" for t in lines)

    result = cli(*COMMAND[:-3], "--csv", "out", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "expected +" in result.output
    csv = pd.read_csv(tmp_path / "out" / "transfers.csv")
    assert csv["expected_gain"].tolist() == [t["expected_gain"] for t in lines]


def test_needs_sales(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _chain(tmp_path)
    args = [a for a in COMMAND if a not in ("--sales", "sales.csv")]
    result = cli(*args, cwd=tmp_path)
    assert result.exit_code == 2
    assert "--policy 'expected-benefit'" in result.output and "sales" in result.output
    assert not (tmp_path / "plan.json").exists()


def test_bad_economics_name_the_flag(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _chain(tmp_path)
    result = cli(*COMMAND, "--sale-value", "0", cwd=tmp_path)
    assert result.exit_code == 2 and "--sale-value 0" in result.output
