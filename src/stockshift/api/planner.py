"""Plans computed in the background, in worker processes (or threads).

``POST /api/v1/plans`` records a ``running`` plan and returns at once; a worker runs the
planning service (:mod:`stockshift.service.planning`) and its steps become ``plan`` events.

By default the workers are processes: planning is CPU-bound Python and numpy, and in a
thread of the server it would hold the interpreter lock for long stretches and stall every
request being answered meanwhile. A worker process (spawned, not forked, so it inherits no
threads or connections) opens its own engine on the same database and sends its steps back
through a queue, which a thread of the server turns into events. Threads remain for
in-memory SQLite databases, which another process cannot open, and for tests.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing.queues import Queue
from typing import Any, Literal

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from stockshift.api.events import Broker
from stockshift.core.types import PlanParameters
from stockshift.service.planning import run_plan, start_plan

Mode = Literal["process", "thread"]
MEMORY = (None, "", ":memory:")  # SQLite databases no other process can open
_events: Queue[dict[str, Any] | None] | None = None  # in a worker process: back to the server


PLAN_NICENESS = 10  # worker processes yield the cores to the server's requests


def _init_worker(events: Queue[dict[str, Any] | None]) -> None:
    """Set up a worker process: its queue back to the server, and a lower CPU priority, so
    that on a machine with few cores a plan being computed takes what the requests leave
    instead of stalling them (it takes longer under a heavy read load, reads do not)."""
    global _events
    _events = events
    os.nice(PLAN_NICENESS)


def _send(**data: Any) -> None:
    assert _events is not None
    _events.put(data)


def _run_in_process(database_url: str, plan_id: int, params: PlanParameters) -> None:
    """A worker process's job: plan on its own engine, report steps through the queue."""
    from stockshift.db.engine import make_engine, session_factory

    engine = make_engine(database_url)
    try:
        run_plan(session_factory(engine), plan_id, params, _send)
    finally:
        engine.dispose()


def _warm() -> None:
    """Import the planner in a fresh worker before the first plan needs it, and what it
    imports when it first clusters."""
    import stockshift.core.pipeline
    import stockshift.db.dataset  # noqa: F401
    from stockshift.core.clustering import load_libraries

    load_libraries()


class QueueFull(Exception):
    """More plans are waiting or running than the queue holds (HTTP 429)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"{limit} plans are already waiting or running (STOCKSHIFT_PLAN_QUEUE); "
            "retry when one has finished"
        )


class Planner:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        broker: Broker,
        workers: int = 1,
        queue: int = 8,
        *,
        mode: Mode = "thread",
        database_url: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._publish = partial(broker.publish, "plan")
        self._workers = workers
        memory = database_url is None or make_url(database_url).database in MEMORY
        self._url = None if mode == "thread" or memory else database_url
        self._pool: Executor | None = None
        self._events: Queue[dict[str, Any] | None] | None = None
        self._forwarder: threading.Thread | None = None
        self._futures: dict[int, Future[Any]] = {}
        self._limit = queue
        self._pending = 0
        self._lock = threading.Lock()

    def start(self, params: PlanParameters, *, key_id: int | None) -> int:
        """Record a running plan and queue its computation; returns the plan id.

        Raises :class:`QueueFull`, recording nothing, when ``queue`` plans are already
        waiting or running.
        """
        with self._lock:
            if self._pending >= self._limit:
                raise QueueFull(self._limit)
            self._pending += 1
        try:
            plan_id = start_plan(self._sessions, params, key_id=key_id)
            pool = self._ensure_pool()
            future: Future[Any]
            if self._url is None:
                future = pool.submit(run_plan, self._sessions, plan_id, params, self._publish)
            else:
                future = pool.submit(_run_in_process, self._url, plan_id, params)
        except BaseException:
            self._finished(None)
            raise
        with self._lock:
            self._futures[plan_id] = future
        future.add_done_callback(lambda _f: self._finished(plan_id))
        self._publish(plan_id=plan_id, status="running")
        return plan_id

    def _ensure_pool(self) -> Executor:
        """The pool, made on the first plan: a server that never plans starts no process."""
        with self._lock:
            if self._pool is None:
                self._pool = self._make_pool()
            return self._pool

    def _make_pool(self) -> Executor:
        if self._url is None:
            return ThreadPoolExecutor(self._workers, thread_name_prefix="stockshift-plan")
        context = multiprocessing.get_context("spawn")
        self._events = context.Queue()
        self._forwarder = threading.Thread(
            target=self._forward, args=(self._events,), name="stockshift-plan-events", daemon=True
        )
        self._forwarder.start()
        pool = ProcessPoolExecutor(
            self._workers, mp_context=context, initializer=_init_worker, initargs=(self._events,)
        )
        pool.submit(_warm)
        return pool

    def _forward(self, events: Queue[dict[str, Any] | None]) -> None:
        """Publish the worker processes' plan steps as events, until told to stop."""
        while (data := events.get()) is not None:
            self._broker.publish("plan", **data)

    def _finished(self, plan_id: int | None) -> None:
        with self._lock:
            self._pending -= 1
            if plan_id is not None:
                self._futures.pop(plan_id, None)

    def wait(self, plan_id: int, timeout: float | None = None) -> None:
        """Block until the plan's computation ends (tests)."""
        future = self._futures.get(plan_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._events is not None and self._forwarder is not None:
            self._events.put(None)
            self._forwarder.join(timeout=10)
