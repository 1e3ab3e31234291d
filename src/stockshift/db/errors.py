"""Errors the repository raises; the API maps them to 404 and 409 problem details."""

from __future__ import annotations

from typing import Any

from stockshift.core.errors import StockshiftError


class NotFoundError(StockshiftError):
    """The id names nothing in the database (HTTP 404)."""


class ConflictError(StockshiftError):
    """The request does not fit the current state, e.g. a plan executed twice (HTTP 409).

    ``problems`` lists the lines that did not fit, for the client to show.
    """

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
