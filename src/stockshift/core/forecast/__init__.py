"""Demand forecasting: one model per class, one engine that runs them over many series."""

from stockshift.core.forecast.backtest import BacktestScore, backtest
from stockshift.core.forecast.models import (
    MODELS,
    Forecaster,
    LinearRegression,
    MovingAverage,
    NaiveLastValue,
    make_model,
)

__all__ = [
    "MODELS",
    "BacktestScore",
    "Forecaster",
    "LinearRegression",
    "MovingAverage",
    "NaiveLastValue",
    "backtest",
    "make_model",
]
