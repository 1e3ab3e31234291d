"""One engine that runs many models over many series: horizon totals at several cut-offs.

The series are the rows of one dense float64 matrix (the zero-filled daily sales of every
inventory row, packed once by ``io.sales``): the same idea as statsforecast's
``GroupedArray(data, indptr)`` with equal lengths, so a cut-off is a column slice and
vectorised models fit every series in one reduction. Models that fit one series at a time
(statsforecast's) loop in C-backed calls; ``n_jobs > 1`` splits the rows over processes.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from stockshift.core.errors import ParameterError
from stockshift.core.forecast.base import Forecaster
from stockshift.core.forecast.blend import Blend
from stockshift.core.forecast.intermittent import (
    ADIDA,
    IMAPA,
    TSB,
    CrostonClassic,
    CrostonOptimized,
    CrostonSBA,
)
from stockshift.core.forecast.models import LinearRegression, MovingAverage
from stockshift.core.forecast.seasonal import SeasonalNaive
from stockshift.core.forecast.smoothing import (
    AutoETS,
    SimpleExponentialSmoothing,
    SimpleExponentialSmoothingOptimized,
)
from stockshift.core.forecast.yearly import WindowSums, YearlySeasonalMovingAverage
from stockshift.core.types import FloatArray, GroupArray

Factory = Callable[[int], Forecaster]

#: Every model ``auto`` may choose from, by name; the factory takes the horizon in days.
#: Order matters: ties (e.g. a series that never sold) go to the first, the SPEC's default.
CANDIDATES: dict[str, Factory] = {
    "moving-average-28": lambda h: MovingAverage(28),
    "moving-average-7": lambda h: MovingAverage(7),
    "moving-average-56": lambda h: MovingAverage(56),
    "moving-average-91": lambda h: MovingAverage(91),
    "moving-average-182": lambda h: MovingAverage(182),
    "linear-regression-28": lambda h: LinearRegression(28),
    "seasonal-naive": lambda h: SeasonalNaive(7),
    "ses": lambda h: SimpleExponentialSmoothing(0.1),
    "ses-optimized": lambda h: SimpleExponentialSmoothingOptimized(),
    "croston": lambda h: CrostonClassic(),
    "croston-sba": lambda h: CrostonSBA(),
    "croston-optimized": lambda h: CrostonOptimized(),
    "tsb": lambda h: TSB(0.1, 0.1),
    "adida": lambda h: ADIDA(),
    "imapa": lambda h: IMAPA(),
    "auto-ets": lambda h: AutoETS(h),
    "seasonal-moving-average-182": lambda h: YearlySeasonalMovingAverage(h, 182),
    "seasonal-moving-average-364": lambda h: YearlySeasonalMovingAverage(h, 364),
    "blend": lambda h: Blend(h),
}

#: Every model but AutoETS (≈1 ms a series, 50× the others): what ``stockshift forecast``
#: scores on held-out windows.
FULL: tuple[str, ...] = tuple(n for n in CANDIDATES if n != "auto-ets")
#: What ``auto`` chooses from. On the Iowa data (docs/benchmarks.md) choosing among every
#: model per series did worse than any long moving average: with a few origins, the noisy
#: short-memory and upward-biased models (moving average 7 and 28, seasonal naive, linear
#: regression, SES with α = 0.1, Croston, TSB) win some origins by chance and then miss.
#: The first, ``blend`` (core/forecast/blend.py: the seasonal 91/182/364-day averages and
#: the product's mean per store, fixed weights), is what a series keeps unless another
#: clearly beats it at the origins (``auto.MARGIN``); every candidate's errors give the
#: spread (``auto.choose``). On a history long enough for it, ``blend-boosted``
#: (core/forecast/learned.py, fitted across every product) goes before the blend.
STANDARD: tuple[str, ...] = (
    "blend", "seasonal-moving-average-182", "moving-average-182", "moving-average-91",
    "moving-average-56", "ses-optimized", "adida",
)  # fmt: skip
#: ``auto`` on more than :data:`SCALE_SERIES` series: the vectorised moving averages and
#: the cheapest statsforecast model (SES, 3 µs a series against 14-18 for the standard two).
FAST: tuple[str, ...] = (
    "moving-average-182", "moving-average-91", "moving-average-56", "ses",
)  # fmt: skip
SCALE_SERIES = 200_000


def default_candidates(n_series: int) -> tuple[str, ...]:
    """What ``auto`` chooses from on ``n_series`` series."""
    return STANDARD if n_series <= SCALE_SERIES else FAST


#: Scored beside ``auto``'s candidates by ``stockshift forecast`` by default: the SPEC's
#: 28-day average (the baseline) and the weekly seasonal naive (RMSSE's reference). Both are
#: vectorised, so the default table costs what a plan's choice costs.
BASELINES: tuple[str, ...] = ("moving-average-28", "seasonal-naive")


def scored_candidates(n_series: int, *, every_model: bool = False) -> tuple[str, ...]:
    """What ``stockshift forecast`` scores: ``auto``'s candidates and :data:`BASELINES`, or
    with ``every_model`` all of :data:`FULL` (the cheap set at scale either way)."""
    if n_series > SCALE_SERIES:
        return (*FAST, *BASELINES)
    if every_model:
        return FULL
    return (*default_candidates(n_series), *BASELINES)


def check_candidates(names: Sequence[str]) -> None:
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown or not names:
        raise ParameterError(
            f"forecast candidates {', '.join(unknown) or '(none)'}: "
            f"choose from {', '.join(CANDIDATES)}"
        )


def _fit(
    model: Forecaster, y: FloatArray, group: GroupArray | None, sums: WindowSums
) -> Forecaster:
    """A model that pools the series of a group (``fit_grouped``) gets the groups, and the
    window sums its fits at the other cut-offs of the same history share."""
    if group is not None and isinstance(model, YearlySeasonalMovingAverage | Blend):
        return model.fit_grouped(y, group, sums)
    return model.fit(y)


def _totals(
    y: FloatArray,
    names: Sequence[str],
    horizon: int,
    cuts: Sequence[int],
    group: GroupArray | None = None,
) -> FloatArray:
    """out[m, k, i]: model m fitted on days [0, cuts[k]) of series i, summed over the horizon."""
    out = np.zeros((len(names), len(cuts), len(y)))
    sums = WindowSums(y)
    for m, name in enumerate(names):
        for k, cut in enumerate(cuts):
            model = _fit(CANDIDATES[name](horizon), y[:, :cut], group, sums)
            out[m, k] = model.predict(horizon).sum(axis=1)
    return out


_SHARED: FloatArray | None = None  # the matrix forked workers read (copy-on-write)
_SHARED_GROUP: GroupArray | None = None


def _chunk(lo: int, hi: int, names: Sequence[str], horizon: int, cuts: Sequence[int]) -> FloatArray:
    assert _SHARED is not None
    group = _SHARED_GROUP[lo:hi] if _SHARED_GROUP is not None else None
    return _totals(_SHARED[lo:hi], names, horizon, cuts, group)


def chunk_bounds(n: int, parts: int, group: GroupArray | None) -> list[int]:
    """Row offsets that split n rows into about ``parts`` chunks, each group whole: with
    ``group`` (non-decreasing, e.g. the product of rows sorted by product) a bound moves to
    the start of the group it falls in."""
    bounds = np.linspace(0, n, parts + 1).astype(int)
    if group is not None and n:
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        bounds = np.r_[starts[np.searchsorted(starts, bounds[:-1], side="right") - 1], n]
    return sorted(set(bounds.tolist()))


def horizon_totals(
    y: FloatArray,
    names: Sequence[str],
    *,
    horizon: int,
    cuts: Sequence[int],
    n_jobs: int = 1,
    group: GroupArray | None = None,
) -> FloatArray:
    """Forecast demand over ``horizon`` days after each cut-off, for every model and series.

    Returns an array (models, cuts, series). ``group`` (e.g. the product of each row) is what
    pooled models pool over; without it each series is its own group. With ``n_jobs > 1`` the
    rows are split into chunks of whole groups computed by forked processes (Linux;
    elsewhere, on small inputs, and when a group's rows are not adjacent, one process).
    """
    check_candidates(names)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = len(y)
    jobs = min(n_jobs, max(n // 2_000, 1))
    if group is not None:
        group = np.asarray(group)
        if n and bool(np.any(group[1:] < group[:-1])):
            jobs = 1
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _totals(y, names, horizon, cuts, group)
    global _SHARED, _SHARED_GROUP
    _SHARED, _SHARED_GROUP = y, group
    try:
        bounds = chunk_bounds(n, jobs * 4, group)
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            parts = [
                pool.submit(_chunk, lo, hi, tuple(names), horizon, tuple(cuts))
                for lo, hi in itertools.pairwise(bounds)
            ]
            return np.concatenate([p.result() for p in parts], axis=2)
    finally:
        _SHARED, _SHARED_GROUP = None, None
