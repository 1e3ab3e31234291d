"""The statsforecast wrappers, the engine and ``--forecast auto``'s choice and spread."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from statsforecast import models as sf

from stockshift.core.forecast import CANDIDATES, FULL, STANDARD, auto_forecast, evaluate, select
from stockshift.core.forecast.accuracy import held_out
from stockshift.core.forecast.auto import point_forecast, rolling_cuts
from stockshift.core.forecast.engine import horizon_totals
from stockshift.core.forecast.golden import ses_optimized_levels
from stockshift.core.forecast.intermittent import (
    ADIDA,
    IMAPA,
    TSB,
    CrostonClassic,
    CrostonOptimized,
    CrostonSBA,
)
from stockshift.core.forecast.models import MovingAverage
from stockshift.core.forecast.seasonal import SeasonalNaive
from stockshift.core.forecast.smoothing import (
    AutoETS,
    SimpleExponentialSmoothing,
    SimpleExponentialSmoothingOptimized,
)

INTERMITTENT = {"croston", "croston-sba", "croston-optimized", "tsb", "adida", "imapa"}


def _series() -> np.ndarray:
    rng = np.random.default_rng(7)
    lumpy = (rng.random((3, 90)) < 0.2) * rng.integers(1, 13, (3, 90))
    smooth = 5 + rng.normal(0, 1, (2, 90)).clip(-4, None)
    zero = np.zeros((1, 90))
    return np.vstack([lumpy, smooth, zero]).astype(np.float64)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (SimpleExponentialSmoothing(0.1), sf.SimpleExponentialSmoothing(alpha=0.1)),
        (SimpleExponentialSmoothingOptimized(), sf.SimpleExponentialSmoothingOptimized()),
        (CrostonClassic(), sf.CrostonClassic()),
        (CrostonSBA(), sf.CrostonSBA()),
        (CrostonOptimized(), sf.CrostonOptimized()),
        (TSB(0.1, 0.1), sf.TSB(alpha_d=0.1, alpha_p=0.1)),
        (ADIDA(), sf.ADIDA()),
        (IMAPA(), sf.IMAPA()),
        (AutoETS(5), sf.AutoETS(model="ZZN")),
        (SeasonalNaive(7), sf.SeasonalNaive(season_length=7)),
        (MovingAverage(28), sf.WindowAverage(window_size=28)),
    ],
    ids=lambda m: type(m).__name__,
)
def test_each_wrapper_forecasts_what_statsforecast_does(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    y = _series()
    h = 5
    got = ours.fit(y).predict(h)
    for i, row in enumerate(y):
        if not row.any() and not isinstance(ours, SeasonalNaive | MovingAverage):
            assert np.all(got[i] == 0.0)  # never sold: 0 without a call
            continue
        want = np.maximum(theirs.forecast(y=row, h=h)["mean"], 0.0)
        if isinstance(ours, AutoETS):
            want = np.full(h, want.mean())  # a flat daily level: the path's mean
        np.testing.assert_allclose(got[i], want, rtol=1e-9, atol=1e-9)


def test_engine_totals_match_fitting_each_model_by_hand() -> None:
    y = _series()
    out = horizon_totals(y, ["croston", "moving-average-7"], horizon=7, cuts=[90, 60])
    assert out.shape == (2, 2, len(y))
    np.testing.assert_allclose(out[0, 1], CrostonClassic().fit(y[:, :60]).predict(7).sum(axis=1))
    np.testing.assert_allclose(out[1, 0], y[:, -7:].sum(axis=1))


def test_rolling_origins_tile_the_end_of_the_history() -> None:
    assert rolling_cuts(100, 28, 4).tolist() == [72, 44, 16]  # 16 days ≥ 14 before the last
    assert rolling_cuts(90, 28, 4).tolist() == [62, 34]  # 6 days would be too few
    assert rolling_cuts(303, 28, 4).tolist() == [275, 247, 219, 191]
    assert rolling_cuts(41, 28, 4).tolist() == []


def _choice(y: np.ndarray, horizon: int) -> str:
    """The choice among every model (the default set leaves out the short-memory ones)."""
    fc = auto_forecast(y[None, :], horizon=horizon, candidates=FULL)
    return str(fc.method_names()[0])


def test_auto_picks_the_trend_on_a_straight_line() -> None:
    y = 1.0 + 0.5 * np.arange(150)
    assert _choice(y, 14) == "linear-regression-28"


def test_auto_picks_a_fast_adapting_method_after_a_level_shift() -> None:
    rng = np.random.default_rng(1)
    y = np.r_[np.full(120, 5.0), np.full(80, 20.0)] + rng.normal(0, 0.3, 200)
    # with a sale every day, Croston-optimised is SES of the sizes with α optimised in [0.1, 0.3]
    fast = {"moving-average-7", "seasonal-naive", "ses-optimized", "croston-optimized"}
    assert _choice(y, 14) in fast


def test_auto_picks_an_intermittent_method_on_a_regular_lumpy_series() -> None:
    y = np.zeros(200)
    y[4::5] = 10.0  # a case of 10 every fifth day: 20 units in any 10 days
    assert _choice(y, 10) in INTERMITTENT


def test_auto_chooses_per_product_when_the_history_is_short() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random((6, 60)) < 0.3) * 4.0
    fc = auto_forecast(y, horizon=28, group=np.array([0, 0, 0, 1, 1, 1], np.int32))
    names = fc.method_names()
    assert len(set(names[:3])) == 1 and len(set(names[3:])) == 1


def test_a_history_too_short_for_any_origin_falls_back_to_the_first_candidate() -> None:
    y = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8]])
    fc = auto_forecast(y, horizon=7)
    assert fc.method_names().tolist() == [STANDARD[0]]  # a moving average: all 8 days
    assert fc.mean[0] == pytest.approx(4.5 * 7)
    assert fc.sigma[0] == pytest.approx(math.sqrt(4.5 * 7))  # the Poisson floor


def test_spread_is_the_candidates_out_of_sample_rmse() -> None:
    rng = np.random.default_rng(5)
    y = rng.poisson(6.0, (1, 200)).astype(np.float64)
    ev = evaluate(y, horizon=14, candidates=STANDARD)
    fc = select(ev, group=None)
    rmse = math.sqrt(float((ev.errors()[:, :4, 0] ** 2).mean()))
    assert fc.sigma[0] == pytest.approx(max(rmse, math.sqrt(fc.mean[0])))
    assert fc.sigma[0] >= math.sqrt(float((ev.errors()[fc.method[0], :4, 0] ** 2).mean()))


def test_point_forecast_is_the_spec_target_as_a_distribution() -> None:
    y = np.array([[3.0, 5, 4, 6, 2, 4, 4, 8]])
    fc = point_forecast(y, method="moving-average", window=28, horizon=7)
    assert fc.mean[0] == pytest.approx(4.5 * 7)
    assert fc.sigma[0] == pytest.approx(y.std() * math.sqrt(7))


def test_held_out_auto_is_chosen_without_seeing_the_window() -> None:
    rng = np.random.default_rng(9)
    y = rng.poisson(2.0, (20, 200)).astype(np.float64)
    ev = evaluate(y, horizon=14, candidates=["moving-average-28", "seasonal-naive"], n_origins=6)
    scores, auto = held_out(ev, windows=2)
    assert [s.method for s in scores] == ["moving-average-28", "seasonal-naive", "auto"]
    assert scores[1].rmsse == pytest.approx(1.0)
    # window 0 is chosen on windows 1..4 only: changing window 0's actual changes nothing
    assert np.array_equal(auto[0], select(ev, window=0).mean)


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 80)),
        elements=st.one_of(st.just(0.0), st.floats(0, 50, allow_nan=False)),
    ),
    st.integers(1, 30),
)
def test_auto_forecasts_are_finite_and_never_negative(y: np.ndarray, horizon: int) -> None:
    fc = auto_forecast(y, horizon=horizon, candidates=FULL)
    assert np.all(np.isfinite(fc.mean)) and np.all(fc.mean >= 0)
    assert np.all(np.isfinite(fc.sigma)) and np.all(fc.sigma >= 0)
    assert np.all(fc.rate >= 0)
    assert set(fc.method_names()) <= set(CANDIDATES)


def test_processes_give_the_same_totals_as_one() -> None:
    rng = np.random.default_rng(11)
    y = (rng.random((4_100, 60)) < 0.3) * rng.integers(1, 6, (4_100, 60)).astype(np.float64)
    names = ["ses", "croston-sba", "moving-average-28"]
    one = horizon_totals(y, names, horizon=7, cuts=[60, 53])
    two = horizon_totals(y, names, horizon=7, cuts=[60, 53], n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_adida_finds_each_series_aggregation_level_as_statsforecast_does() -> None:
    """ADIDA computes every series' aggregation level at once; each level is _adida's to the
    bit, on lumpy series whose mean interval falls on a half (rounded to even) or not,
    fractional sizes, returns and a single sale."""
    rng = np.random.default_rng(3)
    y = (rng.random((60, 200)) < rng.uniform(0.02, 0.6, (60, 1))) * rng.gamma(1.0, 3.0, (60, 200))
    y[0] = 0.0
    y[0, [0, 4]] = 2.0  # intervals 1 and 4: mean 2.5, level 2
    y[1] = 0.0
    y[1, [2, 6]] = 2.0  # intervals 3 and 4: mean 3.5, level 4
    y[2, :] = 0.0
    y[2, 199] = 5.0  # one sale, on the last day
    y[3, 10] = -1.5  # a return counts as a demand day
    got = ADIDA().fit(y).level_
    want = [max(float(sf._adida(row, 1, False)["mean"][0]), 0.0) for row in y]
    assert got.tolist() == want


@pytest.mark.parametrize("days", [1, 2, 3, 90, 400])
def test_optimised_ses_compiled_for_blocks_is_statsforecasts_to_the_bit(days: int) -> None:
    """SES-optimised runs statsforecast's golden section for blocks of series side by side
    (core/forecast/golden.py); each level is _ses_optimized's to the bit: lumpy, fractional,
    constant (a tie ends the section at once) and late-starting series, over more series
    than one block."""
    rng = np.random.default_rng(days)
    n = 300
    y = (rng.random((n, days)) < rng.uniform(0.05, 0.9, (n, 1))) * rng.gamma(0.8, 4.0, (n, days))
    y[:50] = np.round(y[:50])
    y[50] = 3.0  # constant
    y[51, : days // 2] = 0.0  # starts late
    y[52] = 0.0
    y[52, -1] = 2.5  # one sale, on the last day
    rows = np.arange(n)
    got = ses_optimized_levels(y, rows)
    want = [float(sf._ses_optimized(row, 1, False)["mean"][0]) for row in y]
    assert got.tolist() == want
