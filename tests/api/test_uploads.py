"""POST /import: the key is checked before the body is read; size and inflated size are
bounded while the upload streams in; upload folders do not outlive the request or a crash."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.api.export_openapi import openapi_document
from stockshift.config import Settings
from tests.api.conftest import make_keys
from tests.db.factory import chain_files

BOUNDARY = "stockshift-test-boundary"
CHUNK = 64 * 1024


class Received:
    """An ASGI ``receive`` that hands out a body chunk by chunk and counts what was taken;
    ``fail_after`` chunks in, it raises, as a client that must never be read that far."""

    def __init__(
        self, chunks: list[bytes], fail_after: int | None = None, cut: bool = False
    ) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.cut = cut  # the client goes away before the last chunk
        self.reads = 0
        self.bytes = 0

    async def __call__(self) -> dict[str, Any]:
        if self.fail_after is not None and self.reads >= self.fail_after:
            raise AssertionError(f"the app read the body past chunk {self.reads}")
        if self.reads >= len(self.chunks):
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.reads]
        self.reads += 1
        self.bytes += len(chunk)
        more = self.cut or self.reads < len(self.chunks)
        return {"type": "http.request", "body": chunk, "more_body": more}


def _post(
    app: FastAPI,
    receive: Received,
    key: str | None,
    path: str = "/api/v1/import",
    content_type: str = f"multipart/form-data; boundary={BOUNDARY}",
) -> tuple[int, dict[str, Any]]:
    """POST ``path`` through the raw ASGI interface (no Content-Length: streamed)."""
    headers = [(b"content-type", content_type.encode())]
    if key is not None:
        headers.append((b"authorization", f"Bearer {key}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


def _multipart(field: str, filename: str, size: int) -> list[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    body = [b"x" * CHUNK for _ in range(size // CHUNK)]
    return [head, *body, f"\r\n--{BOUNDARY}--\r\n".encode()]


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


def _app(database_url: str, upload_dir: Path, **limits: int) -> FastAPI:
    settings = Settings(
        database_url=database_url,
        web_dist=upload_dir / "no-dashboard",
        upload_dir=upload_dir,
        **limits,  # type: ignore[arg-type]
    )
    return create_app(settings)


@pytest.mark.parametrize("role", [None, "wrong", "viewer", "planner"])
def test_key_and_role_are_checked_before_the_body_is_read(
    database_url: str, upload_dir: Path, role: str | None
) -> None:
    keys = make_keys(database_url)
    app = _app(database_url, upload_dir)
    receive = Received(_multipart("stores", "stores.csv", 300 * CHUNK), fail_after=0)
    key = {None: None, "wrong": "ssk_wrong"}.get(role, keys.get(role or ""))
    status, problem = _post(app, receive, key)
    assert status == (401 if role in (None, "wrong") else 403), problem
    assert receive.reads == 0  # not one byte of the body was taken
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_upload_over_the_limit_stops_while_streaming(database_url: str, upload_dir: Path) -> None:
    keys = make_keys(database_url)
    app = _app(database_url, upload_dir, max_upload_bytes=1 << 20)
    receive = Received(_multipart("stores", "stores.csv", 64 << 20))
    status, problem = _post(app, receive, keys["admin"])
    assert status == 413 and str(1 << 20) in problem["detail"]
    assert receive.bytes <= (1 << 20) + 2 * CHUNK  # stopped at the limit, not at the end
    assert not any(upload_dir.iterdir())  # the partial file is gone


def _gzip_bomb(inflated: int) -> bytes:
    """``inflated`` bytes of zeros, gzipped in 1 MiB steps (never held whole in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(inflated >> 20)]
    return b"".join(parts) + packer.flush()


def test_gzip_bomb_is_413_at_the_inflated_limit(database_url: str, upload_dir: Path) -> None:
    keys = make_keys(database_url)
    bomb = _gzip_bomb(300 << 20)
    assert len(bomb) < 1 << 20
    app = _app(database_url, upload_dir, max_inflated_bytes=8 << 20)
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/import",
            files={
                "stores": ("stores.csv", b"store_id,lat,lon\nA,1,1\n"),
                "inventory": ("inventory.csv.gz", bomb),
            },
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "inventory.csv.gz" in r.json()["detail"] and str(8 << 20) in r.json()["detail"]
    assert not any(upload_dir.iterdir())


