"""``--forecast auto``'s safety factor: the service level asked is the fill rate of each
product's out-of-sample windows (core/forecast/calibration.py), checked by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from stockshift.core.forecast import auto_forecast
from stockshift.core.forecast.auto import DemandForecast, Evaluation, select
from stockshift.core.forecast.calibration import K_MAX, K_MIN, MIN_WINDOWS, Calibration
from stockshift.core.targets import distribution_target


def _cal(
    forecast: list[float], sigma: list[float], cover: list[float], lead: list[float]
) -> Calibration:
    """Windows of one group, one series each."""
    n = len(forecast)
    arrays = (np.asarray(v, dtype=np.float64) for v in (forecast, sigma, cover, lead))
    return Calibration(*arrays, np.zeros(n, np.int32), np.zeros(n, np.int32), 1)


def _fill(cal: Calibration, k: float) -> float:
    return float(cal.fill(np.array([k]))[0])


def test_fill_without_review_is_the_share_of_the_windows_demand_served() -> None:
    """F = 10, σ = 2 on two windows that sold 10 and 14: k = 0 stocks 10 and serves 10 + 10
    of 24 units; k = 1 stocks 12 (22 of 24); k = 2 stocks 14 (all)."""
    cal = _cal([10, 10], [2, 2], [10, 14], [0, 0])
    assert _fill(cal, 0.0) == pytest.approx(20 / 24)
    assert _fill(cal, 1.0) == pytest.approx(22 / 24)
    assert _fill(cal, 2.0) == 1.0


def test_factor_is_the_least_k_that_reaches_the_level() -> None:
    """Stock 11 (k in (0, 0.5]) serves 21/24 = 0.875 < 0.9; stock 12 (k just above 0.5)
    serves 22/24: k_0.9 is 0.5, and the target it gives is 12."""
    cal = _cal([10, 10], [2, 2], [10, 14], [0, 0])
    k = float(cal.group_factors(0.9)[0])
    assert k == pytest.approx(0.5, abs=1e-8)
    assert math.ceil(10 + k * 2 - 1e-9) == 12
    assert cal.group_factors(0.5).tolist() == [K_MIN]  # every k in the range reaches it
    assert _cal([0], [1], [100], [0]).group_factors(0.99).tolist() == [K_MAX]  # none does


def test_the_lead_time_demand_is_not_the_review_periods() -> None:
    """Cover 14 days, review 7: 12 units sold in the first 7 days (lead time) and 2 in the
    review period. Stock 10 or 12 loses both units of the review period; stock 14 none."""
    cal = _cal([10], [2], [14], [12])
    assert (_fill(cal, 0.0), _fill(cal, 1.0), _fill(cal, 2.0)) == (0.0, 0.0, 1.0)


def test_each_product_gets_its_own_factor_and_a_thin_one_the_normal_quantile() -> None:
    """Product 0: MIN_WINDOWS windows that all sell F = 5 with σ = 1, so the least k that
    stocks 5 (⌈5 + k − 1e-9⌉ = 5) is −1; product 1: one window, too few: z = Φ⁻¹(0.9)."""
    m = MIN_WINDOWS
    cal = Calibration(
        np.full(m + 1, 5.0),
        np.ones(m + 1),
        np.full(m + 1, 5.0),
        np.zeros(m + 1),
        np.array([0] * m + [1], np.int32),
        np.array([0, 1, 1], np.int32),
        2,
    )
    assert cal.usable().tolist() == [True, False]
    z = NormalDist().inv_cdf(0.9)
    assert cal.factors(0.9, z).tolist() == pytest.approx([-1.0, z, z], abs=1e-6)
    fc = DemandForecast(np.array([10.0]), np.array([2.0]), np.zeros(1, np.int32), ("m",), 7)
    assert fc.safety_factor(0.9).tolist() == pytest.approx([z])  # no windows at all
    assert fc.safety_factor(None).tolist() == [0.0]
    assert distribution_target(fc, service_level=None).tolist() == [10.0]


def test_auto_targets_reach_the_asked_fill_rate_on_the_out_of_sample_windows() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random((300, 120)) < 0.15) * rng.choice([1.0, 6.0, 12.0], size=(300, 120))
    group = np.repeat(np.arange(3, dtype=np.int32), 100)
    for review in (None, 7):
        fc = auto_forecast(y, horizon=14, group=group, review_days=review)
        cal = fc.calibration
        assert cal is not None and cal.usable().all()
        if review is None:
            assert not cal.lead.any()
        else:  # the first 7 of the 14 days of each window
            assert 0 < cal.lead.sum() < cal.cover.sum()
        for q in (0.8, 0.9, 0.95):
            k = cal.group_factors(q)
            assert (cal.fill(k) >= q).all() and (cal.fill(k - 1e-6) < q).all()
            target = distribution_target(fc, service_level=q)
            assert target.tolist() == np.ceil(fc.mean + k[group] * fc.sigma - 1e-9).tolist()


def test_each_windows_sigma_is_fitted_on_the_other_windows_by_hand() -> None:
    """Demand 10 in three windows; candidate a forecast 9, 13, 4 and b 10, 11, 10, so the
    candidates' mean squared errors are s = 0.5, 5, 18 (Σ 23.5) and b wins (1 < 0.7·46, and
    closer at every window). σ of window k: √((23.5 − s_k)/2) = 3.391, 3.041, 1.658, at
    least √F_k = √10, √11, √10."""
    ev = Evaluation(
        ("a", "b"),
        np.array([30, 20, 10]),
        10,
        np.full((3, 1), 10.0),
        np.array([[[9.0], [13.0], [4.0]], [[10.0], [11.0], [10.0]]]),
        np.array([[10.0], [10.0]]),
    )
    cal = select(ev, n_origins=3).calibration
    assert cal is not None
    assert cal.forecast.tolist() == [10.0, 11.0, 10.0]
    assert cal.sigma.tolist() == pytest.approx([math.sqrt(11.5), math.sqrt(11), math.sqrt(10)])
