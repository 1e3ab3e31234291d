"""Check the API key before a request body is read, on every route that takes one.

FastAPI parses a route's body before it runs the route's dependencies, so without this a
request with no key or an unknown one was read (up to ``STOCKSHIFT_MAX_BODY_BYTES``) before
its 401. Here the ``Authorization`` header is checked first; the role (403) is still the
route's own dependency. Paths that take no body, or are unknown, pass through untouched.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from stockshift.api.deps import AppState, check_key
from stockshift.api.methods import allowed_methods
from stockshift.api.problems import problem

WITH_BODY = {"POST", "PUT", "PATCH"}


class KeyBeforeBody:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WITH_BODY
            or scope["method"] not in allowed_methods(scope["app"], scope)
        ):
            await self.app(scope, receive, send)
            return
        state: AppState = scope["app"].state.stockshift
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, secret = header.partition(" ")
        try:
            await run_in_threadpool(
                check_key, state, secret.strip() if scheme.lower() == "bearer" else None
            )
        except HTTPException as exc:
            response = problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
