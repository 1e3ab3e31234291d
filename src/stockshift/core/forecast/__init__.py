"""Demand forecasting: one model per class, one engine that runs them over many series."""

from stockshift.core.forecast.auto import (
    DemandForecast,
    Evaluation,
    auto_forecast,
    demand_forecast,
    evaluate,
    point_forecast,
    select,
)
from stockshift.core.forecast.backtest import BacktestScore, backtest
from stockshift.core.forecast.base import Forecaster
from stockshift.core.forecast.engine import CANDIDATES, FAST, FULL, STANDARD, horizon_totals
from stockshift.core.forecast.models import (
    MODELS,
    LinearRegression,
    MovingAverage,
    NaiveLastValue,
    make_model,
)

__all__ = [
    "CANDIDATES",
    "FAST",
    "FULL",
    "MODELS",
    "STANDARD",
    "BacktestScore",
    "DemandForecast",
    "Evaluation",
    "Forecaster",
    "LinearRegression",
    "MovingAverage",
    "NaiveLastValue",
    "auto_forecast",
    "backtest",
    "demand_forecast",
    "evaluate",
    "horizon_totals",
    "make_model",
    "point_forecast",
    "select",
]
