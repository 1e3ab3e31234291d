"""HTTP methods per path: ``Allow`` on 405 and ``OPTIONS`` that list every method a path has.

Starlette answers 405 with the methods of the first route whose path matches, so a path
served by two routes (``GET`` and ``POST /plans``) named only one, and the dashboard's
catch-all ``GET`` turned a ``GET`` on a POST-only API path into 404. Here the methods come
from the OpenAPI document, every operation of the path.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send


def _table(app: Any) -> list[tuple[re.Pattern[str], set[str]]]:
    """(path regex, methods) for every path of the app's OpenAPI document, built once."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "methods", None)
    if table is None:
        paths = app.openapi()["paths"]
        table = [
            (compile_path(_typed(p, item))[0], {m.upper() for m in item})
            for p, item in paths.items()
        ]
        app.state.methods = table
    return table


def _typed(path: str, item: dict[str, Any]) -> str:
    """The path with ``{id:int}`` for integer parameters, so ``/transfers/receive`` is not
    taken for ``/transfers/{transfer_id}``."""
    integers = {
        p["name"]
        for operation in item.values()
        for p in operation.get("parameters", [])
        if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
    }
    for name in integers:
        path = path.replace(f"{{{name}}}", f"{{{name}:int}}")
    return path


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """The methods the API serves at ``scope``'s path (none: no such path)."""
    path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
    methods: set[str] = set()
    for pattern, served in _table(app):
        if pattern.match(path):
            methods |= served
    if methods:
        methods.add("OPTIONS")
    return sorted(methods)


class MethodsMiddleware:
    """``OPTIONS`` on any API path answers 204 with its ``Allow``; CORS preflights (with
    ``Access-Control-Request-Method``) are left to the CORS middleware outside this one."""

    def __init__(self, app: ASGIApp, *, routes_of: Any) -> None:
        self.app = app
        self.routes_of = routes_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        allow = allowed_methods(self.routes_of, scope)
        if not allow:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(b"allow", ", ".join(allow).encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})
