"""The app factory: the dashboard served at / with SPA fallback, upload limits, CORS."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.config import Settings
from tests.api.conftest import make_keys


def _dist(folder: Path) -> Path:
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>stockshift</title>")
    (folder / "assets" / "app.js").write_text("console.log('map')")
    (folder / "favicon.svg").write_text("<svg/>")
    return folder


def test_dashboard_is_served_with_spa_fallback(database_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=database_url, web_dist=_dist(tmp_path / "dist")))
    with TestClient(app) as client:
        assert "stockshift" in client.get("/").text
        assert "stockshift" in client.get("/plans/3").text  # a client-side route
        assert client.get("/assets/app.js").text == "console.log('map')"
        assert client.get("/favicon.svg").text == "<svg/>"
        r = client.get("/api/v1/nothing-here")
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
        assert client.get("/openapi.json").json()["info"]["title"] == "stockshift"
        assert "stockshift" in client.get("/../../etc/passwd").text  # never outside dist


def test_upload_limit_and_cors_when_configured(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=database_url,
        web_dist=tmp_path / "none",
        max_upload_bytes=2048,
        cors_origins=["https://erp.example"],
    )
    keys = make_keys(database_url)
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/api/v1/import",
            files={"stores": ("stores.csv", b"x" * 4096), "inventory": ("i.csv", b"y")},
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert r.status_code == 413 and "2048" in r.json()["detail"]
        r = client.get("/api/v1/health", headers={"Origin": "https://erp.example"})
        assert r.headers["access-control-allow-origin"] == "https://erp.example"
        r = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
