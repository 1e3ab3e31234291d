"""A plan whose stock moved since it was made is flagged before executing, and the 409 that
executing it gets names the store and product that fall short."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tests.api.conftest import Api
from tests.api.test_journeys import PROBLEM, _plan, _upload
from tests.db.factory import chain_files


def _check(api: Api, plan_id: int) -> dict[str, object]:
    r = api.client.get(f"/api/v1/plans/{plan_id}/stock-check", headers=api.auth("viewer"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _adjust(api: Api, store: str, product: str, delta: int) -> None:
    r = api.client.post(
        "/api/v1/inventory/adjustments",
        json={"store_id": store, "product_id": product, "delta": delta, "reason": "count"},
        headers=api.auth("admin"),
    )
    assert r.status_code == 201, r.text


def test_a_fresh_plan_is_not_stale_and_a_stock_change_flags_it(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path))
    plan_id = _plan(api, target="cluster-mean", clusters="3")
    fresh = _check(api, plan_id)
    assert fresh["stale"] is False and fresh["changes"] == 0 and fresh["short_count"] == 0
    assert fresh["last_change_at"] is None and fresh["short"] == []

    # stock away from the plan's sources: stale, but every source still holds what it gives
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    take: dict[tuple[str, str], int] = defaultdict(int)
    for t in doc["transfers"]:
        take[(t["from_store"], t["product_id"])] += t["quantity"]
    (store, product), needed = sorted(take.items())[0]
    _adjust(api, store, product, +5)
    moved = _check(api, plan_id)
    assert moved["stale"] is True and moved["changes"] == 1 and moved["short_count"] == 0
    assert moved["last_change_at"] is not None and moved["last_change_at"] >= moved["made_at"]

    # counted short: the check names the source, and executing is refused naming it too
    stock = api.client.get(
        "/api/v1/inventory",
        params={"store_id": store, "product_id": product},
        headers=api.auth("viewer"),
    ).json()["items"][0]
    _adjust(api, store, product, -(stock["on_hand"] - needed + 1))
    short = _check(api, plan_id)
    assert short["changes"] == 2 and short["short_count"] == 1
    assert short["short"] == [
        {"store_id": store, "product_id": product, "needed": needed, "on_hand": needed - 1}
    ]
    r = api.client.post(f"/api/v1/plans/{plan_id}/execute", headers=api.auth("planner"))
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    detail = r.json()["detail"]
    assert f"store {store} holds {needed - 1} of product {product}" in detail, detail
    assert f"its lines take {needed}" in detail
    assert r.json()["errors"] == short["short"]


def test_a_plan_s_own_dispatch_does_not_make_it_stale(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path))
    first = _plan(api, target="cluster-mean", clusters="3")
    second = _plan(api, target="cluster-mean", clusters="3")
    r = api.client.post(f"/api/v1/plans/{first}/execute", headers=api.auth("planner"))
    assert r.status_code == 200, r.text
    assert _check(api, first)["stale"] is False
    after = _check(api, second)  # the first plan's dispatch moved the stock the second read
    assert after["stale"] is True and after["changes"] == 2 * r.json()["lines"]


def test_unknown_plan_is_404(api: Api) -> None:
    r = api.client.get("/api/v1/plans/999/stock-check", headers=api.auth("viewer"))
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
