"""Backtest the policies on the data in the database: the use case behind
``POST /api/v1/backtests`` (run on the API's thread pool).

A backtest is recorded as ``running`` (:func:`start_backtest`, which first checks the
settings against the sales in the database so that a bad request fails at once);
:func:`run_backtest_job` then reads stores, stock and the whole sales history, replays it
(SPEC section 10), stores the result file and reports progress to a listener after each
replayed week. The database's on-hand stock is the stock on the first day of the run.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.backtest import (
    BacktestSettings,
    check_settings,
    resolve_policies,
    run_backtest,
)
from stockshift.core.parameters import validate_parameters
from stockshift.core.types import PlanParameters
from stockshift.db.backtests import (
    create_backtest,
    fail_backtest,
    set_backtest_progress,
    store_backtest_result,
)
from stockshift.db.dataset import snapshot_dataset
from stockshift.db.stores import sales_range
from stockshift.io.backtestfile import backtest_document
from stockshift.service.jobs import failure_recorded

log = logging.getLogger("stockshift.backtest")


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """What a user asks for: the replay's settings and the planning settings."""

    settings: BacktestSettings
    params: PlanParameters

    def as_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "start": None if s.start is None else str(s.start),
            "weeks": s.weeks,
            "review_days": s.review_days,
            "warehouse_lead_days": s.warehouse_lead_days,
            "transfer_lead_days": s.transfer_lead_days,
            "policies": list(s.policies),
            **{k: v for k, v in asdict(self.params).items() if k not in ("target", "policy")},
        }


class BacktestListener(Protocol):
    """Told of each change: ``status`` running (with ``progress``), completed or failed
    (with ``error``). The API publishes these as ``backtest`` events."""

    def __call__(self, *, backtest_id: int, status: str, **data: Any) -> None: ...


def _ignore(*, backtest_id: int, status: str, **data: Any) -> None:
    """The listener of a caller that follows nothing."""


def _day(value: date | None) -> np.datetime64 | None:
    return None if value is None else np.datetime64(value.isoformat(), "D")


def start_backtest(
    sessions: sessionmaker[Session], request: BacktestRequest, *, key_id: int | None
) -> int:
    """Check the request against the sales in the database and record a ``running``
    backtest; returns its id. Raises ParameterError (nothing recorded) when it cannot run."""
    validate_parameters(request.params)
    resolve_policies(request.settings.policies)
    with sessions() as session:
        first, last = sales_range(session)
    check_settings(
        request.settings,
        window=request.params.window,
        sales_first_day=_day(first),
        sales_last_day=_day(last),
    )
    with sessions() as session:
        return create_backtest(session, parameters=request.as_dict(), key_id=key_id).id


def run_backtest_job(
    sessions: sessionmaker[Session],
    backtest_id: int,
    request: BacktestRequest,
    listener: BacktestListener = _ignore,
) -> None:
    """Replay the history in the database and store the result, or record why not."""

    def progress(policy: str, done: int, total: int) -> None:
        if done % 7 and done != total:
            return
        step = {"policy": policy, "day": done, "days": total}
        with sessions() as session:
            set_backtest_progress(session, backtest_id=backtest_id, progress=step)
        listener(backtest_id=backtest_id, status="running", progress=step)

    def record(error: str) -> None:
        with sessions() as session:
            fail_backtest(session, backtest_id=backtest_id, error=error)
        listener(backtest_id=backtest_id, status="failed", error=error)

    with failure_recorded(record, log=log, job=f"backtest {backtest_id}", activity="backtesting"):
        with sessions() as session:
            dataset = snapshot_dataset(session, window=None)
        result = run_backtest(dataset, request.params, request.settings, progress=progress)
        document = backtest_document(result)
        with sessions() as session:
            store_backtest_result(session, backtest_id=backtest_id, result=document)
        listener(backtest_id=backtest_id, status="completed")
