"""Request body size limits, enforced while the body streams in (not only by Content-Length)."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockshift.api.problems import MEDIA_TYPE


class BodyTooLarge(HTTPException):
    """Raised from ``receive``; an HTTPException so that FastAPI's body parsing passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _detail(limit))


def _detail(limit: int) -> str:
    return f"request body over the limit of {limit} bytes; split it into smaller batches"


class BodyLimit:
    """413 for bodies over ``max_body`` bytes (``max_upload`` for the import route)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if scope["path"].rstrip("/").endswith("/import") else self.max_body
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": _detail(limit),
        "errors": [],
    }
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(raw)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
