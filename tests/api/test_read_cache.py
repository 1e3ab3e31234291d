"""Kept answers to plan reads (api/readcache.py): the same answer as the app's own, never
one older than the plan, in any server process, and never to a caller without a key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from stockshift.api.app import create_app
from stockshift.config import Settings
from stockshift.db.keys import authenticate
from tests.api.conftest import Api
from tests.api.test_journeys import PROBLEM, _plan, _upload
from tests.db.factory import chain_files

SORTS = ["seq", "quantity", "distance_km", "product_id", "from_store", "to_store",
         "expected_gain", "scope", "status"]  # fmt: skip
GZIP = {"Accept-Encoding": "gzip"}


def _other_process(api: Api, tmp_path: Path, **changes: Any) -> Iterator[TestClient]:
    """A second app on the same database: what another server process of serve is."""
    url = api.app.state.stockshift.settings.database_url
    settings = Settings(
        database_url=url, web_dist=tmp_path / "no-dashboard", plan_mode="thread", **changes
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def other(api: Api, tmp_path: Path) -> Iterator[TestClient]:
    yield from _other_process(api, tmp_path)


@pytest.fixture
def uncached(api: Api, tmp_path: Path) -> Iterator[TestClient]:
    yield from _other_process(api, tmp_path, read_cache_mib=0)


@pytest.fixture
def planned(api: Api, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    _upload(api, chain_files(tmp_path, stores=15, products=5, seed=3))
    plan_id = _plan(api, target="cluster-mean", clusters="3")
    doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=api.auth("viewer")).json()
    assert len(doc["transfers"]) >= 15
    return plan_id, doc


def _hits(api: Api) -> int:
    hits: int = api.app.state.stockshift.reads.hits
    return hits


def _same(a: Any, b: Any) -> None:
    """Two answers alike but for the time the server took."""
    assert (a.status_code, a.content) == (b.status_code, b.content)
    mine = {k: v for k, v in a.headers.items() if k != "server-timing"}
    assert mine == {k: v for k, v in b.headers.items() if k != "server-timing"}


def _statuses(client: TestClient, api: Api, plan_id: int) -> dict[int, str]:
    r = client.get(
        f"/api/v1/plans/{plan_id}/transfers", params={"limit": 5000}, headers=api.auth("viewer")
    )
    assert r.status_code == 200, r.text
    return {x["transfer_id"]: x["status"] for x in r.json()["items"]}


def test_a_repeated_read_is_the_same_answer_sent_again(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, _ = planned
    viewer = {**api.auth("viewer"), **GZIP}
    for path in ("", "/transfers?limit=3&sort=-quantity", "/warehouse-orders", "/summary",
                 "/flows?level=store"):  # fmt: skip
        first = api.client.get(f"/api/v1/plans/{plan_id}{path}", headers=viewer)
        before = _hits(api)
        again = api.client.get(f"/api/v1/plans/{plan_id}{path}", headers=viewer)
        assert _hits(api) == before + 1, path
        _same(first, again)
    # the same parameters in another order are the same request
    before = _hits(api)
    r = api.client.get(f"/api/v1/plans/{plan_id}/transfers?sort=-quantity&limit=3", headers=viewer)
    assert _hits(api) == before + 1 and r.status_code == 200


@pytest.mark.parametrize("change", ["execute", "receive", "cancel"])
def test_a_change_through_another_process_is_seen_at_once(
    api: Api, planned: tuple[int, dict[str, Any]], other: TestClient, change: str
) -> None:
    """Pages, the document (and its ETag) and the summary kept by one server process show
    a line's new status as soon as another process has changed it."""
    plan_id, doc = planned
    planner, viewer = api.auth("planner"), api.auth("viewer")
    line = doc["transfers"][0]["transfer_id"]
    if change == "receive":  # a line must be in transit to be received
        assert other.post(f"/api/v1/plans/{plan_id}/execute", headers=planner).status_code == 200
    kept_doc = api.client.get(f"/api/v1/plans/{plan_id}", headers=viewer)
    tag = kept_doc.headers["etag"]
    r = api.client.get(f"/api/v1/plans/{plan_id}", headers={**viewer, "If-None-Match": tag})
    assert r.status_code == 304
    before = _statuses(api.client, api, plan_id)
    assert _statuses(api.client, api, plan_id) == before
    summary = api.client.get(f"/api/v1/plans/{plan_id}/summary", headers=viewer).json()
    path = {"execute": f"/plans/{plan_id}/execute", "receive": f"/transfers/{line}/receive",
            "cancel": f"/transfers/{line}/cancel"}[change]  # fmt: skip
    r = other.post(f"/api/v1{path}", headers=planner)
    assert r.status_code == 200, r.text

    after = _statuses(api.client, api, plan_id)
    assert after == _statuses(other, api, plan_id)
    want = {"execute": "dispatched", "receive": "received", "cancel": "cancelled"}[change]
    assert before[line] != want and after[line] == want
    r = api.client.get(f"/api/v1/plans/{plan_id}", headers={**viewer, "If-None-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] != tag
    assert {x["transfer_id"]: x["status"] for x in r.json()["transfers"]} == after
    now = api.client.get(f"/api/v1/plans/{plan_id}/summary", headers=viewer).json()
    assert now["statuses"] != summary["statuses"]
    assert now["statuses"][want]["lines"] >= 1


def test_only_callers_with_a_valid_key_get_a_kept_answer(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, _ = planned
    path = f"/api/v1/plans/{plan_id}/transfers"
    assert api.client.get(path, headers=api.auth("viewer")).status_code == 200
    assert api.client.get(path, headers=api.auth("viewer")).status_code == 200
    for headers in ({}, {"Authorization": "Bearer ssk_not-a-key"}, {"Authorization": "Basic x"}):
        r = api.client.get(path, headers=headers)
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM


def test_errors_and_text_searches_are_not_kept(
    api: Api, planned: tuple[int, dict[str, Any]]
) -> None:
    plan_id, doc = planned
    viewer = api.auth("viewer")
    reads = api.app.state.stockshift.reads
    kept = len(reads)
    for query in (
        "?sort=price",
        "?direction=in",
        "?cursor=bad",
        f"?q={doc['transfers'][0]['to_store']}",
    ):
        for _ in range(2):
            api.client.get(f"/api/v1/plans/{plan_id}/transfers{query}", headers=viewer)
    assert api.client.get("/api/v1/plans/999/transfers", headers=viewer).status_code == 404
    assert len(reads) == kept and reads.hits == 0


def test_a_running_plan_is_not_kept(api: Api, tmp_path: Path) -> None:
    _upload(api, chain_files(tmp_path, stores=9, products=3))
    plan_id = _plan(api, target="cluster-mean")
    state = api.app.state.stockshift
    with state.engine.begin() as conn:  # as if it were still being computed
        conn.execute(text("UPDATE plans SET status = 'running' WHERE id = :id"), {"id": plan_id})
    for _ in range(2):
        r = api.client.get(f"/api/v1/plans/{plan_id}/summary", headers=api.auth("viewer"))
        assert r.status_code == 200 and r.json()["status"] == "running"
    assert state.reads.hits == 0 and len(state.reads) == 0


def test_the_budget_bounds_what_is_kept(api: Api, planned: tuple[int, dict[str, Any]]) -> None:
    plan_id, _ = planned
    reads = api.app.state.stockshift.reads
    reads.budget = 20_000
    for limit in range(1, 60):
        path = f"/api/v1/plans/{plan_id}/transfers?limit={limit}"
        assert api.client.get(path, headers=api.auth("viewer")).status_code == 200
        assert reads.used <= reads.budget
    assert 0 < len(reads) < 59


PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "sort": st.sampled_from(SORTS + [f"-{s}" for s in SORTS]),
        "limit": st.integers(1, 7),
        "scope": st.sampled_from(["intra-cluster", "cross-cluster"]),
        "status": st.sampled_from(["proposed", "cancelled"]),
        "direction": st.sampled_from(["in", "out"]),
        "store": st.integers(0, 14),
        "product": st.integers(0, 4),
    },
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=PARAMS, cancel=st.integers(0, 30))
def test_kept_pages_are_the_pages_the_app_makes(
    api: Api, planned: tuple[int, dict[str, Any]], uncached: TestClient, params: dict[str, Any],
    cancel: int,
) -> None:  # fmt: skip
    """Walking a listing twice through the cache (answers made, then kept ones) gives byte
    for byte what a process without the cache gives, with a line cancelled in between."""
    plan_id, doc = planned
    query: dict[str, Any] = {k: v for k, v in params.items() if k not in ("store", "product")}
    if "store" in params:
        query["store_id"] = f"S{params['store']:03d}"
    elif "direction" in query:
        del query["direction"]
    if "product" in params:
        query["product_id"] = doc["transfers"][params["product"] % len(doc["transfers"])][
            "product_id"
        ]
    viewer = {**api.auth("viewer"), **GZIP}
    line = doc["transfers"][cancel % len(doc["transfers"])]["transfer_id"]
    for step in range(2):
        cursor: str | None = None
        for _ in range(4):
            page = {**query, **({"cursor": cursor} if cursor else {})}
            path = f"/api/v1/plans/{plan_id}/transfers"
            kept = [api.client.get(path, params=page, headers=viewer) for _ in range(2)]
            made = uncached.get(path, params=page, headers=viewer)
            _same(kept[0], made)
            _same(kept[1], made)
            if made.status_code != 200 or made.json()["next_cursor"] is None:
                break
            cursor = made.json()["next_cursor"]
        if step == 0:
            api.client.post(f"/api/v1/transfers/{line}/cancel", headers=api.auth("planner"))


def test_keys_are_checked_when_the_key_cache_keeps_none(api: Api, tmp_path: Path) -> None:
    """With STOCKSHIFT_KEY_CACHE_SECONDS=0 every kept answer costs a key check, and a key
    revoked in the database gets its 401 at once, kept answers or not."""
    _upload(api, chain_files(tmp_path, stores=9, products=3))
    plan_id = _plan(api, target="cluster-mean")
    path = f"/api/v1/plans/{plan_id}/transfers"
    for client in _other_process(api, tmp_path, key_cache_seconds=0):
        state = client.app.state.stockshift  # type: ignore[attr-defined]
        for _ in range(3):
            assert client.get(path, headers=api.auth("viewer")).status_code == 200
        assert state.reads.hits == 2
        with state.sessions() as session:
            key = authenticate(session, secret=api.keys["viewer"])
            assert key is not None
            key.revoked_at = datetime.now(UTC)
            session.commit()
        r = client.get(path, headers=api.auth("viewer"))
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM
        assert state.reads.hits == 2
