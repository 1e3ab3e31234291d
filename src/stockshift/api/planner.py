"""Plans computed in the background, on a small thread pool.

``POST /api/v1/plans`` stores a ``running`` plan and returns at once; a worker reads the
stock as it is when the plan starts, runs the core planner, stores the lines and publishes
an event. A plan that fails records the error a user can act on.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from stockshift.api.events import Broker
from stockshift.core.errors import StockshiftError
from stockshift.core.pipeline import build_plan
from stockshift.core.types import PlanParameters
from stockshift.db.dataset import snapshot_dataset
from stockshift.db.models import PlanRow
from stockshift.db.plans import create_plan, fail_plan, set_progress, store_result

log = logging.getLogger("stockshift.planner")


class Planner:
    def __init__(self, sessions: sessionmaker[Session], broker: Broker, workers: int = 1) -> None:
        self._sessions = sessions
        self._broker = broker
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="stockshift-plan")
        self._futures: dict[int, Future[None]] = {}

    def start(self, params: PlanParameters, *, key_id: int | None) -> int:
        """Record a running plan and queue its computation; returns the plan id."""
        with self._sessions() as session:
            plan_id = create_plan(session, parameters=asdict(params), key_id=key_id).id
        future = self._pool.submit(self._run, plan_id, params)
        self._futures[plan_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(plan_id, None))
        self._broker.publish("plan", plan_id=plan_id, status="running")
        return plan_id

    def wait(self, plan_id: int, timeout: float | None = None) -> None:
        """Block until the plan's computation ends (tests, the CLI)."""
        future = self._futures.get(plan_id)
        if future is not None:
            future.result(timeout)

    def _progress(self, plan_id: int, step: str) -> None:
        with self._sessions() as session:
            set_progress(session, plan_id=plan_id, step=step)
        self._broker.publish("plan", plan_id=plan_id, status="running", progress=step)

    def _run(self, plan_id: int, params: PlanParameters) -> None:
        try:
            self._progress(plan_id, "reading stock")
            with self._sessions() as session:
                dataset = snapshot_dataset(
                    session, window=params.window, with_sales=params.target != "cluster-mean"
                )
            plan = build_plan(dataset, params, progress=lambda s: self._progress(plan_id, s))
            self._progress(plan_id, "saving")
            with self._sessions() as session:
                store_result(session, plan_id=plan_id, plan=plan)
            self._broker.publish(
                "plan", plan_id=plan_id, status="completed", transfers=plan.n_transfers
            )
        except StockshiftError as exc:
            self._fail(plan_id, str(exc))
        except Exception as exc:
            log.exception("plan %s failed", plan_id)
            self._fail(plan_id, f"internal error while planning: {type(exc).__name__}: {exc}")

    def _fail(self, plan_id: int, error: str) -> None:
        with self._sessions() as session:
            fail_plan(session, plan_id=plan_id, error=error)
        self._broker.publish("plan", plan_id=plan_id, status="failed", error=error)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def fail_interrupted(sessions: sessionmaker[Session]) -> None:
    """Plans still ``running`` from a previous server process will never finish: say so."""
    with sessions() as session:
        session.execute(
            update(PlanRow)
            .where(PlanRow.status == "running")
            .values(status="failed", error="interrupted by a server restart; plan again")
        )
        session.commit()
