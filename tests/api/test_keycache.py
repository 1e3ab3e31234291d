"""The API key cache: live keys only, by digest, for a bounded time; revocation wins."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from stockshift.api import keycache
from stockshift.api.app import create_app
from stockshift.api.keycache import KeyCache
from stockshift.config import Settings
from stockshift.db.models import ApiKey
from tests.api.conftest import make_keys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_the_cache_stays_small(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(keycache.time, "monotonic", clock)
    cache: KeyCache[str] = KeyCache(ttl=5, size=2)
    cache.put("a", "A")
    assert cache.get("a") == "A" and cache.get("b") is None
    clock.now += 5.01
    assert cache.get("a") is None
    for name in "abc":
        cache.put(name, name.upper())
    assert cache.get("a") is None and cache.get("b") == "B" and cache.get("c") == "C"
    off: KeyCache[str] = KeyCache(ttl=0)
    off.put("a", "A")
    assert off.get("a") is None


@pytest.mark.parametrize("ttl", [0.0, 5.0])
def test_a_revoked_key_is_refused_once_the_cache_lets_go(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ttl: float
) -> None:
    clock = Clock()
    monkeypatch.setattr(keycache.time, "monotonic", clock)
    settings = Settings(
        database_url=database_url, web_dist=tmp_path / "none", key_cache_seconds=ttl
    )
    app = create_app(settings)
    keys = make_keys(database_url)
    auth = {"Authorization": f"Bearer {keys['viewer']}"}
    with TestClient(app) as client:
        assert client.get("/api/v1/plans", headers=auth).status_code == 200
        with app.state.stockshift.sessions() as session:
            session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
            session.commit()
        again = client.get("/api/v1/plans", headers=auth).status_code
        assert again == (401 if ttl == 0 else 200)  # trusted for up to ttl seconds
        clock.now += ttl + 0.01
        r = client.get("/api/v1/plans", headers=auth)
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
        # an unknown key is never kept: it is looked up, and refused, every time
        assert (
            client.get("/api/v1/plans", headers={"Authorization": "Bearer ssk_x"}).status_code
            == 401
        )
