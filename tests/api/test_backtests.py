"""Backtests in the service: POST /api/v1/backtests runs in the background, GET returns the
result of SPEC section 10 — the same as ``stockshift backtest`` on the imported files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.backtest import BacktestSettings
from stockshift.core.types import PlanParameters
from stockshift.service.backtesting import BacktestRequest, run_backtest_job, start_backtest
from tests.api.conftest import Api
from tests.db.factory import chain_files, load_chain

PROBLEM = "application/problem+json"


def _import(api: Api, tmp: Path, *, sales: bool = True) -> Any:
    files = chain_files(tmp)
    parts = {
        "stores": ("stores.csv", files.stores.read_bytes(), "text/csv"),
        "inventory": ("inventory.csv", files.inventory.read_bytes(), "text/csv"),
    }
    if sales:
        parts["sales"] = ("sales.csv", files.sales.read_bytes(), "text/csv")
    r = api.client.post("/api/v1/import", files=parts, headers=api.auth("admin"))
    assert r.status_code == 200, r.text
    return files


def test_backtest_in_the_background_equals_the_cli(api: Api, tmp_path: Path, cli: Any) -> None:
    files = _import(api, tmp_path)
    body = {"weeks": 2, "policies": ["greedy", "optimal"], "clusters": "3", "cover_days": 14}
    r = api.client.post("/api/v1/backtests", json=body, headers=api.auth("planner"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "running"
    backtest_id = r.json()["backtest_id"]
    api.app.state.stockshift.backtester.wait(backtest_id, timeout=120)

    got = api.client.get(f"/api/v1/backtests/{backtest_id}", headers=api.auth("viewer")).json()
    assert got["status"] == "completed" and got["error"] is None and got["progress"] is None
    result = got["result"]
    assert result["schema"] == "stockshift.backtest/1"
    assert [p["policy"] for p in result["policies"]] == ["warehouse", "greedy", "optimal"]
    for p in result["policies"]:
        assert p["start_stock"] + p["warehouse_units"] == round(
            p["sold"] + p["end_stock"] + p["pipeline"], 4
        )

    out = tmp_path / "cli.json"
    res = cli(
        "backtest", "--stores", files.stores, "--inventory", files.inventory,
        "--sales", files.sales, "--weeks", "2", "--policies", "greedy,optimal",
        "--clusters", "3", "--cover-days", "14", "--output", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert json.loads(out.read_text()) == result

    listed = api.client.get("/api/v1/backtests", headers=api.auth("viewer")).json()
    assert listed["total"] == 1 and listed["items"][0]["backtest_id"] == backtest_id
    assert listed["items"][0]["result"] is None


def test_backtest_requests_that_cannot_run(api: Api, tmp_path: Path) -> None:
    planner = api.auth("planner")
    r = api.client.post("/api/v1/backtests", json={"weeks": 1}, headers=planner)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert "sales" in r.json()["detail"]  # nothing imported yet

    _import(api, tmp_path)
    r = api.client.post("/api/v1/backtests", json={"weeks": 1}, headers=api.auth("viewer"))
    assert r.status_code == 403
    for body, words in (
        ({"weeks": 0}, ["weeks"]),
        ({"policies": ["magic"]}, ["policies"]),
        ({"policies": []}, ["policies"]),
        ({"review_days": 0}, ["review_days"]),
        ({"forecast": "crystal-ball"}, ["forecast 'crystal-ball'"]),
        ({"start": "2024-03-01", "weeks": 1}, ["start 2024-03-01", "no history"]),
        ({"start": "2024-03-10", "weeks": 2}, ["the sales end on 2024-03-21"]),
        ({"weeks": 1, "surprise": 1}, ["surprise"]),
    ):
        r = api.client.post("/api/v1/backtests", json=body, headers=planner)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == PROBLEM
        for word in words:
            assert word in r.json()["detail"], (body, r.json())
    assert api.client.get("/api/v1/backtests", headers=planner).json()["total"] == 0
    r = api.client.get("/api/v1/backtests/99", headers=planner)
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


def test_progress_is_reported_once_per_replayed_week(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    load_chain(sessions, chain_files(tmp_path))
    request = BacktestRequest(
        BacktestSettings(start=np.datetime64("2024-03-08"), weeks=2, policies=("greedy",)),
        PlanParameters(clusters="3"),
    )
    backtest_id = start_backtest(sessions, request, key_id=None)
    events: list[dict[str, Any]] = []
    run_backtest_job(sessions, backtest_id, request, lambda **e: events.append(e))
    steps = [(e["progress"]["policy"], e["progress"]["day"]) for e in events[:-1]]
    assert steps == [("warehouse", 7), ("warehouse", 14), ("greedy", 7), ("greedy", 14)]
    assert all(e["status"] == "running" for e in events[:-1])
    assert events[-1] == {"backtest_id": backtest_id, "status": "completed"}
