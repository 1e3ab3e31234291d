"""JSON answers encoded by orjson straight from the repository's rows.

The hot read paths (a page of a plan's lines, dozens of clients at once) return plain
dicts that the repository already typed; validating them again through the response
model and encoding with the standard library cost more than the query. The route still
declares its ``response_model`` for the OpenAPI document; the tests check the answers
against it.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def json_response(value: Any, *, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(value), media_type="application/json", headers=headers)
