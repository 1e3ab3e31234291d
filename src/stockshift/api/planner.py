"""Plans computed in the background, on a small thread pool.

``POST /api/v1/plans`` records a ``running`` plan and returns at once; a worker runs the
planning service (:mod:`stockshift.service.planning`) and its steps become ``plan`` events.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from stockshift.api.events import Broker
from stockshift.core.types import PlanParameters
from stockshift.service.planning import run_plan, start_plan


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
    ) -> None:
        self._sessions = sessions
        self._publish = partial(broker.publish, "plan")
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="stockshift-plan")
        self._futures: dict[int, Future[None]] = {}
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
            future = self._pool.submit(run_plan, self._sessions, plan_id, params, self._publish)
        except BaseException:
            self._finished(None)
            raise
        with self._lock:
            self._futures[plan_id] = future
        future.add_done_callback(lambda _f: self._finished(plan_id))
        self._publish(plan_id=plan_id, status="running")
        return plan_id

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
        self._pool.shutdown(wait=True, cancel_futures=True)
