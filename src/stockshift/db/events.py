"""Events shared between server processes: appended by one, read by the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from stockshift.db.engine import write_transaction
from stockshift.db.models import EventRow


def append_events(
    session: Session, *, origin: str, events: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Record ``(name, data)`` events of server process ``origin``, in one transaction."""
    now = datetime.now(UTC)
    rows = [{"at": now, "origin": origin, "name": name, "data": data} for name, data in events]
    with write_transaction(session):
        session.execute(insert(EventRow), rows)


def last_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(EventRow.id))) or 0)


def events_since(
    session: Session, *, after: int, origin: str, limit: int = 1000
) -> list[tuple[int, str, dict[str, Any]]]:
    """``(id, name, data)`` of the events after id ``after`` that others recorded."""
    rows = session.execute(
        select(EventRow.id, EventRow.name, EventRow.data)
        .where(EventRow.id > after, EventRow.origin != origin)
        .order_by(EventRow.id)
        .limit(limit)
    ).all()
    return [(int(i), name, data) for i, name, data in rows]


def prune_events(session: Session, *, older_than: timedelta) -> None:
    with write_transaction(session):
        session.execute(delete(EventRow).where(EventRow.at < datetime.now(UTC) - older_than))
