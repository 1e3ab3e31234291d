"""An app on a fresh database (SQLite, and PostgreSQL when configured) with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        database_url=database_url,
        web_dist=tmp_path / "no-dashboard",
        max_body_bytes=64 * 1024,
        plan_mode="thread",  # a worker process per test costs seconds; test_planner.py has them
    )
    app = create_app(settings)
    keys = make_keys(database_url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, keys)


@dataclass
class Server:
    """The app behind a real uvicorn server on a free local port, on its own thread."""

    url: str
    app: FastAPI
    keys: dict[str, str]

    def client(self, role: str) -> KeptAlive:
        return KeptAlive(self.url, self.keys[role])


class KeptAlive:
    """An httpx client that records which local address each response came over, so a
    test can check that one keep-alive connection carried every request, errors included."""

    def __init__(self, url: str, key: str) -> None:
        import httpx

        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120
        )
        self.connections: set[object] = set()

    def request(self, method: str, path: str, **kwargs: object) -> Any:
        r = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        try:
            self.connections.add(r.extensions["network_stream"].get_extra_info("client_addr"))
        except OSError:  # the server closed the connection after answering
            self.connections.add(f"closed after {method} {path}")
        return r

    def get(self, path: str, **kwargs: object) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: object) -> Any:
        return self.request("POST", path, **kwargs)

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    import threading
    import time

    import uvicorn

    settings = Settings(database_url=database_url, web_dist=tmp_path / "no-dashboard")
    app = create_app(settings)
    keys = make_keys(database_url)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", workers=1)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}/api/v1", app, keys)
    finally:
        uv.should_exit = True
        thread.join(30)
