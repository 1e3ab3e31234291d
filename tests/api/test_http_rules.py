"""HTTP behaviour around the routes: 405 with Allow, OPTIONS, strict numbers, 400 for bad
JSON, and a bounded plan queue (429 with Retry-After)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.api.export_openapi import openapi_document
from stockshift.config import Settings
from tests.api.conftest import Api, make_keys

PATHS: dict[str, set[str]] = {
    path: {m.upper() for m in item}
    for path, item in openapi_document()["paths"].items()  # type: ignore[attr-defined]
}
POST_ONLY = sorted(p for p, methods in PATHS.items() if "GET" not in methods)
PROBLEM = "application/problem+json"


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture(params=["api only", "with dashboard"])
def client(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    if request.param == "with dashboard":  # its catch-all GET once turned 405 into 404
        dist.mkdir()
        (dist / "index.html").write_text("<html>stockshift</html>")
    with TestClient(create_app(Settings(database_url=database_url, web_dist=dist))) as c:
        yield c


def test_get_on_a_post_only_path_is_405_naming_the_methods(client: TestClient) -> None:
    assert POST_ONLY
    for path in POST_ONLY:
        r = client.get(_url(path))
        assert r.status_code == 405, (path, r.status_code, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert set(r.headers["allow"].split(", ")) == PATHS[path] | {"OPTIONS"}, path
        assert "POST" in r.json()["detail"]
    r = client.delete("/api/v1/plans")
    assert r.status_code == 405 and r.headers["allow"] == "GET, OPTIONS, POST"
    assert client.get("/api/v1/no-such-thing").status_code == 404


def test_options_lists_every_method_of_every_path(client: TestClient) -> None:
    for path, methods in PATHS.items():
        r = client.options(_url(path))
        assert r.status_code == 204, (path, r.text)
        assert r.headers["allow"] == ", ".join(sorted(methods | {"OPTIONS"})), path
    assert client.options("/api/v1/no-such-thing").status_code == 404


BOOLEANS: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/plans", {"max_transfers": False}),
    ("/api/v1/plans", {"window": True}),
    ("/api/v1/plans", {"seed": True}),
    ("/api/v1/plans", {"service_level": True}),
    ("/api/v1/plans", {"max_distance_km": False}),
    ("/api/v1/plans", {"pack_size": 2.0}),
    ("/api/v1/plans", {"cover_days": "7"}),
    (
        "/api/v1/inventory/adjustments",
        {"store_id": "S1", "product_id": "P1", "delta": True, "reason": "x"},
    ),
    (
        "/api/v1/sales",
        {"sales": [{"date": "2024-01-01", "store_id": "S1", "product_id": "P1", "units": True}]},
    ),
    ("/api/v1/transfers/receive", {"transfer_ids": [True]}),
]


@pytest.mark.parametrize(("path", "body"), BOOLEANS, ids=[f"{p} {b}" for p, b in BOOLEANS])
def test_booleans_and_other_non_integers_are_not_numbers(
    api: Api, path: str, body: dict[str, Any]
) -> None:
    r = api.client.post(path, json=body, headers=api.auth("admin"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    field = {"/api/v1/sales": "units", "/api/v1/inventory/adjustments": "delta"}.get(
        path, next(iter(body))
    )
    assert field in r.json()["detail"]


def test_numbers_still_take_integers_for_floats(api: Api) -> None:
    r = api.client.post(
        "/api/v1/plans",
        json={"service_level": 0.9, "max_distance_km": 100},
        headers=api.auth("admin"),
    )
    assert r.status_code == 201, r.text
    api.wait(r.json()["plan_id"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plans",
        "/api/v1/sales",
        "/api/v1/inventory/adjustments",
        "/api/v1/transfers/receive",
    ],
)
def test_malformed_json_is_400(api: Api, path: str) -> None:
    r = api.client.post(
        path,
        content=b'{"window": 28,',
        headers={**api.auth("admin"), "Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM
    assert "not valid JSON" in r.json()["detail"]


def test_plan_queue_is_bounded_with_429_and_retry_after(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def blocked(*_args: object) -> None:
        release.wait(60)

    monkeypatch.setattr("stockshift.api.planner.run_plan", blocked)
    settings = Settings(database_url=database_url, web_dist=tmp_path / "none", plan_queue=2)
    keys = make_keys(database_url)
    auth = {"Authorization": f"Bearer {keys['planner']}"}
    try:
        with TestClient(create_app(settings)) as client:
            accepted = [client.post("/api/v1/plans", json={}, headers=auth) for _ in range(2)]
            assert [r.status_code for r in accepted] == [201, 201]
            r = client.post("/api/v1/plans", json={}, headers=auth)
            assert r.status_code == 429 and r.headers["content-type"] == PROBLEM
            assert int(r.headers["retry-after"]) > 0
            assert "STOCKSHIFT_PLAN_QUEUE" in r.json()["detail"]
            listed = client.get("/api/v1/plans", headers=auth).json()
            assert listed["total"] == 2  # the refused plan was not recorded
            release.set()
            for created in accepted:
                client.app.state.stockshift.planner.wait(created.json()["plan_id"], timeout=30)  # type: ignore[attr-defined]
            assert client.post("/api/v1/plans", json={}, headers=auth).status_code == 201
    finally:
        release.set()
