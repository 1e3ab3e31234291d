"""Plan on the stock in the database and store the result: the use case behind
``POST /api/v1/plans`` (run on the API's thread pool) and ``stockshift db plan`` (run inline).

A plan is first recorded as ``running`` (:func:`start_plan`); :func:`run_plan` then reads the
stock as it is, runs the core planner, stores the lines and reports each step to a listener.
A plan that fails records the error a user can act on; it never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.parameters import sales_days, validate_parameters
from stockshift.core.types import Dataset, Plan, PlanParameters, Stores
from stockshift.db.dataset import snapshot_dataset
from stockshift.db.plans import create_plan, fail_plan, set_progress, store_planned
from stockshift.service.jobs import failure_recorded

if TYPE_CHECKING:  # the planner loads while the snapshot is read (cli/service.py)
    from stockshift.core.runs import ProductsPlan

log = logging.getLogger("stockshift.planner")

READING = "reading stock"
SAVING = "saving"


class PlanListener(Protocol):
    """Told of each change of a plan: ``status`` running (with ``progress``), completed
    (with ``transfers``) or failed (with ``error``). The API publishes these as events."""

    def __call__(self, *, plan_id: int, status: str, **data: Any) -> None: ...


def _ignore(*, plan_id: int, status: str, **data: Any) -> None:
    """The listener of a caller that follows nothing (``db plan``)."""


def start_plan(
    sessions: sessionmaker[Session], params: PlanParameters, *, key_id: int | None
) -> int:
    """Record a ``running`` plan with these parameters; returns its id.

    Raises :class:`~stockshift.core.errors.ParameterError` (nothing recorded) if a parameter
    is not allowed.
    """
    validate_parameters(params)
    with sessions() as session:
        return create_plan(session, parameters=asdict(params), key_id=key_id).id


def read_snapshot(
    sessions: sessionmaker[Session],
    params: PlanParameters,
    on_stores: Callable[[Stores], object] | None = None,
) -> Dataset:
    """The stores, stock and sales a plan with ``params`` reads, as they are now;
    ``on_stores`` is given the stores as soon as they are read."""
    with sessions() as session:
        return snapshot_dataset(
            session,
            window=sales_days(params),
            # expected-benefit fits demand from the sales whatever the target
            with_sales=params.target != "cluster-mean" or params.policy == "expected-benefit",
            on_stores=on_stores,
        )


def run_plan(
    sessions: sessionmaker[Session],
    plan_id: int,
    params: PlanParameters,
    listener: PlanListener = _ignore,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> dict[str, Any] | None:
    """Compute plan ``plan_id`` on the stock as it is now and store it, or record why not.
    Returns the stored plan's summary (its header's ``summary``), None if it failed.

    The snapshot is read in another thread, while this one runs ``meanwhile`` (``db plan``
    loads the planner's modules then: SQLite and Arrow read mostly without the GIL) and
    then clusters the stores and computes their distances, read first."""

    def progress(step: str) -> None:
        with sessions() as session:
            set_progress(session, plan_id=plan_id, step=step)
        listener(plan_id=plan_id, status="running", progress=step)

    def record(error: str) -> None:
        with sessions() as session:
            fail_plan(session, plan_id=plan_id, error=error)
        listener(plan_id=plan_id, status="failed", error=error)

    with failure_recorded(record, log=log, job=f"plan {plan_id}", activity="planning"):
        progress(READING)
        with ThreadPoolExecutor(max_workers=1) as pool:
            stores: Future[Stores] = Future()
            reading = pool.submit(read_snapshot, sessions, params, stores.set_result)
            if meanwhile is not None:
                meanwhile()
            # imported here, not with this module, for ``meanwhile`` (cli/service.py)
            from stockshift.core.pipeline import build_plan, prepare_chain
            from stockshift.document import summary_dict

            # the stores come first: their clusters and distances while stock and sales come
            pending: list[Future[Any]] = [stores, reading]
            wait(pending, return_when=FIRST_COMPLETED)
            chain = prepare_chain(stores.result(), params, progress) if stores.done() else None
            dataset = reading.result()

        def make(on_run: Callable[[ProductsPlan], None]) -> Plan:
            done = build_plan(dataset, params, progress=progress, chain=chain, on_run=on_run)
            progress(SAVING)
            return done

        with sessions() as session:
            # each run of products' lines are stored while the next run is planned
            plan = store_planned(session, plan_id=plan_id, store_ids=dataset.stores.ids, make=make)
        listener(plan_id=plan_id, status="completed", transfers=plan.n_transfers)
        return summary_dict(plan)
    return None
