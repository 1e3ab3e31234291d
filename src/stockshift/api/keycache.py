"""API keys already checked, kept a few seconds so that a request costs no key query.

A page of a plan is one index read; looking the caller's key up in the database was as
much again, on every request. Kept here are only live keys, under their SHA-256 (never the
secret), each for ``ttl`` seconds from its check: a key revoked in the database (by any
process) is refused within ``ttl`` seconds, and an unknown or revoked key is looked up
every time (nothing negative is kept, so a new key works at once).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

from stockshift.db.keys import KEY_PREFIX, digest

V = TypeVar("V")


class KeyCache(Generic[V]):
    """At most ``size`` entries by key digest, each valid ``ttl`` seconds; ``ttl`` 0 keeps
    nothing."""

    def __init__(self, ttl: float, size: int = 1024) -> None:
        self._ttl = ttl
        self._size = size
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> V | None:
        with self._lock:
            hit = self._items.get(digest)
            if hit is None:
                return None
            if hit[0] <= time.monotonic():
                del self._items[digest]
                return None
            return hit[1]

    def put(self, digest: str, value: V) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._items[digest] = (time.monotonic() + self._ttl, value)
            self._items.move_to_end(digest)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def vouched(keys: KeyCache[V], secret: str) -> V | None:
    """What ``keys`` holds for the API key ``secret``, if it holds it: no query."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return keys.get(digest(secret))
