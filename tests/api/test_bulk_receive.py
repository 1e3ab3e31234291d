"""POST /transfers/receive: many lines in one transaction, all or nothing, inbound only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.api.conftest import Api
from tests.api.test_journeys import _plan, _upload
from tests.db.factory import chain_files


def _executed(api: Api, tmp_path: Path) -> tuple[int, list[dict[str, Any]]]:
    _upload(api, chain_files(tmp_path, stores=12, products=6))
    plan_id = _plan(api, target="cluster-mean", clusters="2")
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 200, r.text
    return plan_id, _lines(api, plan_id)


def _lines(api: Api, plan_id: int) -> list[dict[str, Any]]:
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    return doc["transfers"]  # type: ignore[no-any-return]


def _state(api: Api) -> tuple[Any, ...]:
    viewer = api.auth("viewer")
    totals = api.client.get("/api/v1/inventory/totals", headers=viewer).json()
    ledger = api.client.get("/api/v1/ledger", params={"limit": 1}, headers=viewer).json()
    stock = api.client.get("/api/v1/inventory", params={"limit": 10_000}, headers=viewer).json()
    return totals, ledger["total"], stock["items"]


def test_receive_all_to_a_store_takes_only_lines_arriving_there(api: Api, tmp_path: Path) -> None:
    plan_id, lines = _executed(api, tmp_path)
    inbound = Counter(t["to_store"] for t in lines)
    outbound = Counter(t["from_store"] for t in lines)
    both = [s for s in inbound if outbound[s]]
    assert both, "the test chain needs a store that both sends and receives"
    store = max(both, key=lambda s: inbound[s] + outbound[s])
    totals, ledger, _ = _state(api)

    r = api.client.post(
        "/api/v1/transfers/receive", json={"to_store": store}, headers=api.auth("planner")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    arriving = [t for t in lines if t["to_store"] == store]
    assert body["lines"] == len(arriving) and body["store_ids"] == [store]
    assert sorted(body["transfer_ids"]) == sorted(t["transfer_id"] for t in arriving)
    assert body["units"] == sum(t["quantity"] for t in arriving)

    after = {t["transfer_id"]: t["status"] for t in _lines(api, plan_id)}
    for t in lines:
        want = "received" if t["to_store"] == store else "dispatched"
        assert after[t["transfer_id"]] == want, t  # lines leaving the store stay in transit
    totals_after, ledger_after, _ = _state(api)
    assert totals_after["total"] == totals["total"]
    assert totals_after["in_transit"] == totals["in_transit"] - body["units"]
    assert ledger_after == ledger + len(arriving)  # one ledger row per line, as single receipts

    again = api.client.post(
        "/api/v1/transfers/receive",
        json={"to_store": store, "plan_id": plan_id},
        headers=api.auth("planner"),
    )
    assert again.status_code == 200 and again.json()["lines"] == 0


def test_receive_by_ids_is_all_or_nothing(api: Api, tmp_path: Path) -> None:
    _, lines = _executed(api, tmp_path)
    planner = api.auth("planner")
    first, second, third = (t["transfer_id"] for t in lines[:3])
    assert api.client.post(f"/api/v1/transfers/{first}/receive", headers=planner).is_success
    assert api.client.post(f"/api/v1/transfers/{second}/cancel", headers=planner).is_success
    before = _state(api)

    r = api.client.post(
        "/api/v1/transfers/receive", json={"transfer_ids": [third, first, second]}, headers=planner
    )
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert (
        f"{first} (received)" in problem["detail"] and f"{second} (cancelled)" in problem["detail"]
    )
    assert {e["transfer_id"]: e["status"] for e in problem["errors"]} == {
        first: "received",
        second: "cancelled",
    }
    assert _state(api) == before  # nothing changed, the in-transit line included

    r = api.client.post(
        "/api/v1/transfers/receive", json={"transfer_ids": [third, 2**31 - 1]}, headers=planner
    )
    assert r.status_code == 404 and str(2**31 - 1) in r.json()["detail"]
    assert _state(api) == before

    r = api.client.post(
        "/api/v1/transfers/receive", json={"transfer_ids": [third]}, headers=planner
    )
    assert r.status_code == 200 and r.json()["transfer_ids"] == [third]


def test_bad_selections_are_422(api: Api) -> None:
    planner = api.auth("planner")
    for body in (
        {},
        {"transfer_ids": [1], "to_store": "S1"},
        {"transfer_ids": [1], "plan_id": 1},
        {"transfer_ids": []},
        {"transfer_ids": [True]},
        {"to_store": "S1", "plan_id": False},
    ):
        r = api.client.post("/api/v1/transfers/receive", json=body, headers=planner)
        assert r.status_code == 422, (body, r.text)
    r = api.client.post("/api/v1/transfers/receive", json={"to_store": "nowhere"}, headers=planner)
    assert r.status_code == 404
