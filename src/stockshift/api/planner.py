"""Plans computed in the background, on a small thread pool.

``POST /api/v1/plans`` records a ``running`` plan and returns at once; a worker runs the
planning service (:mod:`stockshift.service.planning`) and its steps become ``plan`` events.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from stockshift.api.events import Broker
from stockshift.core.types import PlanParameters
from stockshift.service.planning import run_plan, start_plan


class Planner:
    def __init__(self, sessions: sessionmaker[Session], broker: Broker, workers: int = 1) -> None:
        self._sessions = sessions
        self._publish = partial(broker.publish, "plan")
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="stockshift-plan")
        self._futures: dict[int, Future[None]] = {}

    def start(self, params: PlanParameters, *, key_id: int | None) -> int:
        """Record a running plan and queue its computation; returns the plan id."""
        plan_id = start_plan(self._sessions, params, key_id=key_id)
        future = self._pool.submit(run_plan, self._sessions, plan_id, params, self._publish)
        self._futures[plan_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(plan_id, None))
        self._publish(plan_id=plan_id, status="running")
        return plan_id

    def wait(self, plan_id: int, timeout: float | None = None) -> None:
        """Block until the plan's computation ends (tests)."""
        future = self._futures.get(plan_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
