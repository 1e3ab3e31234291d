"""``stockshift backtest`` (SPEC section 10) on tiny cases solved by hand.

Every case: stores A at (0, 0) and B at (0.1, 0) — on one meridian, so the Haversine
distance is exactly R·Δφ = 6371.0088 · 0.1 · π/180 = 11.1195 km — one product P, one
cluster (``--clusters 1``), W = C = R = L = 7 days, T = 1 day, no safety stock (z = 0):
target = ⌈7·r⌉ with r the mean daily sales of the last 7 days. The sales file starts 7 days
before ``--start``, so the first review sees exactly one window of history.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import write_csv

D_AB = 6371.0088 * 0.1 * math.pi / 180  # km from A to B
START = date(2026, 3, 9)  # a Monday; history runs 2026-03-02 .. 03-08


def _case(
    tmp: Path, on_hand: dict[str, int], history: dict[str, float], run: dict[str, list[float]]
) -> list[Path]:
    """Files for stores A and B: 7 days of flat history per store, then the run's demand."""
    sales = []
    for store, rate in history.items():
        for k in range(7):
            sales.append((str(START - timedelta(days=7 - k)), store, "P", rate))
    for store, days in run.items():
        for k, units in enumerate(days):
            sales.append((str(START + timedelta(days=k)), store, "P", units))
    return [
        write_csv(
            tmp / "stores.csv", ["store_id", "lat", "lon"], [("A", 0.0, 0.0), ("B", 0.1, 0.0)]
        ),
        write_csv(
            tmp / "inventory.csv",
            ["store_id", "product_id", "on_hand"],
            [(s, "P", q) for s, q in on_hand.items()],
        ),
        write_csv(tmp / "sales.csv", ["date", "store_id", "product_id", "units"], sales),
    ]


def _run(cli: Any, tmp: Path, files: list[Path], *extra: str) -> dict[str, dict[str, Any]]:
    stores, inventory, sales = files
    out = tmp / "result.json"
    res = cli(
        "backtest", "--stores", stores, "--inventory", inventory, "--sales", sales,
        "--start", str(START), "--weeks", "2", "--clusters", "1", "--window", "7",
        "--cover-days", "7", "--policies", "warehouse,greedy,optimal", "--output", out, *extra,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "stockshift.backtest/1"
    got = {p["policy"]: p for p in doc["policies"]}
    # one store with surplus and one in need: the min-cost flow is the greedy's line
    assert {**got["optimal"], "policy": "greedy"} == got["greedy"]
    return got


def _check(got: dict[str, Any], want: dict[str, float]) -> None:
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-3), key


def test_transfer_fills_a_store_the_warehouse_leaves_empty_for_a_week(
    cli: Any, tmp_path: Path
) -> None:
    """A holds 10 and never sells; B holds 0 and sells 2 a day, before and during the run.

    Targets at every review: A ⌈7·0⌉ = 0, B ⌈7·2⌉ = 14.

    warehouse — day 0: B orders 14 − 0 = 14 (arrives day 7), A orders 0. Days 0-6 B has
    nothing: lost 7·2 = 14. Day 7 the 14 arrive; review: B position 14, orders 0; days 7-13
    sell 2 a day: sold 14. Demand 28, sold 14, lost 14, fill 0.5, warehouse units 14.
    Stock (on hand after sales + pipeline): days 0-6 10 + 14 = 24 → 168; days 7-13
    10 + (12, 10, 8, 6, 4, 2, 0) → 70 + 42 = 112; average 280 / 14 = 20.
    Conservation: 10 + 14 = 14 sold + 10 end + 0 pipeline.

    greedy — day 0: A surplus ⌊10 − 0⌋ = 10, B need 14: line A→B 10 (arrives day 1), B
    position 10, orders 14 − 10 = 4 (day 7). Day 0 lost 2; days 1-5 sell 2 a day from the
    10; day 6 lost 2 → week 1 sold 10, lost 4. Day 7: +4; review: A has nothing left,
    B position 4 needs 10 and orders 10 (arrives day 14, after the run). Days 7-8 sell 2, 2;
    days 9-13 lost 2 a day = 10 → week 2 sold 4, lost 10. Demand 28, sold 14, lost 14
    (0 % vs warehouse), warehouse units 4 + 10 = 14, transfer units 10, 1 line,
    unit-km 10·11.1195. Stock: day 0 0 + 0 + (10 + 4) = 14; days 1-6 8, 6, 4, 2, 0, 0 plus
    4 pending → 12, 10, 8, 6, 4, 4; day 7 2 + 0; day 8 0; days 9-13 0, plus 10 pending from
    day 7 → days 7-13: 12, 10, 10, 10, 10, 10, 10. Sum 14 + 44 + 72 = 130; average 130 / 14.
    Conservation: 10 + 14 = 14 sold + 0 end + 10 pipeline.
    """
    files = _case(tmp_path, {"A": 10, "B": 0}, {"A": 0, "B": 2}, {"B": [2] * 14})
    got = _run(cli, tmp_path, files)
    _check(got["warehouse"], {
        "demand": 28, "sold": 14, "lost": 14, "fill_rate": 0.5, "warehouse_units": 14,
        "transfer_units": 0, "transfer_lines": 0, "unit_km": 0, "average_stock": 20,
        "lost_vs_warehouse_pct": 0, "end_stock": 10, "pipeline": 0,
    })  # fmt: skip
    _check(got["greedy"], {
        "demand": 28, "sold": 14, "lost": 14, "fill_rate": 0.5, "warehouse_units": 14,
        "transfer_units": 10, "transfer_lines": 1, "unit_km": round(10 * D_AB, 2),
        "average_stock": round(130 / 14, 2), "lost_vs_warehouse_pct": 0, "end_stock": 0,
        "pipeline": 10,
    })  # fmt: skip
    assert [w["lost"] for w in got["greedy"]["weeks"]] == [4, 10]
    assert [w["lost"] for w in got["warehouse"]["weeks"]] == [14, 0]