def test_gzipped_and_plain_files_import(database_url: str, upload_dir: Path) -> None:
    keys = make_keys(database_url)
    files = chain_files(upload_dir.parent / "chain")
    app = _app(database_url, upload_dir, max_inflated_bytes=1 << 20)
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/import",
            files={
                "stores": ("stores.csv", files.stores.read_bytes()),
                "inventory": ("inventory.csv.gz", gzip.compress(files.inventory.read_bytes())),
                "sales": ("sales.csv", files.sales.read_bytes()),
            },
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["stores"] == 9
        r = client.post(
            "/api/v1/import",
            files={"stores": ("s.csv", b"store_id,lat,lon\n")},
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert r.status_code == 422 and "inventory" in r.json()["detail"]
    assert not any(upload_dir.iterdir())


def test_start_up_removes_folders_of_dead_imports(database_url: str, upload_dir: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_out())
    dead = upload_dir / f"import-{int(gone.stdout)}-abc"
    live = upload_dir / f"import-{os.getppid()}-def"  # another worker, still running
    for folder in (dead, live):
        (folder / "stores").mkdir(parents=True)
        (folder / "stores" / "stores.csv").write_text("half written")
    with TestClient(_app(database_url, upload_dir)):
        pass
    assert not dead.exists() and live.exists()


def _out() -> dict[str, Any]:
    return {"capture_output": True, "text": True, "check": True}


def test_unreadable_files_name_the_row_and_never_the_servers_path(
    database_url: str, upload_dir: Path
) -> None:
    keys = make_keys(database_url)
    stores = b"store_id,lat,lon\nA,41.8,-87.6\nB,41.9,-87.7\n"
    cases = {
        "inventory.csv": (b"store_id,product_id,on_hand\nA,P1,3\nB,P1,4\nA,P2,5,9\n", 4),
        "inventory.csv.gz": (
            gzip.compress(b"store_id,product_id,on_hand\nA,P1,3\nB,P\xff1,4\n"),
            3,
        ),
        "inventory.parquet": (b"PAR1 this is no Parquet file", None),
    }
    with TestClient(_app(database_url, upload_dir)) as client:
        for name, (content, row) in cases.items():
            r = client.post(
                "/api/v1/import",
                files={"stores": ("stores.csv", stores), "inventory": (name, content)},
                headers={"Authorization": f"Bearer {keys['admin']}"},
            )
            assert r.status_code == 422, r.text
            [error] = r.json()["errors"]
            assert error["file"] == name and error["row"] == row, error
            assert name in error["message"] or "CSV" in error["message"]
            assert str(upload_dir) not in r.text and "import-" not in r.text, r.text


POSTS = sorted(
    re.sub(r"\{[^}]+\}", "1", path)
    for path, item in openapi_document()["paths"].items()  # type: ignore[attr-defined]
    if "post" in item
)


@pytest.mark.parametrize("path", POSTS)
def test_no_route_reads_a_body_before_the_key(
    database_url: str, upload_dir: Path, path: str
) -> None:
    """FastAPI parses JSON bodies before dependencies; the key is checked ahead of that."""
    app = _app(database_url, upload_dir)
    for key in (None, "ssk_wrong"):
        receive = Received([b'{"sales": [' + b" " * CHUNK] * 16, fail_after=0)
        status, problem = _post(app, receive, key, path, "application/json")
        assert status == 401, (path, problem)
        assert receive.reads == 0, path


def test_an_upload_cut_short_is_400_and_leaves_nothing(database_url: str, upload_dir: Path) -> None:
    keys = make_keys(database_url)
    app = _app(database_url, upload_dir)
    receive = Received(_multipart("stores", "stores.csv", 8 * CHUNK)[:-1], cut=True)
    status, problem = _post(app, receive, keys["admin"])
    assert status == 400 and "stopped before its end" in problem["detail"]
    assert not any(upload_dir.iterdir())
