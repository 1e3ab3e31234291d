"""What the background jobs (plans, backtests) share: a failure is recorded, never raised."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from stockshift.core.errors import StockshiftError


@contextmanager
def failure_recorded(
    record: Callable[[str], None], *, log: logging.Logger, job: str, activity: str
) -> Iterator[None]:
    """Run the block; a domain error is recorded as its message reads, anything else is
    logged with its traceback and recorded as an internal error (``activity``: "planning")."""
    try:
        yield
    except StockshiftError as exc:
        record(str(exc))
    except Exception as exc:
        log.exception("%s failed", job)
        record(f"internal error while {activity}: {type(exc).__name__}: {exc}")
