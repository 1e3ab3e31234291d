"""Plans computed in worker processes (the server's default): they complete or fail as in a
thread, their steps still become events, and the server process does no planning."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.api.planner import PLAN_NICENESS
from stockshift.config import Settings
from tests.api.conftest import Api, make_keys
from tests.api.test_journeys import _upload
from tests.db.factory import chain_files


def test_plans_run_in_worker_processes(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, web_dist=tmp_path / "none")
    assert settings.plan_mode == "process"
    app = create_app(settings)
    keys = make_keys(database_url)
    events: list[dict[str, Any]] = []
    broker = app.state.stockshift.broker
    broker.publish = lambda name, **data: events.append({"event": name, **data})
    planner = app.state.stockshift.planner
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(app, client, keys)
        _upload(api, chain_files(tmp_path))
        done = []
        for body in ({"target": "cluster-mean"}, {"target": "cluster-mean", "clusters": "column"}):
            r = client.post("/api/v1/plans", json=body, headers=api.auth("planner"))
            assert r.status_code == 201, r.text
            plan_id = r.json()["plan_id"]
            api.wait(plan_id)
            done.append(client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json())
        pids = planner._pool.submit(os.getpid).result(60)  # the pool's worker
        niceness = planner._pool.submit(os.nice, 0).result(60)
    assert pids != os.getpid()
    assert niceness == min(19, os.nice(0) + PLAN_NICENESS)  # plans yield the cores to requests
    ok, failed = done
    assert ok["status"] == "completed" and ok["transfers"], ok.get("error")
    assert failed["status"] == "failed" and "cluster" in failed["error"]
    plan_events = [e for e in events if e["event"] == "plan"]
    assert {"plan_id": ok["plan_id"], "status": "completed", "event": "plan",
            "transfers": len(ok["transfers"])} in plan_events  # fmt: skip
    assert any(e.get("progress") for e in plan_events if e["plan_id"] == ok["plan_id"])
    assert any(e["status"] == "failed" for e in plan_events if e["plan_id"] == failed["plan_id"])