def test_greedy_strips_a_source_that_then_runs_out(cli: Any, tmp_path: Path) -> None:
    """A sold 1 a day and holds 20; B sold 3 a day and holds 0. In the run demand turns
    round: A sells 3 a day, B nothing.

    Day 0 targets: A ⌈7·1⌉ = 7, B ⌈7·3⌉ = 21. Day 7 targets (history = days 0-6 of the
    run): A 21, B 0.

    warehouse — day 0: A orders 0 (position 20), B orders 21 (day 7). Week 1: A sells 3 a
    day from 20: days 0-5 sell 18, day 6 sells 2 and loses 1. Day 7: B +21; A position 0
    orders 21 (day 14, after the run); B position 21 orders 0. Week 2: A loses 21, B sells
    nothing. Demand 42, sold 20, lost 22, warehouse units 42. Stock: week 1 A (17, 14, 11,
    8, 5, 2, 0) + 21 pending = 204; week 2 21 at B + 21 pending = 42 a day = 294;
    average 498 / 14. End stock 21 (at B), pipeline 21: 20 + 42 = 20 + 21 + 21.

    greedy — day 0: A surplus 20 − 7 = 13, B need 21: A→B 13 (day 1); A keeps 7; B position
    13 orders 8 (day 7). Week 1: A sells 3, 3, 1 and loses 2 + 4·3 = 14 (it would have lost
    1 without the move); B's 13 do not sell. Day 7: B +8 = 21 on hand; review: B surplus
    21 − 0 = 21, A need 21: B→A 21 (day 8); nobody orders. Week 2: A loses 3 on day 7, then
    sells 3 a day on days 8-13 = 18 and keeps 3. Demand 42, sold 7 + 18 = 25, lost 14 + 3 = 17
    (−22.727 % vs warehouse), warehouse units 8, transfer units 34 in 2 lines, unit-km
    34·11.1195. Stock: week 1 (4 + 21, 1 + 13 + 8, then 13 + 8 for 5 days) = 152; week 2
    21 pending, then A 18, 15, 12, 9, 6, 3 = 84; average 236 / 14. End 3, pipeline 0:
    20 + 8 = 25 + 3.
    """
    files = _case(tmp_path, {"A": 20, "B": 0}, {"A": 1, "B": 3}, {"A": [3] * 14, "B": [0] * 14})
    got = _run(cli, tmp_path, files)
    _check(got["warehouse"], {
        "demand": 42, "sold": 20, "lost": 22, "warehouse_units": 42, "transfer_units": 0,
        "average_stock": round(498 / 14, 2), "end_stock": 21, "pipeline": 21,
    })  # fmt: skip
    _check(got["greedy"], {
        "demand": 42, "sold": 25, "lost": 17, "fill_rate": round(25 / 42, 6),
        "warehouse_units": 8, "transfer_units": 34, "transfer_lines": 2,
        "unit_km": round(34 * D_AB, 2), "average_stock": round(236 / 14, 2),
        "lost_vs_warehouse_pct": round(100 * (17 - 22) / 22, 3), "end_stock": 3, "pipeline": 0,
    })  # fmt: skip
    assert [w["lost"] for w in got["greedy"]["weeks"]] == [14, 3]
    assert [w["lost"] for w in got["warehouse"]["weeks"]] == [1, 21]


