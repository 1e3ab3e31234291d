"""Backtests in the database: create, record progress and the result, read and list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from stockshift.db.engine import write_transaction
from stockshift.db.errors import NotFoundError
from stockshift.db.models import BacktestRow
from stockshift.db.plans import Page, _page


def create_backtest(
    session: Session, *, parameters: dict[str, Any], key_id: int | None
) -> BacktestRow:
    """A new backtest in status ``running``; the caller runs it in the background."""
    with write_transaction(session):
        row = BacktestRow(
            status="running",
            parameters=parameters,
            progress=None,
            created_by=key_id,
            created_at=datetime.now(UTC),
        )
        session.add(row)
    return row


def set_backtest_progress(session: Session, *, backtest_id: int, progress: dict[str, Any]) -> None:
    with write_transaction(session):
        session.execute(
            update(BacktestRow)
            .where(BacktestRow.id == backtest_id, BacktestRow.status == "running")
            .values(progress=progress)
        )


def store_backtest_result(session: Session, *, backtest_id: int, result: dict[str, Any]) -> None:
    with write_transaction(session):
        session.execute(
            update(BacktestRow)
            .where(BacktestRow.id == backtest_id)
            .values(status="completed", result=result, finished_at=datetime.now(UTC))
        )


def fail_backtest(session: Session, *, backtest_id: int, error: str) -> None:
    """Record why a backtest could not run."""
    with write_transaction(session):
        session.execute(
            update(BacktestRow)
            .where(BacktestRow.id == backtest_id)
            .values(status="failed", error=error, finished_at=datetime.now(UTC))
        )


def fail_interrupted_backtests(session: Session) -> None:
    """Backtests still ``running`` from a previous server process will never finish."""
    with write_transaction(session):
        session.execute(
            update(BacktestRow)
            .where(BacktestRow.status == "running")
            .values(status="failed", error="interrupted by a server restart; run it again")
        )


def get_backtest(session: Session, *, backtest_id: int) -> BacktestRow:
    row = session.get(BacktestRow, backtest_id)
    if row is None:
        raise NotFoundError(f"backtest {backtest_id} does not exist")
    return row


def list_backtests(session: Session, *, limit: int, offset: int) -> Page[BacktestRow]:
    """Newest first, without their results (which can be large)."""
    stmt = select(BacktestRow).options(defer(BacktestRow.result)).order_by(BacktestRow.id.desc())
    return _page(session, stmt, limit=limit, offset=offset)
