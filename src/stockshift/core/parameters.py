"""The rules of the planning parameters, in one place (SPEC sections 2-4).

Every front end checks a :class:`PlanParameters` through :func:`validate_parameters`; the
API also publishes :data:`RANGES`, :data:`CHOICES` and :data:`CLUSTERS_PATTERN` in its
schema. A new parameter is a field of :class:`PlanParameters` plus, if it has limits, one
entry here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import get_args

from stockshift.core.errors import ParameterError
from stockshift.core.types import ForecastKind, PlanParameters, PolicyKind, TargetKind


@dataclass(frozen=True, slots=True)
class Range:
    """Allowed values low..high; an open end excludes the bound itself."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    example: str | None = None

    def __contains__(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return math.isfinite(value) and above and below

    def describe(self) -> str:
        left = "more than" if self.low_open else "at least"
        right = "less than" if self.high_open else "at most"
        text = f"must be {left} {self.low} and {right} {self.high}"
        return f"{text}, e.g. {self.example}" if self.example else text


RANGES: dict[str, Range] = {
    "window": Range(1, 3650, example="28"),
    "cover_days": Range(1, 3650, example="7"),
    "service_level": Range(0.0, 1.0, low_open=True, high_open=True, example="0.95"),
    "max_distance_km": Range(0.0, 40_100.0),
    "max_transfers": Range(0, 100_000_000),
    "pack_size": Range(1, 1_000_000),
    "min_transfer_units": Range(0, 1_000_000_000),
    "seed": Range(0, 2**31 - 1),
    "warehouse_lead_days": Range(0, 365, example="7"),
    "review_days": Range(1, 365, example="7"),
    "transfer_lead_days": Range(0, 365, example="1"),
    "sale_value": Range(0.0, 1e9, low_open=True, example="10"),
    "cost_per_unit_km": Range(0.0, 1e6, example="0.01"),
    "cost_per_line": Range(0.0, 1e9, example="2"),
    "min_benefit": Range(0.0, 1e9, example="0"),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "target": get_args(TargetKind),
    "forecast": get_args(ForecastKind),
    "policy": get_args(PolicyKind),
}
CLUSTERS_PATTERN = r"^(auto|column|[1-9][0-9]{0,3})$"


def validate_parameters(params: PlanParameters) -> PlanParameters:
    """``params`` if every parameter is allowed; else a :class:`ParameterError` naming it."""
    for name, allowed in CHOICES.items():
        value = getattr(params, name)
        if value is not None and value not in allowed:
            raise ParameterError.about(name, value, f"use {' or '.join(allowed)}")
    check_clusters(params.clusters)
    for name, limits in RANGES.items():
        value = getattr(params, name)
        if value is not None and value not in limits:
            raise ParameterError.about(name, value, limits.describe())
    return params


def check_clusters(spec: str) -> None:
    """``clusters`` is auto, column or a number of clusters K (1..9999)."""
    if not re.fullmatch(CLUSTERS_PATTERN, spec):
        raise ParameterError.about(
            "clusters", spec, "use auto, column or a whole number of clusters from 1 to 9999"
        )


def sales_days(params: PlanParameters) -> int | None:
    """Days of sales history a plan reads: the last W for the targets, every day for ``auto``
    (which chooses its model on rolling origins over the whole history), and the longer
    history expected-benefit fits demand on (:func:`~.planning.benefit.demand_history_days`)."""
    if params.forecast == "auto":
        return None
    if params.policy == "expected-benefit":
        from stockshift.core.planning.benefit import demand_history_days

        return demand_history_days(params.window)
    return params.window
