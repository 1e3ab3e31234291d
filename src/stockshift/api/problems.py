"""Every error as RFC 9457 problem details (``application/problem+json``), never a traceback."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockshift.core.errors import InputError, ParameterError, StockshiftError
from stockshift.db.errors import ConflictError, NotFoundError

log = logging.getLogger("stockshift.api")
MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _input_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    rows = [
        {"file": i.file, "row": i.row, "column": i.column, "message": i.message} for i in exc.issues
    ]
    return problem(422, f"bad input ({exc.total} problem(s)); nothing was changed", errors=rows)


def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFoundError):
        return problem(404, str(exc))
    if isinstance(exc, ConflictError):
        return problem(409, str(exc), errors=exc.problems)
    if isinstance(exc, ParameterError):
        detail = exc.render(lambda field: field)  # the API's names are the fields' names
        errors = [{"location": exc.field, "message": detail}] if exc.field else None
        return problem(422, detail, errors=errors)
    return problem(400, str(exc))


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    broken = [e for e in exc.errors() if e.get("type") == "json_invalid"]
    if broken:
        where = broken[0].get("loc", ("body",))
        at = f" at character {where[1]}" if len(where) > 1 else ""
        reason = broken[0].get("ctx", {}).get("error", broken[0].get("msg", ""))
        return problem(
            400,
            f"the request body is not valid JSON{at}: {reason}",
            errors=[{"location": "body", "message": str(reason)}],
        )
    errors = [
        {
            "location": ".".join(str(p) for p in e.get("loc", ())),
            "message": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    where = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
    return problem(422, f"invalid request: {where}", errors=errors)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        from stockshift.api.methods import allowed_methods

        allow = ", ".join(allowed_methods(request.app, request.scope))
        if not allow:  # only the dashboard's catch-all matched the path
            return problem(404, f"no such path: {request.url.path}")
        headers["Allow"] = allow
        detail = f"{request.method} is not allowed on {request.url.path}; it takes {allow}"
    return problem(exc.status_code, detail, headers=headers)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "internal error; the server log has the details")


class KeepConnection:
    """Answer an unhandled exception with a 500 problem and *not* re-raise it.

    Starlette's last-resort handler answers and then re-raises, and uvicorn closes the
    connection of a request that raised, so the client's next request on that keep-alive
    connection failed. Once a response has started nothing can be answered: re-raised.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            await _unexpected(Request(scope), exc)(scope, receive, send)


def install(app: FastAPI) -> None:
    """Problem handlers for every error, and :class:`KeepConnection` around the routes."""
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(StockshiftError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(KeepConnection)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give."""
    from stockshift.api.schemas import Problem

    return {
        code: {
            "model": Problem,
            "description": HTTPStatus(code).phrase,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }
