"""Hold-out backtest so a planner can pick a forecasting method on their own data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockshift.core.errors import ParameterError
from stockshift.core.forecast.models import make_model
from stockshift.core.types import FloatArray


@dataclass(frozen=True, slots=True)
class BacktestScore:
    """Errors of one method over the hold-out days, pooled over every series.

    MAE = mean |y − ŷ|; WAPE = Σ|y − ŷ| / Σ y (None when nothing sold in the hold-out).
    """

    method: str
    mae: float
    wape: float | None


def backtest(
    y: FloatArray, *, methods: list[str], window: int, holdout: int
) -> list[BacktestScore]:
    """Fit each method on all days but the last ``holdout``, score it on those days."""
    if holdout < 1:
        raise ParameterError.about("holdout", holdout, "must be at least 1 day")
    if y.shape[1] <= holdout:
        raise ParameterError.about(
            "holdout",
            holdout,
            f"the sales cover only {y.shape[1]} day(s); use a shorter hold-out or more history",
        )
    train, test = y[:, :-holdout], y[:, -holdout:]
    scores = []
    total = float(test.sum())
    for alias in methods:
        pred = make_model(alias, window).fit(train).predict(holdout)
        abs_err = np.abs(test - pred)
        mae = float(abs_err.mean()) if abs_err.size else 0.0
        scores.append(BacktestScore(alias, mae, float(abs_err.sum()) / total if total else None))
    return scores
