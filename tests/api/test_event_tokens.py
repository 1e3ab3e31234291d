"""The event stream is opened with a short-lived token, never with an API key in the URL,
and no secret passed in a URL reaches the server's access log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import update

from stockshift.api import streamtoken
from stockshift.api.logredact import redact
from stockshift.db.models import ApiKey
from tests.api.conftest import Api, make_keys


def _token(api: Api, role: str = "viewer") -> str:
    r = api.client.post("/api/v1/events/token", headers=api.auth(role))
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0 < body["expires_in"] <= 300
    token: str = body["token"]
    assert token.startswith("sse_") and api.keys[role] not in token
    return token


def test_event_tokens_open_only_the_stream_and_only_while_valid(api: Api) -> None:
    assert api.client.post("/api/v1/events/token").status_code == 401
    token = _token(api)
    # a token is no API key: every other route refuses it
    assert (
        api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    assert api.client.get("/api/v1/me", params={"token": token}).status_code == 401
    # tampered, expired, too long-lived, or an API key passed as a token
    key_id, expires = streamtoken.claimed_key(token) or (0, 0)
    forged = [
        token[:-1] + ("0" if token[-1] != "0" else "1"),
        token.replace(f"_{expires}_", f"_{expires + 3600}_"),
        api.keys["viewer"],
    ]
    for bad in forged:
        r = api.client.get("/api/v1/events", params={"token": bad})
        assert r.status_code == 401 and "POST /api/v1/events/token" in r.json()["detail"], bad
    with api.app.state.stockshift.sessions() as session:
        key_hash = session.get(ApiKey, key_id).key_hash  # type: ignore[union-attr]
        now = time.time()
        assert streamtoken.valid(token, key_hash=key_hash, now=now, max_ttl=300)
        assert not streamtoken.valid(token, key_hash=key_hash, now=expires + 1, max_ttl=300)
        assert not streamtoken.valid(token, key_hash="0" * 64, now=now, max_ttl=300)
        # a revoked key's tokens die with it
        session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=datetime.now(UTC))
        )
        session.commit()
    assert api.client.get("/api/v1/events", params={"token": token}).status_code == 401


def test_redact_hides_query_secrets() -> None:
    line = '127.0.0.1:1 - "GET /api/v1/events?token=sse_1_2_ab&x=1&access_token=ssk_z HTTP/1.1" 200'
    assert redact(line) == (
        '127.0.0.1:1 - "GET /api/v1/events?token=[redacted]&x=1&access_token=[redacted] '
        'HTTP/1.1" 200'
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_key_or_token_reaches_the_access_log(database_url: str, tmp_path: Path) -> None:
    """A real ``stockshift serve``: the dashboard's calls, and careless ones with the key in
    the URL, leave neither the key nor the event token in what the server prints."""
    keys = make_keys(database_url)
    key = keys["admin"]
    port = _free_port()
    env = {
        **os.environ,
        "STOCKSHIFT_DATABASE_URL": database_url,
        "STOCKSHIFT_WEB_DIST": str(tmp_path / "none"),
        "STOCKSHIFT_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "stockshift.cli.main", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            auth = {"Authorization": f"Bearer {key}"}
            token = client.post("/events/token", headers=auth).json()["token"]
            with client.stream("GET", "/events", params={"token": token}) as stream:
                assert stream.status_code == 200
                assert ": connected" in next(stream.iter_text())
            assert client.get("/events", params={"access_token": key}).status_code == 401
            assert (
                client.get("/health", params={"access_token": key, "token": key}).status_code == 200
            )
    finally:
        server.terminate()
        server.wait(20)
    text = log.read_text()
    assert "GET /api/v1/events?token=[redacted]" in text, text
    assert "access_token=[redacted]" in text
    assert key not in text and token not in text
