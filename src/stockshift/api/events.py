"""Server-sent events: a broker that worker threads publish to and SSE streams read from."""

from __future__ import annotations

import asyncio
import json
import logging
import queue as queues
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from stockshift.db.events import append_events, events_since, last_event_id, prune_events

log = logging.getLogger("stockshift.api")

HEARTBEAT_S = 15.0
QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # plan, stock
    data: dict[str, Any]

    def encode(self) -> str:
        return f"event: {self.name}\ndata: {json.dumps(self.data)}\n\n"


class Broker:
    """Fan-out of events to every open stream; publish is safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = []

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        with self._lock:
            self._subscribers = [(lp, q) for lp, q in self._subscribers if q is not queue]

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, name: str, **data: Any) -> None:
        """Send an event to this process's streams, and through the relay (if any) to the
        other server processes' streams."""
        self.publish_here(name, **data)
        relay = self.relay
        if relay is not None:
            relay.send(name, data)

    relay: Relay | None = None

    def publish_here(self, name: str, **data: Any) -> None:
        """Send an event to this process's streams only."""
        event = Event(name, data)
        with self._lock:
            targets = list(self._subscribers)
        for loop, queue in targets:
            try:
                loop.call_soon_threadsafe(_offer, queue, event)
            except RuntimeError:  # that stream's loop has closed
                self.unsubscribe(queue)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    """Drop the event for a client too slow to keep up rather than grow without bound."""
    if not queue.full():
        queue.put_nowait(event)


async def stream(
    broker: Broker,
    is_disconnected: Callable[[], Awaitable[bool]],
    heartbeat_s: float = HEARTBEAT_S,
) -> AsyncIterator[str]:
    """The SSE text of events as they come, with a comment line as heartbeat."""
    queue = broker.subscribe()
    try:
        yield "retry: 3000\n: connected\n\n"
        while not await is_disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), heartbeat_s)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield event.encode()
    finally:
        broker.unsubscribe(queue)


class Relay:
    """Events between the server processes of ``serve --workers N``, through the database.

    Each process's broker hands its events to the relay, whose one thread writes them to
    the ``events`` table in batches and reads, twice a second, those the other processes
    wrote, publishing them to its own streams. Rows older than a few minutes are pruned.
    PostgreSQL may commit ids out of order, so each read looks back a little and skips ids
    already seen.
    """

    POLL_S = 0.5
    LOOKBACK = 100  # ids
    KEEP = timedelta(minutes=5)

    def __init__(self, broker: Broker, sessions: sessionmaker[Session]) -> None:
        self._broker = broker
        self._sessions = sessions
        self.origin = uuid.uuid4().hex
        self._outbox: queues.SimpleQueue[tuple[str, dict[str, Any]] | None] = queues.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stockshift-events", daemon=True)
        self._last = self._floor = 0
        self._seen: set[int] = set()

    def start(self) -> None:
        with self._sessions() as session:
            self._last = self._floor = last_event_id(session)  # older events are not ours
        self._broker.relay = self
        self._thread.start()

    def stop(self) -> None:
        self._broker.relay = None
        self._stop.set()
        self._outbox.put(None)
        self._thread.join(timeout=10)

    def send(self, name: str, data: dict[str, Any]) -> None:
        self._outbox.put((name, data))

    def _run(self) -> None:
        pruned = time.monotonic()
        while not self._stop.is_set():
            try:
                self._flush()
                self._receive()
                if time.monotonic() - pruned > 60:
                    with self._sessions() as session:
                        prune_events(session, older_than=self.KEEP)
                    pruned = time.monotonic()
            except Exception:  # a database hiccup must not end the relay
                log.exception("event relay")
            self._stop.wait(self.POLL_S)
        self._flush()

    def _flush(self) -> None:
        batch: list[tuple[str, dict[str, Any]]] = []
        while True:
            try:
                item = self._outbox.get_nowait()
            except queues.Empty:
                break
            if item is not None:
                batch.append(item)
        if batch:
            with self._sessions() as session:
                append_events(session, origin=self.origin, events=batch)

    def _receive(self) -> None:
        with self._sessions() as session:
            rows = events_since(
                session, after=max(0, self._last - self.LOOKBACK), origin=self.origin
            )
        for event_id, name, data in rows:
            if event_id in self._seen or event_id <= self._floor:
                continue
            self._seen.add(event_id)
            self._last = max(self._last, event_id)
            self._broker.publish_here(name, **data)
        floor = self._last - self.LOOKBACK
        self._seen = {i for i in self._seen if i > floor}
