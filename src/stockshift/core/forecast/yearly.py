"""A moving average that borrows what its product did at every store: the yearly season and
the demand of stores that stopped ordering.

Iowa's store-item series are a store's wholesale orders, a case at a time: one series says
little about the season, but a product's orders summed over its stores do. So for series i
of product p, cut-off T (days of history), horizon h and window W:

    F_i = h · r̄_i · s_p,      r̄_i = mean of y_i over the last W days,
    s_p = exp(λ · clip(ln(N_p / B_p), −c, c)),

N_p the product's demand over the h days that followed T a year (:data:`YEAR` = 364 days,
whole weeks) ago and B_p its demand over the ``base`` days before that, scaled to h days: the
ratio says how the coming h days sold against the half-year before them last year. The
factor is shrunk (λ < 1) and clipped because one year is a single draw of the season.
Without at least ``min_base`` days before the year-ago cut-off, s_p = 1.

A series that sold, but not in the last W days (*dormant*), forecasts the mean h-day demand
that the product's dormant series had after earlier origins T − h·(k + 1), k < K: a flat
moving average forecasts 0 there, and on Casey's a tenth of the demand came from them.

Every statistic is per product (the rows of one group), so a product's forecast depends on
its own series only, whichever other products are forecast with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray, GroupArray

YEAR = 364
Sums = Callable[[int, int], FloatArray]  # (lo, hi) → per series, the demand over [lo, hi)


def _sums(y: FloatArray, lo: int, hi: int) -> FloatArray:
    """Per series, the demand over days [lo, hi)."""
    out: FloatArray = y[:, max(lo, 0) : max(hi, 0)].sum(axis=1)
    return out


class WindowSums:
    """Per series, the demand over days [lo, hi) of one matrix y, each window summed once.

    Models fitted at several cut-offs of one history read the same windows (the model at
    t reads its dormant origins t − h·k, which are the next cut-offs' own). A window of a
    prefix y[:, :t] is the same view of the same memory as that window of y, so its sum
    is the same to the bit (no running sums: their rounding differs on fractional units).
    """

    def __init__(self, y: FloatArray) -> None:
        self.y = y
        self._memo: dict[tuple[int, int], FloatArray] = {}

    def __call__(self, lo: int, hi: int) -> FloatArray:
        key = (max(lo, 0), max(hi, 0))
        out = self._memo.get(key)
        if out is None:  # threads may both sum a window: the same sum, kept once
            out = self._memo.setdefault(key, _sums(self.y, *key))
        return out

    def on(self, y: FloatArray) -> Callable[[int, int], FloatArray]:
        """The sums of the prefix ``y`` (the first y.shape[1] days of this matrix)."""
        t = y.shape[1]
        if not is_prefix(y, self.y):
            raise ValueError(f"a view of the first days of a {self.y.shape} matrix expected")
        return lambda lo, hi: self(lo, min(hi, t))


def is_prefix(y: FloatArray, of: FloatArray) -> bool:
    """Whether ``y`` is ``of[:, :t]`` for some t: the same memory, rows and strides."""
    address = y.__array_interface__["data"][0] == of.__array_interface__["data"][0]
    shape = y.shape[0] == of.shape[0] and y.shape[1] <= of.shape[1]
    return bool(address and shape and (y.strides == of.strides or len(y) <= 1))


class YearlySeasonalMovingAverage:
    """F_i = h · r̄_i · s_p (module docstring), fitted on the rows of each group at once."""

    alias: ClassVar[str] = "seasonal-moving-average"

    def __init__(
        self,
        horizon: int,
        window: int = 182,
        *,
        base: int = 182,
        min_base: int = 91,
        clip: float = 0.4,
        weight: float = 0.5,
        dormant_origins: int = 6,
    ) -> None:
        self.horizon = horizon
        self.window = window
        self.base = base
        self.min_base = min_base
        self.clip = clip
        self.weight = weight
        self.dormant_origins = dormant_origins
        self.rate_: FloatArray = np.zeros(0)

    def fit(self, y: FloatArray) -> YearlySeasonalMovingAverage:
        """Every series its own group (no product known)."""
        return self.fit_grouped(y, np.arange(len(y)))

    def fit_grouped(
        self, y: FloatArray, group: GroupArray, sums: WindowSums | None = None
    ) -> YearlySeasonalMovingAverage:
        """``sums``: the window sums of a matrix whose first days ``y`` is, shared by the
        fits at several cut-offs of it (:class:`WindowSums`); the same rates without."""
        y = np.asarray(y, dtype=np.float64)
        n, t = y.shape
        window = sums.on(y) if sums is not None else lambda lo, hi: _sums(y, lo, hi)
        _, label = np.unique(np.asarray(group), return_inverse=True)
        label = label.reshape(-1)
        n_groups = int(label.max()) + 1 if n else 0
        rate = y[:, max(t - self.window, 0) :].mean(axis=1) if t else np.zeros(n)
        factor = self._season(window, t, label, n_groups)
        rate = rate * factor[label]
        dormant, dormant_rate = self._dormant(window, (n, t), label, n_groups)
        self.rate_ = np.where(dormant, dormant_rate[label], rate)
        return self

    def _season(self, window: Sums, t: int, label: GroupArray, n_groups: int) -> FloatArray:
        """s_p per group (1 where last year is not in the history or a sum is 0)."""
        h = self.horizon
        start = t - YEAR
        if start < self.min_base or h > YEAR:
            return np.ones(n_groups)
        lo = max(start - self.base, 0)
        after = np.bincount(label, weights=window(start, start + h), minlength=n_groups)
        base = np.bincount(label, weights=window(lo, start), minlength=n_groups)
        before = base * h / (start - lo)
        ok = (after > 0) & (before > 0)
        ratio = np.log(np.where(ok, after, 1.0) / np.where(ok, before, 1.0))
        out: FloatArray = np.exp(self.weight * np.clip(ratio, -self.clip, self.clip))
        return out

    def _dormant(
        self, window: Sums, shape: tuple[int, int], label: GroupArray, n_groups: int
    ) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        """Which series are dormant now, and per group the mean daily demand its dormant
        series had over the h days after each earlier origin."""
        (n, t), h, w = shape, self.horizon, self.window

        def dormant_at(cut: int) -> npt.NDArray[np.bool_]:
            out: npt.NDArray[np.bool_] = (window(cut - w, cut) == 0) & (window(0, cut - w) > 0)
            return out

        demand = np.zeros(n_groups)
        count = np.zeros(n_groups)
        for k in range(self.dormant_origins):
            cut = t - h * (k + 1)
            if cut - w <= 0:
                break
            was = dormant_at(cut)
            demand += np.bincount(label, weights=window(cut, cut + h) * was, minlength=n_groups)
            count += np.bincount(label, weights=was.astype(np.float64), minlength=n_groups)
        rate: FloatArray = np.where(count > 0, demand / np.maximum(count, 1.0), 0.0) / h
        now = dormant_at(t) if t - w > 0 else np.zeros(n, bool)
        return now, rate

    def predict(self, h: int) -> FloatArray:
        return np.repeat(self.rate_[:, None], h, axis=1)

    def rate(self, cover_days: int) -> FloatArray:
        return self.rate_
