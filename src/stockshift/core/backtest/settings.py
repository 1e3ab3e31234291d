"""The backtest's settings and results (SPEC section 10): what a user asks, what comes back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockshift.core.errors import FIELD, ParameterError
from stockshift.core.types import PlanParameters

WAREHOUSE = "warehouse"
POLICY_NAMES = ("warehouse", "greedy", "optimal", "expected-benefit")


@dataclass(frozen=True, slots=True)
class BacktestSettings:
    """The replay's own settings (SPEC section 10); planning settings are PlanParameters."""

    start: np.datetime64 | None  # first day of the run; None: the last ``weeks`` of the sales
    weeks: int
    review_days: int = 7
    warehouse_lead_days: int = 7
    transfer_lead_days: int = 1
    policies: tuple[str, ...] = POLICY_NAMES

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def first_day(self, sales_last_day: np.datetime64) -> np.datetime64:
        """``start``, or the first day of the last ``weeks`` weeks of the sales."""
        if self.start is not None:
            return self.start
        return sales_last_day - np.timedelta64(self.days - 1, "D")


@dataclass(frozen=True, slots=True)
class WeekResult:
    """One week of one policy; stock figures are the week's mean over days."""

    week: int
    start: np.datetime64
    demand: float
    sold: float
    lost: float
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """SPEC section 10's figures for one policy over the whole run.

    ``lost_vs_warehouse_pct`` = 100·(lost − lost of warehouse) / lost of warehouse (None when
    warehouse lost nothing and this policy did). ``start_stock + warehouse_units = sold +
    end_stock + pipeline`` (conservation; transfers only move units).
    """

    policy: str
    demand: float
    sold: float
    lost: float
    fill_rate: float | None
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float
    lost_vs_warehouse_pct: float | None
    start_stock: float
    end_stock: float
    pipeline: float
    weeks: tuple[WeekResult, ...]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    settings: BacktestSettings
    params: PlanParameters
    start: np.datetime64  # first day of the run
    end: np.datetime64  # last day of the run
    stores: int
    products: int
    rows: int
    clusters: int
    policies: tuple[PolicyResult, ...]

    def policy(self, name: str) -> PolicyResult:
        return next(p for p in self.policies if p.policy == name)


def check_settings(
    settings: BacktestSettings,
    *,
    window: int,
    sales_first_day: np.datetime64 | None,
    sales_last_day: np.datetime64 | None,
) -> np.datetime64:
    """Refuse settings the replay cannot honour, naming the flag and what would work;
    returns the first day of the run. Policy names are checked by ``resolve_policies``."""
    if settings.weeks < 1:
        raise ParameterError.about("weeks", settings.weeks, "must be at least 1")
    if settings.review_days < 1:
        raise ParameterError.about("review_days", settings.review_days, "must be at least 1")
    for name, value in (
        ("warehouse_lead_days", settings.warehouse_lead_days),
        ("transfer_lead_days", settings.transfer_lead_days),
    ):
        if value < 0:
            raise ParameterError.about(name, value, "must be ≥ 0")
    if sales_first_day is None or sales_last_day is None:
        raise ParameterError(
            f"{FIELD}: a backtest replays the sales history and there is none; give it",
            field="sales",
        )
    first, last = sales_first_day, sales_last_day
    start = settings.first_day(last)
    end = start + np.timedelta64(settings.days - 1, "D")
    if start <= first:
        raise ParameterError(
            f"{FIELD} {start}: the sales begin on {first}, so there is no history to set the "
            f"first targets from; start a forecast window later, e.g. {FIELD} "
            f"{first + np.timedelta64(window, 'D')}",
            field="start",
        )
    if end > last:
        latest = last - np.timedelta64(settings.days - 1, "D")
        raise ParameterError(
            f"{FIELD} {start}: {settings.weeks} week(s) would end on {end} but the sales end "
            f"on {last}; start on or before {latest} or replay fewer weeks",
            field="start",
        )
    return start
