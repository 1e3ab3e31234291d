"""The service's user journeys over HTTP: import, plan, read, execute, receive, and errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stockshift.core.forecast import STANDARD
from stockshift.document import SCHEMA
from tests.api.conftest import Api
from tests.db.factory import ChainFiles, chain_files, without_store
from tests.factories import write_csv

PROBLEM = "application/problem+json"


def _upload(api: Api, files: ChainFiles, *, sales: bool = True) -> dict[str, object]:
    parts = {
        "stores": ("stores.csv", files.stores.read_bytes(), "text/csv"),
        "inventory": ("inventory.csv", files.inventory.read_bytes(), "text/csv"),
    }
    if sales:
        parts["sales"] = ("sales.csv", files.sales.read_bytes(), "text/csv")
    r = api.client.post("/api/v1/import", files=parts, headers=api.auth("admin"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _plan(api: Api, **params: object) -> int:
    r = api.client.post("/api/v1/plans", json=params, headers=api.auth("planner"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "running"
    plan_id: int = r.json()["plan_id"]
    api.wait(plan_id)
    return plan_id


@pytest.mark.parametrize("policy", ["greedy", "optimal", "expected-benefit"])
def test_import_plan_execute_receive(api: Api, tmp_path: Path, policy: str) -> None:
    summary = _upload(api, chain_files(tmp_path))
    assert summary["stores"] == 9 and summary["stock_rows"] == 36
    viewer = api.auth("viewer")
    stores = api.client.get("/api/v1/stores", headers=viewer).json()
    assert stores["total"] == 9 and {"store_id", "lat", "lon", "cluster"} <= set(stores["items"][0])

    plan_id = _plan(api, target="cluster-mean", clusters="3", policy=policy)
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=viewer).json()
    assert doc["schema"] == SCHEMA and doc["plan_id"] == plan_id
    assert doc["parameters"]["policy"] == policy
    gains = [t["expected_gain"] for t in doc["transfers"]]
    if policy == "expected-benefit":
        assert gains and all(g > 0 for g in gains), doc["error"]
        assert doc["summary"]["expected_gain"] > 0, doc["summary"]
    else:
        assert gains == [None] * len(gains)
    assert doc["status"] == "completed" and doc["transfers"]
    line = doc["transfers"][0]
    assert {"transfer_id", "status", "product_id", "from_store", "to_store", "quantity",
            "distance_km", "scope"} <= set(line)  # fmt: skip
    assert doc["summary"]["transfers"] == len(doc["transfers"])

    in_plan = {s["store_id"]: s["cluster"] for s in doc["stores"]}
    listed_stores = api.client.get("/api/v1/stores", headers=viewer).json()["items"]
    assert {s["store_id"]: s["cluster"] for s in listed_stores} == in_plan
    assert all(s["region"] is None for s in listed_stores)  # no cluster column imported

    geo = api.client.get(f"/api/v1/plans/{plan_id}/routes", headers=viewer).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == len(doc["transfers"])
    assert geo["features"][0]["geometry"]["type"] == "LineString"
    assert geo["features"][0]["properties"]["quantity"] == line["quantity"]

    listed = api.client.get(
        "/api/v1/transfers",
        params={"plan_id": plan_id, "product_id": line["product_id"], "limit": 2},
        headers=viewer,
    ).json()
    assert listed["total"] >= 1 and len(listed["items"]) <= 2
    assert all(t["product_id"] == line["product_id"] for t in listed["items"])

    totals = api.client.get("/api/v1/inventory/totals", headers=viewer).json()
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("viewer"))
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 200, r.text
    assert r.json()["lines"] == len(doc["transfers"])
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 409 and "executed before" in r.json()["detail"]
    after = api.client.get("/api/v1/inventory/totals", headers=viewer).json()
    assert after["total"] == totals["total"]
    assert after["in_transit"] == sum(t["quantity"] for t in doc["transfers"])

    tid = line["transfer_id"]
    r = api.client.post(f"/api/v1/transfers/{tid}/receive", headers=api.auth("planner"))
    assert r.status_code == 200 and r.json()["status"] == "received"
    r = api.client.post(f"/api/v1/transfers/{tid}/receive", headers=api.auth("planner"))
    assert r.status_code == 409
    again = api.client.get(f"/api/v1/plans/{plan_id}", headers=viewer).json()
    assert again["status"] == "executed"
    assert [t["status"] for t in again["transfers"]] == ["received"] + ["dispatched"] * (
        len(doc["transfers"]) - 1
    )
    other = doc["transfers"][1]["transfer_id"]
    assert api.client.post(
        f"/api/v1/transfers/{other}/cancel", headers=api.auth("planner")
    ).is_success
    again = api.client.get(f"/api/v1/plans/{plan_id}", headers=viewer).json()
    assert again["transfers"][1]["status"] == "cancelled"
    dispatched = api.client.get(
        "/api/v1/transfers", params={"status": "dispatched"}, headers=viewer
    ).json()
    assert dispatched["total"] == len(doc["transfers"]) - 2
    ledger = api.client.get("/api/v1/ledger", params={"plan_id": plan_id}, headers=viewer).json()
    assert ledger["total"] == 2 * len(doc["transfers"]) + 1 + 2
    assert api.client.get("/api/v1/plans", headers=viewer).json()["items"][0]["status"] == (
        "executed"
    )


def test_bad_import_is_422_with_rows(api: Api, tmp_path: Path) -> None:
    files = chain_files(tmp_path)
    bad = write_csv(
        tmp_path / "inv.csv", ["store_id", "product_id", "on_hand"], [("S000", "P1", "-1")]
    )
    r = api.client.post(
        "/api/v1/import",
        files={
            "stores": ("stores.csv", files.stores.read_bytes()),
            "inventory": ("inv.csv", bad.read_bytes()),
        },
        headers=api.auth("admin"),
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["column"] == "on_hand"
    assert body["errors"][0]["file"] == "inv.csv"
    stores = api.client.get("/api/v1/stores", headers=api.auth("viewer")).json()
    assert stores["total"] == 0


def test_sales_adjustments_history_clusters(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path, days=30))
    admin, viewer = api.auth("admin"), api.auth("viewer")
    stock = api.client.get(
        "/api/v1/inventory", params={"store_id": "S001", "product_id": "P01"}, headers=viewer
    ).json()["items"][0]
    r = api.client.post(
        "/api/v1/sales",
        json={
            "sales": [
                {"date": "2024-03-31", "store_id": "S001", "product_id": "P01",
                 "units": stock["on_hand"] + 3},
            ]
        },
        headers=admin,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["units_taken"], r.json()["units_short"]) == (stock["on_hand"], 3)
    r = api.client.post(
        "/api/v1/inventory/adjustments",
        json={"store_id": "S001", "product_id": "P01", "delta": 10, "reason": "delivery"},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["on_hand"] == 10
    r = api.client.post(
        "/api/v1/inventory/adjustments",
        json={"store_id": "S001", "product_id": "P01", "delta": -11, "reason": "count"},
        headers=admin,
    )
    assert r.status_code == 409
    hist = api.client.get(
        "/api/v1/stores/S001/products/P01/history",
        params={"days": 10, "window": 7, "cover_days": 3},
        headers=viewer,
    ).json()
    assert len(hist["history"]) == 10 and hist["history"][-1]["date"] == "2024-03-31"
    assert hist["forecast"]["rate_per_day"] >= 0 and len(hist["forecast"]["daily"]) == 3
    auto = api.client.get(
        "/api/v1/stores/S001/products/P01/history",
        params={"days": 10, "method": "auto", "cover_days": 7, "service_level": 0.9},
        headers=viewer,
    ).json()["forecast"]
    assert auto["method"] == "auto" and auto["chosen_method"] in STANDARD
    mean, sigma = auto["rate_per_day"] * 7, auto["sigma"]
    assert auto["target"] == max(math.ceil(mean + 1.2815515655446004 * sigma - 1e-9), 0)
    assert auto["interval"]["level"] == 0.8
    assert auto["interval"]["high"] == pytest.approx(mean + 1.2815515655446004 * sigma)
    assert len(auto["daily"]) == 7 and auto["daily"][0]["units"] == auto["rate_per_day"]
    r = api.client.get("/api/v1/stores/S001/products/NOPE/history", headers=viewer)
    assert r.status_code == 404
    clusters = api.client.get("/api/v1/clusters", headers=viewer).json()
    assert clusters["method"] == "auto" and clusters["elbow"]["chosen_k"] == clusters["k"]
    assert sum(len(c["store_ids"]) for c in clusters["clusters"]) == 9


def test_failed_plan_and_unknown_ids(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path), sales=False)
    plan_id = _plan(api, target="forecast")
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    assert doc["status"] == "failed" and "sales" in doc["error"]
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 409
    for path in ("/api/v1/plans/999", "/api/v1/transfers/999", "/api/v1/plans/999/routes"):
        r = api.client.get(path, headers=api.auth("viewer"))
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    r = api.client.post("/api/v1/plans", json={"pack_size": 0}, headers=api.auth("planner"))
    assert r.status_code == 422 and "pack_size" in r.json()["detail"]


def test_limits_cors_and_keys(api: Api) -> None:
    big = {"sales": [{"date": "2024-01-01", "store_id": "S" * 60, "product_id": "P",
                      "units": 1}] * 2000}  # fmt: skip
    r = api.client.post("/api/v1/sales", json=big, headers=api.auth("admin"))
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    r = api.client.get("/api/v1/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers
    r = api.client.post("/api/v1/keys", json={"role": "viewer"}, headers=api.auth("admin"))
    assert r.status_code == 201
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['key']}"})
    assert me.json()["role"] == "viewer"
    r = api.client.get("/api/v1/me", headers={"Authorization": "Bearer ssk_not-a-key"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    config = api.client.get("/api/v1/config", headers=api.auth("viewer")).json()
    assert "{z}" in config["tile_url"]


def test_plan_with_forecast_auto_records_each_rows_model(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path))
    plan_id = _plan(api, target="forecast", forecast="auto", cover_days=7, service_level=0.9)
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    assert doc["status"] == "completed", doc.get("error")
    assert doc["parameters"]["forecast"] == "auto"
    rows = doc["targets"]
    assert len(rows) == 36
    assert {"product_id", "store_id", "target", "rate_per_day", "sigma", "method"} <= set(rows[0])
    assert all(r["sigma"] >= 0 and r["rate_per_day"] >= 0 and r["method"] for r in rows)
    r = api.client.post(
        "/api/v1/plans", json={"forecast": "crystal-ball"}, headers=api.auth("planner")
    )
    assert r.status_code == 422


def test_reimport_dropping_a_store_with_open_transfers_is_409(api: Api, tmp_path: Path) -> None:
    """Issue 7.7: the store's units in transit must not vanish from the totals."""
    files = chain_files(tmp_path)
    _upload(api, files, sales=False)
    plan_id = _plan(api, target="cluster-mean", clusters="3")
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 200, r.text
    viewer = api.auth("viewer")
    line = api.client.get("/api/v1/transfers", params={"limit": 1}, headers=viewer).json()
    store = line["items"][0]["to_store"]
    totals = api.client.get("/api/v1/inventory/totals", headers=viewer).json()
    closed = without_store(files, store, tmp_path / "closed")
    r = api.client.post(
        "/api/v1/import",
        files={
            "stores": ("stores.csv", closed.stores.read_bytes(), "text/csv"),
            "inventory": ("inventory.csv", closed.inventory.read_bytes(), "text/csv"),
        },
        headers=api.auth("admin"),
    )
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM, r.text
    body = r.json()
    assert store in body["detail"] and str(line["items"][0]["transfer_id"]) in body["detail"]
    assert body["errors"][0]["store_id"] == store and body["errors"][0]["inbound"] >= 1
    assert api.client.get("/api/v1/inventory/totals", headers=viewer).json() == totals
    assert api.client.get("/api/v1/stores", headers=viewer).json()["total"] == 9
