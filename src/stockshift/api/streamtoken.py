"""Short-lived, read-only tokens for the event stream, so no API key goes into a URL.

A browser's ``EventSource`` cannot send headers, so the stream is opened as
``/api/v1/events?token=sse_...``. The token names the key it was made for and when it
expires, signed with HMAC-SHA256 keyed by that key's stored digest: any server process on
the same database can check it, it dies with the key (revoked keys are refused), and it
opens nothing but the event stream.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TOKEN_PREFIX = "sse_"
_DOMAIN = "stockshift event stream v1"
_SHAPE = re.compile(r"^sse_(\d{1,18})_(\d{1,12})_([0-9a-f]{64})$")


def _signature(key_hash: str, key_id: int, expires: int) -> str:
    message = f"{_DOMAIN}:{key_id}:{expires}".encode()
    return hmac.new(key_hash.encode(), message, hashlib.sha256).hexdigest()


def issue(*, key_id: int, key_hash: str, expires: int) -> str:
    """A token for ``key_id`` valid until the Unix time ``expires``."""
    return f"{TOKEN_PREFIX}{key_id}_{expires}_{_signature(key_hash, key_id, expires)}"


def claimed_key(token: str) -> tuple[int, int] | None:
    """(key id, expiry) the token claims, or None when it is not shaped like one."""
    match = _SHAPE.match(token)
    return (int(match.group(1)), int(match.group(2))) if match else None


def valid(token: str, *, key_hash: str, now: float, max_ttl: int) -> bool:
    """The token's signature is the key's, and it expires in the future but within ``max_ttl``."""
    claim = claimed_key(token)
    if claim is None:
        return False
    key_id, expires = claim
    if not now < expires <= now + max_ttl:
        return False
    return hmac.compare_digest(token.rsplit("_", 1)[1], _signature(key_hash, key_id, expires))
