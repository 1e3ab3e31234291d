"""``stockshift clusters`` and ``stockshift forecast`` as a planner uses them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stockshift.core.forecast import STANDARD
from tests.factories import long_history_chain, write_csv

# two tight groups of stores, 1,000 km apart
STORES = [(f"S{i}", 41.6 + 0.01 * i, -93.6) for i in range(5)] + [
    (f"T{i}", 41.9 + 0.01 * i, -87.6) for i in range(5)
]


def test_clusters_reports_k_wcss_members_and_draws_the_elbow(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores = write_csv(tmp_path / "stores.csv", ["store_id", "lat", "lon"], STORES)
    png = tmp_path / "elbow.png"
    result = cli("clusters", "--stores", stores, "--elbow-png", png)
    assert result.exit_code == 0, result.output
    assert "Chosen k: 2" in result.stdout
    assert "WCSS" in result.stdout
    assert "S0, S1, S2, S3, S4" in result.stdout
    assert "radius km" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_clusters_with_fixed_k_cannot_draw_an_elbow(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores = write_csv(tmp_path / "stores.csv", ["store_id", "lat", "lon"], STORES)
    assert cli("clusters", "--stores", stores, "--clusters", "3").exit_code == 0
    bad = cli("clusters", "--stores", stores, "--clusters", "3", "--elbow-png", tmp_path / "e.png")
    assert bad.exit_code == 2 and "--clusters auto" in bad.stderr


def test_forecast_prints_rates_targets_and_held_out_accuracy(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores = write_csv(tmp_path / "stores.csv", ["store_id", "lat", "lon"], STORES[:2])
    inv = write_csv(
        tmp_path / "inv.csv",
        ["store_id", "product_id", "on_hand"],
        [("S0", "P1", 5), ("S1", "P1", 50)],
    )
    days = pd.date_range("2026-01-01", periods=42).strftime("%Y-%m-%d")
    rows = [(d, "S0", "P1", 3 + (i % 7 == 5) * 4) for i, d in enumerate(days)]
    sales = write_csv(tmp_path / "sales.csv", ["date", "store_id", "product_id", "units"], rows)
    out = tmp_path / "rates.csv"
    result = cli(
        "forecast",
        "--stores",
        stores,
        "--inventory",
        inv,
        "--sales",
        sales,
        "--holdout-windows",
        "2",
        "--csv",
        out,
    )
    assert result.exit_code == 0, result.output
    for word in ("moving-average-28", "seasonal-naive", "adida", "MSE", "RMSSE", "rate_per_day"):
        assert word in result.stdout
    assert "auto's choice" in result.stdout
    assert "croston-sba" not in result.stdout  # only auto's candidates and the baselines
    every = cli(
        "forecast", "--stores", stores, "--inventory", inv, "--sales", sales,
        "--holdout-windows", "1", "--all-methods", "--limit", "0",
    )  # fmt: skip
    assert every.exit_code == 0, every.output
    for word in ("croston-sba", "tsb", "imapa", "linear-regression-28"):
        assert word in every.stdout
    table = pd.read_csv(out, dtype={"store_id": str})
    assert table.loc[table.store_id == "S1", "target"].item() == 0
    assert table.loc[table.store_id == "S0", "need"].item() > 0
    bad = cli(
        "forecast", "--stores", stores, "--inventory", inv, "--sales", sales,
        "--holdout-windows", "0",
    )  # fmt: skip
    assert bad.exit_code == 2 and "--holdout-windows 0" in bad.stderr


def test_forecast_auto_writes_the_mean_daily_demand_and_each_rows_model(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli
) -> None:
    stores = write_csv(tmp_path / "stores.csv", ["store_id", "lat", "lon"], STORES[:2])
    inv = write_csv(
        tmp_path / "inv.csv",
        ["store_id", "product_id", "on_hand"],
        [("S0", "P1", 5), ("S1", "P1", 50), ("S0", "P2", 0), ("S0", "P3", 9), ("S1", "P3", 9)],
    )
    days = pd.date_range("2026-01-01", periods=120).strftime("%Y-%m-%d")
    rows = [(d, "S0", "P1", 3.0) for d in days] + [(d, "S1", "P1", 1.0) for d in days[::7]]
    noisy = np.random.default_rng(1).poisson(2.0, (2, len(days)))  # P3: steady, noisy
    rows += [
        (d, s, "P3", float(u))
        for s, row in zip(("S0", "S1"), noisy, strict=True)
        for d, u in zip(days, row, strict=True)
        if u
    ]
    sales = write_csv(tmp_path / "sales.csv", ["date", "store_id", "product_id", "units"], rows)
    out, png = tmp_path / "rates.csv", tmp_path / "series.png"
    result = cli(
        "forecast", "--stores", stores, "--inventory", inv, "--sales", sales,
        "--forecast", "auto", "--cover-days", "28", "--limit", "0", "--csv", out, "--png", png,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"store_id": str}).set_index(["store_id", "product_id"])
    # a flat 3 a day: every moving average is exact at every origin, the blend (which gives
    # 6 % to the product's mean per store, (3 + 1/7)/2) is not, so the series leaves it
    assert table.loc[("S0", "P1"), "rate_per_day"] == 3.0
    assert table.loc[("S0", "P1"), "method"] != "blend"
    assert (table.loc[[("S0", "P3"), ("S1", "P3")], "method"] == "blend").all()  # no clear win
    share = result.stdout[result.stdout.index("auto's choice") :]
    assert "blend" in share and table.loc[("S0", "P1"), "method"] in share
    assert table.loc[("S0", "P2"), "rate_per_day"] == 0.0  # never sold
    assert table.loc[("S0", "P2"), "sigma"] == 0.0
    assert set(table["method"]) <= set(STANDARD)
    assert "Rate and target" not in result.stdout  # --limit 0
    assert png.stat().st_size > 10_000


def test_plan_forecast_auto_puts_the_model_in_targets_csv_and_the_plan_file(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli
) -> None:
    import json

    stores = write_csv(tmp_path / "stores.csv", ["store_id", "lat", "lon"], STORES[:4])
    inv = write_csv(
        tmp_path / "inv.csv",
        ["store_id", "product_id", "on_hand"],
        [(f"S{i}", "P1", 40 * (i == 0)) for i in range(4)],
    )
    days = pd.date_range("2026-01-01", periods=90).strftime("%Y-%m-%d")
    rows = [(d, f"S{i}", "P1", float(i)) for d in days for i in range(4)]
    sales = write_csv(tmp_path / "sales.csv", ["date", "store_id", "product_id", "units"], rows)
    result = cli(
        "plan", "--stores", stores, "--inventory", inv, "--sales", sales, "--forecast", "auto",
        "--clusters", "1", "--output", tmp_path / "plan.json", "--csv", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["parameters"]["forecast"] == "auto"
    by_store = {r["store_id"]: r for r in doc["targets"]}
    # S3 sells 3 a day: every moving average is exact at every origin and the blend (6 % on
    # the product's mean per selling store, 2 a day) is not, so it leaves the blend
    assert by_store["S3"]["rate_per_day"] == 3.0 and by_store["S3"]["target"] == 21
    assert by_store["S3"]["method"] != "blend"
    targets = pd.read_csv(tmp_path / "out" / "targets.csv", dtype={"store_id": str})
    assert list(targets["method"]) == [by_store[s]["method"] for s in targets["store_id"]]
    assert doc["transfers"]  # S0 holds 40 and sells nothing: it supplies the others


def test_forecast_auto_on_a_long_history_takes_the_learned_model_first(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli
) -> None:
    """150 days, cover 7: enough origins for the learned model (core/forecast/learned.py),
    which ``forecast`` scores on held-out windows and ``plan`` takes as ``forecast`` does."""
    import json

    files = long_history_chain(tmp_path / "chain", products=6, stores=8, days=150)
    inputs = ["--stores", files["stores"], "--inventory", files["inventory"]]
    inputs += ["--sales", files["sales"], "--forecast", "auto", "--cover-days", "7"]
    out = tmp_path / "rates.csv"
    result = cli("forecast", *inputs, "--limit", "0", "--csv", out)
    assert result.exit_code == 0, result.output
    accuracy = result.stdout[result.stdout.index("held-out") : result.stdout.index("auto's")]
    assert "blend-boosted" in accuracy and "moving-average-28" in accuracy
    table = pd.read_csv(out).set_index(["store_id", "product_id"]).sort_index()
    assert "blend-boosted" in set(table["method"])
    assert (table["rate_per_day"] >= 0).all() and (table["sigma"] >= 0).all()
    planned = cli("plan", *inputs, "--quiet", "--output", tmp_path / "plan.json")
    assert planned.exit_code == 0, planned.output
    doc = json.loads((tmp_path / "plan.json").read_text())
    methods = {(r["store_id"], r["product_id"]): r["method"] for r in doc["targets"]}
    assert [methods[k] for k in table.index] == list(table["method"])
