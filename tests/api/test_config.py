"""GET /api/v1/config: the distance past which the map flags intra-cluster lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.config import Settings
from tests.api.conftest import Api, make_keys


def test_default_warning_distance(api: Api) -> None:
    config = api.client.get("/api/v1/config", headers=api.auth("viewer")).json()
    assert config["intra_cluster_warn_km"] == 300


def test_warning_distance_from_the_environment(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKSHIFT_INTRA_CLUSTER_WARN_KM", "150.5")
    settings = Settings(database_url=database_url, web_dist=tmp_path / "none", plan_mode="thread")
    keys = make_keys(database_url)
    with TestClient(create_app(settings)) as client:
        r = client.get("/api/v1/config", headers={"Authorization": f"Bearer {keys['viewer']}"})
    assert r.json()["intra_cluster_warn_km"] == 150.5


def test_a_distance_that_is_not_positive_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKSHIFT_INTRA_CLUSTER_WARN_KM", "0")
    with pytest.raises(ValueError, match="intra_cluster_warn_km"):
        Settings()
