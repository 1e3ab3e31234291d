"""An app on a fresh database (SQLite, and PostgreSQL when configured) with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.config import Settings
from stockshift.db.engine import make_engine, session_factory
from stockshift.db.keys import ROLES, create_key


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    keys: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def wait(self, plan_id: int) -> None:
        self.app.state.stockshift.planner.wait(plan_id, timeout=120)


def make_keys(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        keys = {role: create_key(session, role=role)[1] for role in ROLES}
    engine.dispose()
    return keys


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(
        database_url=database_url, web_dist=tmp_path / "no-dashboard", max_body_bytes=64 * 1024
    )
    app = create_app(settings)
    keys = make_keys(database_url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, keys)
