"""The limits every input value is checked against on read (docs/api.md, docs/cli.md).

A value outside them is a row error (file, row, column), never something stored and found
broken later: a sale dated in the year 3000 would move the forecast window there, a quantity
of 1e300 makes need negative, 9e18 units wrap totals, and an id longer than the database
column or holding a NUL byte fails the database write.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

MAX_ID_LENGTH = 64
"""Characters in a store, product or cluster id (the database's id columns hold 64)."""

MAX_NAME_LENGTH = 200
"""Characters in a store name (the database column holds 200)."""

MAX_STOCK_UNITS = 10**9
"""Largest ``on_hand`` (and ``in_transit``) of one inventory row, in units.

A million rows at this limit still sum well inside a signed 64-bit integer.
"""

MAX_SALES_UNITS = 10**7
"""Largest ``units`` of one sales row (one store, product and day)."""

MAX_CAPACITY = 10**12
"""Largest store ``capacity``, in units."""

EARLIEST_DATE = date(1900, 1, 1)
"""No sales date before this: older dates are typing mistakes (``0000-01-01``)."""

FUTURE_MARGIN_DAYS = 366
"""A sales date may lie at most this many days after today (UTC): room for time zones and
pre-booked promotions, none for a year-3000 typo that would move the forecast window."""

CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"
"""No id or name may hold these (NUL, tab, line breaks, ...): databases refuse NUL, and a
spreadsheet or terminal shows the others wrongly."""


def latest_date(today: date | None = None) -> date:
    """The latest sales date accepted: today (UTC) plus :data:`FUTURE_MARGIN_DAYS`."""
    return (today or datetime.now(UTC).date()) + timedelta(days=FUTURE_MARGIN_DAYS)