def test_weekly_csv_and_chart(cli: Any, tmp_path: Path) -> None:
    files = _case(tmp_path, {"A": 10, "B": 0}, {"A": 0, "B": 2}, {"B": [2] * 14})
    _run(
        cli, tmp_path, files, "--csv", str(tmp_path / "weeks.csv"), "--png", str(tmp_path / "c.png")
    )
    lines = (tmp_path / "weeks.csv").read_text().splitlines()
    assert lines[0].startswith("policy,week,week_start,demand,sold,lost,cumulative_lost")
    assert lines[1:5] == [
        "warehouse,1,2026-03-09,14.0,0.0,14.0,14.0,0.0,14.0,0,0,0.0,24.0",
        "warehouse,2,2026-03-16,14.0,14.0,0.0,14.0,1.0,0.0,0,0,0.0,16.0",
        f"greedy,1,2026-03-09,14.0,10.0,4.0,4.0,{10 / 14:.6f},4.0,10,1,{round(10 * D_AB, 2)},"
        f"{58 / 7:.2f}",
        f"greedy,2,2026-03-16,14.0,4.0,10.0,14.0,{4 / 14:.6f},10.0,0,0,0.0,{72 / 7:.2f}",
    ]
    assert [line.replace("optimal", "greedy") for line in lines[5:]] == lines[3:5]
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BAD = {
    "unknown policy": (["--policies", "warehouse,magic"], ["--policies", "magic"]),
    "no policy": (["--policies", ","], ["--policies", "none given"]),
    "zero weeks": (["--weeks", "0"], ["--weeks 0", "at least 1"]),
    "zero review days": (["--review-days", "0"], ["--review-days 0"]),
    "negative lead time": (["--warehouse-lead-days", "-1"], ["--warehouse-lead-days -1"]),
    "bad date": (["--start", "09/03/2026"], ["--start", "YYYY-MM-DD"]),
    "start without history": (["--start", "2026-03-02"], ["--start 2026-03-02", "no history"]),
    "run past the sales": (
        ["--start", "2026-03-10"],
        ["--start 2026-03-10", "end on 2026-03-23", "on or before 2026-03-09"],
    ),
    "bad window": (["--window", "0"], ["--window 0"]),
    "bad service level": (["--service-level", "1.5"], ["--service-level"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_options_exit_2_and_write_nothing(cli: Any, tmp_path: Path, case: str) -> None:
    args, words = BAD[case]
    stores, inventory, sales = _case(tmp_path, {"A": 10, "B": 0}, {"B": 2}, {"B": [2] * 14})
    out = tmp_path / "result.json"
    base = ["--stores", stores, "--inventory", inventory, "--sales", sales, "--weeks", "2"]
    if "--start" not in args:
        base += ["--start", str(START)]
    res = cli("backtest", *base, *args, "--output", out, "--csv", tmp_path / "w.csv")
    assert res.exit_code == 2, res.stdout
    for word in words:
        assert word in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists() and not (tmp_path / "w.csv").exists()


def test_sales_are_required(cli: Any, tmp_path: Path) -> None:
    stores, inventory, _ = _case(tmp_path, {"A": 1}, {}, {})
    res = cli("backtest", "--stores", stores, "--inventory", inventory)
    assert res.exit_code == 2
    assert "--sales" in res.stderr


def test_expected_benefit_moves_nothing_when_the_warehouse_is_as_fast(
    cli: Any, tmp_path: Path
) -> None:
    """With T = L = 1 a unit received by transfer arrives no sooner than a warehouse order
    placed today, so its gain is 0 (SPEC section 9) and expected-benefit never moves one:
    its figures are warehouse's, line for line. Greedy, on the same case, does move."""
    files = _case(tmp_path, {"A": 20, "B": 0}, {"A": 1, "B": 3}, {"A": [3] * 14, "B": [0] * 14})
    stores, inventory, sales = files
    out = tmp_path / "eb.json"
    res = cli(
        "backtest", "--stores", stores, "--inventory", inventory, "--sales", sales,
        "--start", str(START), "--weeks", "2", "--clusters", "1", "--window", "7",
        "--cover-days", "7", "--warehouse-lead-days", "1", "--transfer-lead-days", "1",
        "--policies", "greedy,expected-benefit", "--output", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    got = {p["policy"]: p for p in json.loads(out.read_text())["policies"]}
    assert got["greedy"]["transfer_units"] > 0
    eb = {**got["expected-benefit"], "policy": "warehouse"}
    assert eb == got["warehouse"]
