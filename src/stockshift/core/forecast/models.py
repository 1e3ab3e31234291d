"""Moving average, linear regression and the naive baseline, over many series at once.

Each model has an ``alias``, ``fit(y) -> self`` on the last ``window`` days, ``predict(h)``
giving h daily values, and ``rate(cover_days)``: the mean daily demand over the next
``cover_days`` days, which SPEC section 3 turns into a target.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from stockshift.core.forecast.base import Forecaster
from stockshift.core.types import FloatArray


def _tail(y: FloatArray, window: int) -> FloatArray:
    """The last ``window`` days (all days if fewer)."""
    y = np.asarray(y, dtype=np.float64)
    return y[:, max(y.shape[1] - window, 0) :]


class MovingAverage:
    """r = mean of the last W days (SPEC section 3)."""

    alias: ClassVar[str] = "moving-average"

    def __init__(self, window: int = 28) -> None:
        self.window = window
        self.rate_: FloatArray = np.zeros(0)

    def fit(self, y: FloatArray) -> MovingAverage:
        self.rate_ = _tail(y, self.window).mean(axis=1)
        return self

    def predict(self, h: int) -> FloatArray:
        return np.repeat(self.rate_[:, None], h, axis=1)

    def rate(self, cover_days: int) -> FloatArray:
        return self.rate_


def _line_fit(y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Least-squares intercept a and slope b of y_t = a + b·t, t = 0..W-1 (flat when W = 1)."""
    w = y.shape[1]
    t = np.arange(w, dtype=np.float64)
    t_mean = t.mean()
    y_mean = y.mean(axis=1)
    sxx = float(((t - t_mean) ** 2).sum())
    if sxx == 0.0:
        return y_mean, np.zeros_like(y_mean)
    b = ((y - y_mean[:, None]) * (t - t_mean)).sum(axis=1) / sxx
    return y_mean - b * t_mean, b


class LinearRegression:
    """Least-squares trend over the last W days; r = the line's mean over the next C days."""

    alias: ClassVar[str] = "linear-regression"

    def __init__(self, window: int = 28) -> None:
        self.window = window
        self.w_ = 0
        self.a_: FloatArray = np.zeros(0)
        self.b_: FloatArray = np.zeros(0)

    def fit(self, y: FloatArray) -> LinearRegression:
        tail = _tail(y, self.window)
        self.w_ = tail.shape[1]
        self.a_, self.b_ = _line_fit(tail) if self.w_ else (np.zeros(len(y)), np.zeros(len(y)))
        return self

    def predict(self, h: int) -> FloatArray:
        t = self.w_ + np.arange(h, dtype=np.float64)
        out: FloatArray = np.clip(self.a_[:, None] + self.b_[:, None] * t, 0.0, None)
        return out

    def rate(self, cover_days: int) -> FloatArray:
        """a + b·(W + (C − 1)/2), the mean over t = W..W+C−1, clipped at 0 (SPEC section 3)."""
        r: FloatArray = np.clip(self.a_ + self.b_ * (self.w_ + (cover_days - 1) / 2.0), 0.0, None)
        return r


class NaiveLastValue:
    """Baseline: tomorrow sells what the last day sold."""

    alias: ClassVar[str] = "naive"

    def __init__(self, window: int = 1) -> None:
        self.rate_: FloatArray = np.zeros(0)

    def fit(self, y: FloatArray) -> NaiveLastValue:
        y = np.asarray(y, dtype=np.float64)
        self.rate_ = y[:, -1] if y.shape[1] else np.zeros(len(y))
        return self

    def predict(self, h: int) -> FloatArray:
        return np.repeat(self.rate_[:, None], h, axis=1)

    def rate(self, cover_days: int) -> FloatArray:
        return self.rate_


MODELS: dict[str, type[MovingAverage] | type[LinearRegression] | type[NaiveLastValue]] = {
    m.alias: m for m in (MovingAverage, LinearRegression, NaiveLastValue)
}


def make_model(alias: str, window: int) -> Forecaster:
    return MODELS[alias](window)
