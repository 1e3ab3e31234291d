"""Answers to a finished plan's reads, kept whole and served again while the plan is unchanged.

A finished plan changes only through its row (status, progress, error, execution) and its
lines' statuses (execute, receive, cancel): its :class:`~stockshift.db.revision.Revision`.
Fifty dashboards paging one plan ask the same few pages over and over, and each answer
cost the route's validation, a thread-pool hop, an index read, encoding and gzip, while
the same bytes could be sent again. So a ``200`` (or ``304``) answer to ``GET`` of a plan's
document, transfers, warehouse orders, summary or flows is kept, exactly as the app sent it
(headers and body, gzipped or not), under the request's path, query (parameters in name
order, repeats in their order), ``Accept-Encoding`` and ``If-None-Match``, together with
the plan's revision read *before* the app read the plan.

A later identical request with a live API key (a viewer's read needs no more; the key
cache vouches for it, or it is checked as the route would) gets the kept answer if the
plan's revision, read again for it, is the same; otherwise it goes to the app like any
other. Every server process keeps its own
answers and reads the revision from the database on every request, so a line received
through one process is seen by the next read through any other. Reads filtered by text
(``q``) are never kept: they also match store names, which an import can change.

The revision is read on the event loop for SQLite (a few tens of microseconds in-process,
and WAL readers never wait for writers) and on the thread pool otherwise (a round trip to
the server). Kept answers are bounded by ``STOCKSHIFT_READ_CACHE_MIB`` per process,
least recently used first out; 0 keeps none.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockshift.api.keycache import KeyCache, vouched
from stockshift.api.plancache import FINISHED
from stockshift.db.revision import Revision, plan_revision

PATH = re.compile(
    r"/api/v1/plans/([1-9][0-9]{0,17})(?:/(?:transfers|warehouse-orders|summary|flows))?"
)
KEPT_STATUSES = (200, 304)
OVERHEAD = 256  # bytes counted per entry beside its body: key, headers, bookkeeping


@dataclass(frozen=True, slots=True)
class Answer:
    """One kept answer: the revision it was made at, its status, headers and body."""

    revision: Revision
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + OVERHEAD + sum(len(k) + len(v) for k, v in self.headers)


Key = tuple[str, tuple[tuple[str, str], ...], str, str]


class ReadCache:
    """Kept answers by request, least recently used out beyond ``budget`` bytes. Used on the
    event loop only, so it takes no lock."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.hits = 0  # answers sent again
        self._items: OrderedDict[Key, Answer] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key, revision: Revision) -> Answer | None:
        """The answer kept for ``key`` if it was made at ``revision``; a stale one is dropped."""
        hit = self._items.get(key)
        if hit is None:
            return None
        if hit.revision != revision:
            self._drop(key)
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return hit

    def put(self, key: Key, answer: Answer) -> None:
        if answer.size > self.budget // 4:  # one answer may not crowd out all others
            return
        self._drop(key)
        self._items[key] = answer
        self.used += answer.size
        while self.used > self.budget:
            self._drop(next(iter(self._items)))

    def _drop(self, key: Key) -> None:
        gone = self._items.pop(key, None)
        if gone is not None:
            self.used -= gone.size


def request_key(scope: Scope) -> tuple[int, Key] | None:
    """The plan id and cache key of a request whose answer may be kept, else None."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    path: str = scope["path"]
    match = PATH.fullmatch(path)
    if match is None:
        return None
    query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if any(name == "q" for name, _ in query):
        return None
    headers = Headers(scope=scope)
    key: Key = (
        path,
        tuple(sorted(query, key=itemgetter(0))),  # stable: repeats keep their order
        headers.get("accept-encoding", ""),
        headers.get("if-none-match", ""),
    )
    return int(match[1]), key


class CachedReads:
    """ASGI middleware serving :class:`ReadCache` hits and keeping the app's answers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        reads: ReadCache,
        keys: KeyCache[Any],
        check: Callable[[str], object],
        engine: Engine,
    ) -> None:
        self.app = app
        self.cache = reads
        self.keys = keys
        self.check = check  # a key's check against the database: raises HTTPException
        self.engine = engine
        self.inline = engine.dialect.name == "sqlite"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = request_key(scope) if self.cache.budget > 0 else None
        if found is None or not await self._admitted(scope):
            await self.app(scope, receive, send)
            return
        plan_id, key = found
        try:
            if self.inline:
                revision = plan_revision_of(self.engine, plan_id)
            else:
                revision = await run_in_threadpool(plan_revision_of, self.engine, plan_id)
        except SQLAlchemyError:  # the app answers, with its own problem if need be
            revision = None
        if revision is None or revision.status not in FINISHED:
            await self.app(scope, receive, send)
            return
        hit = self.cache.get(key, revision)
        if hit is not None:
            await send({"type": "http.response.start", "status": hit.status,
                        "headers": list(hit.headers)})  # fmt: skip
            await send({"type": "http.response.body", "body": hit.body})
            return
        kept = _Recorder(send)
        await self.app(scope, receive, kept)
        answer = kept.answer(revision)
        if answer is not None:
            self.cache.put(key, answer)

    async def _admitted(self, scope: Scope) -> bool:
        """Whether the request's API key is live (every key may read plans): from the key
        cache, or else checked here (one query on the thread pool) and so cached again.
        When the cache's entry for a key expires, the requests of that key that arrive
        before it is checked again then cost a key query each, not the whole route."""
        scheme, _, secret = Headers(scope=scope).get("authorization", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            return False
        if vouched(self.keys, secret) is not None:
            return True
        try:
            await run_in_threadpool(self.check, secret)
        except (HTTPException, SQLAlchemyError):  # the app answers, with its problem
            return False
        return True


def plan_revision_of(engine: Engine, plan_id: int) -> Revision | None:
    with engine.connect() as conn:
        return plan_revision(conn, plan_id)


class _Recorder:
    """Passes an answer on as it goes and keeps a copy of a whole one-part answer."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.body: bytes | None = None
        self.parts = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.parts += 1
            if not message.get("more_body", False):
                self.body = message.get("body", b"")
        await self.send(message)

    def answer(self, revision: Revision) -> Answer | None:
        start = self.start
        if start is None or self.body is None or self.parts != 1:
            return None
        if start["status"] not in KEPT_STATUSES or start.get("trailers", False):
            return None
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", []))
        return Answer(revision, start["status"], headers, self.body)
