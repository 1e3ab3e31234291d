"""Server-sent events: a broker that worker threads publish to and SSE streams read from."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

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
