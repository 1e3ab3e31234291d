"""Opaque page cursors: the sort, the last row's key and a fingerprint of the filters.

A cursor is only good for the listing it came from; one given with another sort or other
filters, or not made by this service at all, is a ``400`` that says so, never a page of
the wrong rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from typing import Any

from fastapi import HTTPException

from stockshift.db.planlines import Key, Sort

MAX_CURSOR = 512


def _fingerprint(filters: dict[str, Any]) -> str:
    text = json.dumps(filters, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode_cursor(sort: Sort, key: Key, filters: dict[str, Any]) -> str:
    payload = json.dumps([sort.name, key[0], key[1], _fingerprint(filters)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _bad(why: str) -> HTTPException:
    return HTTPException(
        400, f"bad cursor: {why}; pass the next_cursor of the previous page unchanged, or "
        "leave cursor out to start from the first page",
    )  # fmt: skip


def decode_cursor(text: str, sort: Sort, filters: dict[str, Any], *, numeric: bool) -> Key:
    """The key a cursor carries, checked against this request's sort and filters."""
    if len(text) > MAX_CURSOR:
        raise _bad("it is too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad("it is not a cursor of this service") from None
    if not (isinstance(value, list) and len(value) == 4):
        raise _bad("it is not a cursor of this service")
    name, last, tie, fingerprint = value
    if name != sort.name:
        raise _bad(f"it was made for sort={name!r}, not sort={sort.name!r}")
    if fingerprint != _fingerprint(filters):
        raise _bad("it was made with other filters")
    number = (
        isinstance(last, int | float)
        and not isinstance(last, bool)
        and math.isfinite(last)
        and abs(last) < 2**63
    )
    if (numeric and not number) or (not numeric and not isinstance(last, str)):
        raise _bad("its sort value has the wrong type")
    if isinstance(last, str) and "\x00" in last:
        raise _bad("its sort value is not an id")
    if not isinstance(tie, int) or isinstance(tie, bool) or not 0 <= tie < 2**63:
        raise _bad("its position is not a row number")
    return last, tie
