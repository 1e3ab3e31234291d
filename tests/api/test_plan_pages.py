"""A big plan read in parts: keyset pages of lines and orders, totals, flows, and the whole
document gzipped behind a strong ETag."""

from __future__ import annotations

import base64
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_journeys import PROBLEM, _plan, _upload
from tests.db.factory import chain_files

FIELDS = ["seq", "quantity", "distance_km", "product_id", "from_store", "to_store",
          "expected_gain", "scope", "status"]  # fmt: skip
SORTS = FIELDS + [f"-{f}" for f in FIELDS]


@pytest.fixture
def planned(api: Api, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    """A plan of a few dozen lines over several products and clusters, and its document."""
    _upload(api, chain_files(tmp_path, stores=15, products=5, seed=3))
    plan_id = _plan(api, target="cluster-mean", clusters="3")
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    assert len(doc["transfers"]) >= 15 and doc["warehouse_orders"]
    return plan_id, doc


def _walk(api: Api, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of a keyset-paged listing, following next_cursor; and the total."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    totals = set()
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = api.client.get(path, params=query, headers=api.auth("viewer"))
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= page["limit"]
        items += page["items"]
        totals.add(page["total"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(totals) == 1
    return items, totals.pop()


def test_paging_walks_every_line_once_in_sort_order(
    api: Api, planned: tuple[int, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    """Every sort, each its own subtest, over one plan: the walks only read it."""
    plan_id, doc = planned
    for sort in SORTS:
        with subtests.test(sort=sort):
            _check_sorted_walk(api, plan_id, doc, sort)


def _check_sorted_walk(api: Api, plan_id: int, doc: dict[str, Any], sort: str) -> None:
    lines, total = _walk(api, f"/api/v1/plans/{plan_id}/transfers", sort=sort, limit=4)
    assert total == len(doc["transfers"])
    assert sorted(line["transfer_id"] for line in lines) == sorted(
        line["transfer_id"] for line in doc["transfers"]
    )
    assert len({line["transfer_id"] for line in lines}) == len(lines)
    made = {line["transfer_id"]: i for i, line in enumerate(doc["transfers"])}
    field, descending = sort.lstrip("-"), sort.startswith("-")
    by_plan = sorted(doc["transfers"], key=lambda x: made[x["transfer_id"]])
    if field != "seq":  # the field's order, ties in the order the lines were made
        by_plan = sorted(by_plan, key=lambda x: -1.0 if x[field] is None else x[field])
    expected = by_plan[::-1] if descending else by_plan  # -field is field's order reversed
    assert [line["transfer_id"] for line in lines] == [x["transfer_id"] for x in expected]
    assert lines[0] == expected[0]


def test_filters_match_the_document(api: Api, planned: tuple[int, dict[str, Any]]) -> None:
    plan_id, doc = planned
    lines = doc["transfers"]
    store = Counter(x["to_store"] for x in lines).most_common(1)[0][0]
    product = lines[0]["product_id"]
    cases: list[tuple[dict[str, str], Any]] = [
        ({"product_id": product}, lambda x: x["product_id"] == product),
        ({"store_id": store}, lambda x: store in (x["from_store"], x["to_store"])),
        ({"store_id": store, "direction": "in"}, lambda x: x["to_store"] == store),
        ({"store_id": store, "direction": "out"}, lambda x: x["from_store"] == store),
        ({"scope": "cross-cluster"}, lambda x: x["scope"] == "cross-cluster"),
        ({"scope": "intra-cluster", "product_id": product},
         lambda x: x["scope"] == "intra-cluster" and x["product_id"] == product),
        ({"status": "proposed"}, lambda x: True),
        ({"status": "cancelled"}, lambda x: False),
    ]  # fmt: skip
    for params, keep in cases:
        got, total = _walk(
            api, f"/api/v1/plans/{plan_id}/transfers", sort="-quantity", limit=3, **params
        )
        want = {x["transfer_id"] for x in lines if keep(x)}
        assert {x["transfer_id"] for x in got} == want, params
        assert total == len(want) == len(got), params
    first = lines[0]["transfer_id"]
    r = api.client.post(f"/api/v1/transfers/{first}/cancel", headers=api.auth("planner"))
    assert r.status_code == 200, r.text
    got, total = _walk(api, f"/api/v1/plans/{plan_id}/transfers", status="cancelled")
    assert [x["transfer_id"] for x in got] == [first] and total == 1
    assert got[0]["status"] == "cancelled"


def test_text_filter_finds_product_or_store_id_or_name_in_any_case(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    names = {s["store_id"]: s["name"] for s in doc["stores"]}

    def found(text: str, x: dict[str, Any]) -> bool:
        ends = (x["from_store"], x["to_store"])
        fields = [x["product_id"], *ends, *(names[s] for s in ends)]
        return any(text.lower() in f.lower() for f in fields)

    line = doc["transfers"][0]
    name = names[line["to_store"]]
    for text in (line["product_id"].lower(), line["from_store"], name[2:].upper(), "%", "zz_z"):
        got, total = _walk(api, f"/api/v1/plans/{plan_id}/transfers", q=text, limit=5)
        want = {x["transfer_id"] for x in doc["transfers"] if found(text, x)}
        assert {x["transfer_id"] for x in got} == want and total == len(want), text
    flows = api.client.get(
        f"/api/v1/plans/{plan_id}/flows",
        params={"level": "store", "q": line["product_id"]},
        headers=api.auth("viewer"),
    ).json()["flows"]
    mine = [x for x in doc["transfers"] if found(line["product_id"], x)]
    assert sum(f["lines"] for f in flows) == len(mine)


def test_warehouse_orders_are_paged_filtered_and_sorted(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    orders = doc["warehouse_orders"]
    path = f"/api/v1/plans/{plan_id}/warehouse-orders"
    got, total = _walk(api, path, limit=2)
    assert [{k: x[k] for k in orders[0]} for x in got] == orders and total == len(orders)
    got, _ = _walk(api, path, limit=2, sort="-quantity")
    assert [x["quantity"] for x in got] == sorted((x["quantity"] for x in orders), reverse=True)
    store = orders[0]["store_id"]
    got, total = _walk(api, path, store_id=store, reason=orders[0]["reason"])
    want = [x for x in orders if x["store_id"] == store and x["reason"] == orders[0]["reason"]]
    assert [{k: x[k] for k in orders[0]} for x in got] == want and total == len(want)
    got, _ = _walk(api, path, limit=3, sort="-reason")
    assert [x["reason"] for x in got] == sorted((x["reason"] for x in orders), reverse=True)
    text = orders[0]["product_id"].lower()
    got, total = _walk(api, path, q=text)
    want = [
        x for x in orders if any(text in x[k].lower() for k in ("product_id", "store_id", "reason"))
    ]
    assert [{k: x[k] for k in orders[0]} for x in got] == want and total == len(want)


def test_bad_cursors_are_problems(api: Api, planned: tuple[int, dict[str, Any]]) -> None:
    plan_id, _ = planned
    path = f"/api/v1/plans/{plan_id}/transfers"
    viewer = api.auth("viewer")
    first = api.client.get(path, params={"limit": 2, "sort": "quantity"}, headers=viewer).json()
    cursor = first["next_cursor"]
    forged = base64.urlsafe_b64encode(b'["quantity",1e999,3,"x"]').decode()
    for params in (
        {"cursor": "not a cursor"},
        {"cursor": "AAAA"},
        {"cursor": forged, "sort": "quantity"},
        {"cursor": cursor, "sort": "-quantity"},  # another sort
        {"cursor": cursor, "sort": "quantity", "scope": "intra-cluster"},  # other filters
    ):
        r = api.client.get(path, params=params, headers=viewer)
        assert r.status_code == 400, (params, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert "cursor" in r.json()["detail"]
    other = f"/api/v1/plans/{plan_id}/warehouse-orders"
    assert api.client.get(other, params={"cursor": cursor}, headers=viewer).status_code == 400
    r = api.client.get(path, params={"direction": "in"}, headers=viewer)
    assert r.status_code == 422 and "store_id" in r.json()["detail"]
    r = api.client.get(path, params={"sort": "price"}, headers=viewer)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert api.client.get("/api/v1/plans/999/transfers", headers=viewer).status_code == 404
    assert api.client.get(path).status_code == 401


def test_summary_counts_lines_per_scope_and_status(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    first = doc["transfers"][0]
    api.client.post(f"/api/v1/transfers/{first['transfer_id']}/cancel", headers=api.auth("planner"))
    r = api.client.get(f"/api/v1/plans/{plan_id}/summary", headers=api.auth("viewer"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["parameters"]["target"] == "cluster-mean" and got["status"] == "completed"
    assert got["summary"] == doc["summary"]
    lines = doc["transfers"]
    assert got["lines"]["lines"] == len(lines)
    assert got["lines"]["units"] == sum(x["quantity"] for x in lines)
    assert got["lines"]["unit_km"] == pytest.approx(
        doc["summary"]["unit_km"], abs=0.01 * len(lines)
    )
    for scope in ("intra-cluster", "cross-cluster"):
        mine = [x for x in lines if x["scope"] == scope]
        assert got["scopes"][scope]["lines"] == len(mine)
        assert got["scopes"][scope]["units"] == sum(x["quantity"] for x in mine)
    assert got["statuses"]["cancelled"] == {
        "lines": 1, "units": first["quantity"],
        "unit_km": pytest.approx(first["quantity"] * first["distance_km"]),
    }  # fmt: skip
    assert got["statuses"]["proposed"]["lines"] == len(lines) - 1
    assert got["statuses"]["received"]["lines"] == 0
    orders = doc["warehouse_orders"]
    assert sum(g["orders"] for g in got["warehouse"].values()) == len(orders)
    assert sum(g["units"] for g in got["warehouse"].values()) == sum(x["quantity"] for x in orders)


def test_flows_sum_lines_per_pair_with_positions(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    stores = {s["store_id"]: s for s in doc["stores"]}
    centroids = {c["cluster"]: c["centroid"] for c in doc["clusters"]}
    viewer = api.auth("viewer")
    path = f"/api/v1/plans/{plan_id}/flows"
    for level in ("store", "cluster"):
        end = (lambda s: s) if level == "store" else (lambda s: stores[s]["cluster"])
        want: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
        for x in doc["transfers"]:
            acc = want[(end(x["from_store"]), end(x["to_store"]))]
            acc[0] += 1
            acc[1] += x["quantity"]
            acc[2] += x["quantity"] * x["distance_km"]
        got = api.client.get(path, params={"level": level}, headers=viewer).json()
        assert got["total"] == len(want) == len(got["flows"])
        units = [f["units"] for f in got["flows"]]
        assert units == sorted(units, reverse=True)
        for f in got["flows"]:
            lines, n_units, km = want[(f["origin"], f["destination"])]
            assert (f["lines"], f["units"]) == (lines, n_units)
            assert f["unit_km"] == pytest.approx(km)
            at = stores[f["origin"]] if level == "store" else centroids[f["origin"]]
            assert (f["origin_lat"], f["origin_lon"]) == (at["lat"], at["lon"])
    product = doc["transfers"][0]["product_id"]
    got = api.client.get(
        path, params={"level": "store", "product_id": product, "limit": 1}, headers=viewer
    ).json()
    mine = [x for x in doc["transfers"] if x["product_id"] == product]
    assert len(got["flows"]) == 1 and got["total"] == len(
        {(x["from_store"], x["to_store"]) for x in mine}
    )
    assert got["flows"][0]["units"] == max(x["quantity"] for x in mine)


def test_whole_plan_is_gzipped_with_a_strong_etag(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    path = f"/api/v1/plans/{plan_id}"
    viewer = api.auth("viewer")
    r = api.client.get(path, headers={**viewer, "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.json() == doc
    etag = r.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    plain = api.client.get(path, headers={**viewer, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == doc
    assert plain.headers["etag"] != etag  # one tag per representation
    again = api.client.get(path, headers={**viewer, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    r = api.client.get(path, headers={**viewer, "If-None-Match": f"W/{plain.headers['etag']}"})
    assert r.status_code == 304
    assert api.client.get(path, headers={**viewer, "If-None-Match": '"other"'}).status_code == 200
    first = doc["transfers"][0]["transfer_id"]
    api.client.post(f"/api/v1/transfers/{first}/cancel", headers=api.auth("planner"))
    changed = api.client.get(path, headers={**viewer, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["transfers"][0]["status"] == "cancelled"


def test_pages_are_gzipped_when_large(api: Api, planned: tuple[int, dict[str, Any]]) -> None:
    plan_id, _ = planned
    r = api.client.get(
        f"/api/v1/plans/{plan_id}/transfers",
        params={"limit": 100},
        headers={**api.auth("viewer"), "Accept-Encoding": "gzip"},
    )
    assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip"
    timing = r.headers["server-timing"]  # the app's own time, for clients and benchmarks
    assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) >= 0


def test_expected_benefit_lines_sort_by_gain(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path))
    plan_id = _plan(api, target="cluster-mean", clusters="3", policy="expected-benefit")
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    assert len(doc["transfers"]) >= 2, doc["error"]
    made = {x["transfer_id"]: i for i, x in enumerate(doc["transfers"])}
    want = sorted(doc["transfers"], key=lambda x: (x["expected_gain"], made[x["transfer_id"]]))
    for sort, expected in (("expected_gain", want), ("-expected_gain", want[::-1])):
        got, _ = _walk(api, f"/api/v1/plans/{plan_id}/transfers", sort=sort, limit=2)
        assert got == expected
