"""The yearly-seasonal moving average: its product's season, dormant series, and that a
product's forecast depends on its own series only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockshift.core.forecast import STANDARD, auto_forecast, evaluate
from stockshift.core.forecast.engine import chunk_bounds, horizon_totals
from stockshift.core.forecast.models import MovingAverage
from stockshift.core.forecast.yearly import YEAR, WindowSums, YearlySeasonalMovingAverage


def _year_of_two_stores() -> np.ndarray:
    """Two stores of one product over YEAR + 100 days: 1 and 3 a day, except that the 7 days
    after the cut-off a year ago sold 4 and 12 a day (×4)."""
    t = YEAR + 100
    y = np.vstack([np.full(t, 1.0), np.full(t, 3.0)])
    y[:, 100:107] *= 4.0
    return y


def test_the_season_is_last_years_ratio_shrunk_and_clipped_by_hand() -> None:
    """N = 7·16 = 112 over the 7 days after day 100, B = 100 days of 4 a day scaled to 7
    days = 28: ln(112 / 28) = ln 4 = 1.386, clipped to 0.4, times λ = 0.5: s = e^0.2."""
    y = _year_of_two_stores()
    got = YearlySeasonalMovingAverage(7, 182).fit_grouped(y, np.array([0, 0])).rate(7)
    np.testing.assert_allclose(got, np.array([1.0, 3.0]) * math.exp(0.2))


def test_without_a_year_and_min_base_days_it_is_the_moving_average() -> None:
    y = _year_of_two_stores()[:, : YEAR + 90]  # 90 days before the year-ago cut-off < 91
    got = YearlySeasonalMovingAverage(7, 182).fit_grouped(y, np.array([0, 0])).rate(7)
    np.testing.assert_allclose(got, MovingAverage(182).fit(y).rate(7))


def test_a_dormant_series_takes_its_products_dormant_demand() -> None:
    """Window 10, horizon 5, 40 days, origins 35, 30, 25. Series 0 sold on day 0 only: dormant
    at every origin and now, selling 0 after each. Series 1 sells 2 a day. Series 2 sold on
    day 0 and 15 on day 32: dormant at 25 (sold 0 after) and 30 (sold 15 after), not at 35
    nor now. Five dormant windows sold 15: 3 per 5 days, 0.6 a day."""
    y = np.zeros((3, 40))
    y[0, 0] = 4.0
    y[1] = 2.0
    y[2, 0] = 3.0
    y[2, 32] = 15.0
    model = YearlySeasonalMovingAverage(5, 10, dormant_origins=3)
    got = model.fit_grouped(y, np.array([7, 7, 7])).rate(5)
    np.testing.assert_allclose(got, [0.6, 2.0, 1.5])


def test_a_series_that_never_sold_is_not_dormant() -> None:
    y = np.zeros((2, 60))
    y[1] = 1.0
    got = YearlySeasonalMovingAverage(7, 14).fit_grouped(y, np.array([0, 0])).rate(7)
    assert got.tolist() == [0.0, 1.0]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([7, 28]))
def test_a_products_forecast_does_not_depend_on_other_products(seed: int, horizon: int) -> None:
    """The Dask engine plans runs of products apart: forecasting product 1 alone must give
    what it gets beside products 0 and 2, in one process and in several."""
    rng = np.random.default_rng(seed)
    n_days = YEAR + 120
    group = np.repeat(np.arange(3), [3, 4, 2]).astype(np.int32)
    y = (rng.random((9, n_days)) < 0.15) * rng.integers(1, 13, (9, n_days)).astype(np.float64)
    y[5, -200:] = 0.0  # a dormant series
    names = ["seasonal-moving-average-182", "seasonal-moving-average-364"]
    cuts = [n_days, n_days - horizon]
    whole = horizon_totals(y, names, horizon=horizon, cuts=cuts, group=group)
    mine = group == 1
    alone = horizon_totals(y[mine], names, horizon=horizon, cuts=cuts, group=group[mine])
    np.testing.assert_allclose(whole[:, :, mine], alone, rtol=1e-12)


def test_processes_split_the_rows_at_group_boundaries() -> None:
    group = np.repeat(np.arange(5), [3, 1, 4, 2, 2])
    assert chunk_bounds(12, 3, group) == [0, 4, 8, 12]
    assert chunk_bounds(12, 24, group) == [0, 3, 4, 8, 10, 12]
    assert chunk_bounds(12, 3, None) == [0, 4, 8, 12]


def test_processes_give_the_pooled_totals_of_one() -> None:
    rng = np.random.default_rng(13)
    n = 4_100
    y = (rng.random((n, YEAR + 100)) < 0.1) * rng.integers(1, 13, (n, YEAR + 100)) * 1.0
    group = np.sort(rng.integers(0, 37, n)).astype(np.int32)
    names = ["seasonal-moving-average-182"]
    one = horizon_totals(y, names, horizon=28, cuts=[YEAR + 100], group=group)
    two = horizon_totals(y, names, horizon=28, cuts=[YEAR + 100], group=group, n_jobs=2)
    np.testing.assert_array_equal(one, two)


#: auto's candidates before the blend: the seasonal average first, chosen per series.
CHOSEN = STANDARD[1:]


def test_auto_keeps_the_seasonal_average_unless_another_clearly_wins() -> None:
    y = np.full((2, YEAR + 150), 2.0)
    fc = auto_forecast(y, horizon=28, group=np.array([0, 0], np.int32), candidates=CHOSEN)
    assert fc.method_names().tolist() == ["seasonal-moving-average-182"] * 2
    np.testing.assert_allclose(fc.mean, 56.0)


def test_a_series_quiet_in_every_origin_window_keeps_the_first_candidate() -> None:
    """Row 0 sold only in its first 40 days. Row 1 ordered on day 10 and, after a dormant
    spell, on day 300, so the seasonal average gives dormant rows some demand and misses row
    0's empty origin windows, where the 56-day average's 0 is exact. There is nothing to
    choose on, so row 0 keeps the seasonal average all the same."""
    y = np.zeros((2, 400))
    y[0, :40] = 3.0
    y[1, [10, 300]] = 50.0
    ev = evaluate(y, horizon=28, candidates=CHOSEN, group=np.array([0, 0], np.int32))
    sse = (ev.errors()[:, :, 0] ** 2).sum(axis=1)
    assert sse[CHOSEN.index("moving-average-56")] == 0 < sse[0]
    fc = auto_forecast(y, horizon=28, group=np.array([0, 0], np.int32), candidates=CHOSEN)
    assert fc.method_names()[0] == "seasonal-moving-average-182"
    assert fc.mean[0] > 0


def _fractional(seed: int, n: int = 40, days: int = 2 * YEAR) -> np.ndarray:
    """Lumpy fractional demand (kilograms, not cases), so that a sum's rounding would show."""
    rng = np.random.default_rng(seed)
    y = rng.gamma(0.3, 2.5, (n, days)) * (rng.random((n, days)) < 0.15)
    y[:3, : days // 2] = 0.0  # some series start late
    return y


def test_shared_window_sums_give_the_same_rates_to_the_bit() -> None:
    """Fits at several cut-offs of one history sharing its window sums (WindowSums) forecast
    what each fit alone on its prefix does, on fractional units."""
    y = _fractional(1)
    group = np.repeat(np.arange(8), 5)
    sums = WindowSums(y)
    for cut in (y.shape[1], 600, 572, 400, 300, 30):
        for w in (91, 182, 364):
            alone = YearlySeasonalMovingAverage(28, w).fit_grouped(y[:, :cut].copy(), group)
            shared = YearlySeasonalMovingAverage(28, w).fit_grouped(y[:, :cut], group, sums)
            assert np.array_equal(shared.rate_, alone.rate_)
    assert len(sums._memo) > 0  # they were shared


def test_window_sums_refuse_a_matrix_that_is_not_their_prefix() -> None:
    y = _fractional(2)
    sums = WindowSums(y)
    model = YearlySeasonalMovingAverage(28, 91)
    with pytest.raises(ValueError, match="first days"):
        model.fit_grouped(y[:, :400].copy(), np.zeros(len(y), np.int32), sums)
    with pytest.raises(ValueError, match="first days"):
        model.fit_grouped(y[1:, :400], np.zeros(len(y) - 1, np.int32), sums)
