"""SPEC section 3: targets, surplus and need; the forecasting models."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from stockshift.core.forecast import LinearRegression, MovingAverage, NaiveLastValue, backtest
from stockshift.core.targets import (
    auto_point_forecast,
    central_interval,
    forecast_targets,
    surplus_and_need,
)
from stockshift.core.types import Inventory, Sales


def test_surplus_and_need_floor_as_the_spec_says() -> None:
    s, n = surplus_and_need(np.array([107, 50, 76]), np.array([75.6, 75.6, 75.6]))
    assert s.tolist() == [31, 0, 0]
    assert n.tolist() == [0, 25, 0]


def test_moving_average_uses_the_last_window_or_all_days() -> None:
    y = np.array([[1.0, 2, 3, 4, 5, 6]])
    assert MovingAverage(3).fit(y).rate(7)[0] == pytest.approx(5.0)
    assert MovingAverage(28).fit(y).rate(7)[0] == pytest.approx(3.5)


def test_linear_regression_rate_is_the_mean_of_the_line_over_the_cover_days() -> None:
    y = np.array([[2.0, 4, 6, 8]])  # y = 2 + 2t
    model = LinearRegression(4).fit(y)
    # t = 4..6 -> 10, 12, 14 -> mean 12
    assert model.rate(3)[0] == pytest.approx(12.0)
    falling = LinearRegression(4).fit(np.array([[8.0, 6, 4, 2]]))
    assert falling.rate(7)[0] == 0.0  # clipped at zero
    assert LinearRegression(1).fit(np.array([[3.0, 5.0]])).rate(5)[0] == pytest.approx(5.0)


def _one_row(units: list[float]) -> tuple[Inventory, Sales]:
    inv = Inventory(
        np.array(["P"], dtype=object),
        np.array([0], np.int32),
        np.array([0], np.int32),
        np.array([10], np.int64),
        np.array([0, 1], np.int64),
    )
    sales = Sales(
        np.array([units]),
        np.array([True]),
        np.datetime64("2026-01-01"),
        np.datetime64("2026-01-01") + len(units) - 1,
        len(units),
    )
    return inv, sales


def test_forecast_target_with_safety_stock() -> None:
    units = [3.0, 5, 4, 6, 2, 4, 4, 8]
    inv, sales = _one_row(units)
    t = forecast_targets(
        inv, sales, method="moving-average", window=28, cover_days=7, service_level=0.95
    )
    r, sigma = float(np.mean(units)), float(np.std(units))
    expected = math.ceil(r * 7 + NormalDist().inv_cdf(0.95) * sigma * math.sqrt(7) - 1e-9)
    assert t.target[0] == expected
    assert t.need[0] == expected - 10


def test_forecast_target_exact_integer_is_not_rounded_up() -> None:
    inv, sales = _one_row([2.0] * 7)  # r·C = 14 exactly
    t = forecast_targets(
        inv, sales, method="moving-average", window=7, cover_days=7, service_level=None
    )
    assert t.target[0] == 14


def test_no_sales_row_means_zero_rate() -> None:
    inv, sales = _one_row([0.0, 0.0])
    sales = Sales(sales.units, np.array([False]), sales.first_day, sales.last_day, 2)
    t = forecast_targets(
        inv, sales, method="linear-regression", window=28, cover_days=7, service_level=0.99
    )
    assert t.target[0] == 0 and t.surplus[0] == 10


def test_backtest_scores_each_method() -> None:
    rng = np.random.default_rng(0)
    y = rng.poisson(5, (20, 60)).astype(float)
    scores = {
        s.method: s for s in backtest(y, methods=["moving-average", "naive"], window=28, holdout=14)
    }
    assert scores["moving-average"].mae < scores["naive"].mae
    assert scores["moving-average"].wape is not None
    assert NaiveLastValue().fit(y).predict(2).shape == (20, 2)


def test_auto_point_forecast_of_a_steady_series_by_hand() -> None:
    """2 units a day for 60 days, 7 cover days: every candidate forecasts 14 exactly at each
    origin (the blend too: its prior weights sum to 1), so the first, the blend, is kept,
    its errors are 0 and σ is the Poisson
    floor √14; at 0.9 the target is ⌈14 + 1.2816·3.7417⌉ = ⌈18.795⌉ = 19."""
    fc = auto_point_forecast(np.full(60, 2.0), cover_days=7, service_level=0.9)
    assert fc.method == "blend"
    assert (fc.rate, fc.mean) == pytest.approx((2.0, 14.0))
    assert fc.sigma == pytest.approx(math.sqrt(14))
    assert fc.target == 19
    assert central_interval(fc, 0.8) == pytest.approx((9.2048, 18.7952), abs=1e-4)
    assert auto_point_forecast(np.full(60, 2.0), cover_days=7, service_level=None).target == 14


def test_auto_point_forecast_of_a_series_that_never_sold() -> None:
    fc = auto_point_forecast(np.zeros(60), cover_days=7, service_level=0.95)
    assert (fc.rate, fc.target, fc.sigma) == (0.0, 0, 0.0)
    assert central_interval(fc, 0.8) == (0.0, 0.0)
