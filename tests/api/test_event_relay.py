"""serve --workers N: events published in one server process reach the streams of the
others through the database, once, and a process does not get its own back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.config import Settings
from tests.api.conftest import Api, make_keys
from tests.api.test_journeys import _upload
from tests.db.factory import chain_files


def _app(database_url: str, tmp_path: Path) -> tuple[FastAPI, list[dict[str, Any]]]:
    settings = Settings(
        database_url=database_url, web_dist=tmp_path / "none", workers=2, plan_mode="thread"
    )
    app = create_app(settings)
    seen: list[dict[str, Any]] = []
    broker = app.state.stockshift.broker
    here = broker.publish_here
    broker.publish_here = lambda name, **data: (
        seen.append({"event": name, **data}),
        here(name, **data),
    )
    return app, seen


def _until(check: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the event did not arrive"
        time.sleep(0.1)


def test_events_cross_server_processes(database_url: str, tmp_path: Path) -> None:
    first, seen_first = _app(database_url, tmp_path)
    second, seen_second = _app(database_url, tmp_path)
    keys = make_keys(database_url)
    with TestClient(first) as one, TestClient(second) as two:
        assert two.get("/api/v1/health").status_code == 200
        first.state.stockshift.broker.publish("stock", reason="adjust", store_ids=["S1"])
        _until(lambda: {"event": "stock", "reason": "adjust", "store_ids": ["S1"]} in seen_second)
        api = Api(first, one, keys)
        _upload(api, chain_files(tmp_path))
        r = one.post("/api/v1/plans", json={"target": "cluster-mean"}, headers=api.auth("planner"))
        plan_id = r.json()["plan_id"]
        api.wait(plan_id)
        done = {"event": "plan", "plan_id": plan_id, "status": "completed"}
        _until(lambda: any(done.items() <= e.items() for e in seen_second))
        time.sleep(1.5)  # three more polls: nothing comes twice, nothing comes back
    stock = [e for e in seen_second if e["event"] == "stock" and e.get("reason") == "adjust"]
    assert len(stock) == 1
    assert sum(1 for e in seen_second if done.items() <= e.items()) == 1
    assert sum(1 for e in seen_first if done.items() <= e.items()) == 1  # its own, once
