"""Backtests run in the background, one at a time, on their own thread.

``POST /api/v1/backtests`` records a ``running`` backtest and returns at once; the worker
runs the backtest service (:mod:`stockshift.service.backtesting`) and its progress becomes
``backtest`` events on the event stream.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from stockshift.api.events import Broker
from stockshift.service.backtesting import BacktestRequest, run_backtest_job, start_backtest


class Backtester:
    def __init__(self, sessions: sessionmaker[Session], broker: Broker) -> None:
        self._sessions = sessions
        self._publish = partial(broker.publish, "backtest")
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stockshift-backtest")
        self._futures: dict[int, Future[None]] = {}

    def start(self, request: BacktestRequest, *, key_id: int | None) -> int:
        """Check and record a running backtest, queue it; returns its id."""
        backtest_id = start_backtest(self._sessions, request, key_id=key_id)
        future = self._pool.submit(
            run_backtest_job, self._sessions, backtest_id, request, self._publish
        )
        self._futures[backtest_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(backtest_id, None))
        self._publish(backtest_id=backtest_id, status="running")
        return backtest_id

    def wait(self, backtest_id: int, timeout: float | None = None) -> None:
        """Block until the backtest ends (tests)."""
        future = self._futures.get(backtest_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
