"""The stacked forecast (core/forecast/blend.py): non-negative weights fitted per product on
origins before the cut-off, and the degenerate histories."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stockshift.core.forecast import auto_forecast
from stockshift.core.forecast.blend import PRIOR, Blend, members, weights
from stockshift.core.forecast.engine import CANDIDATES, horizon_totals
from stockshift.core.forecast.yearly import YEAR, WindowSums


def _lumpy(seed: int, n: int, days: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random((n, days)) < 0.15) * rng.integers(1, 13, (n, days)).astype(np.float64)


def test_the_prior_is_a_combination_that_keeps_the_level() -> None:
    assert min(PRIOR) >= 0.0
    assert abs(sum(PRIOR) - 1.0) < 1e-12


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([7, 28]), st.integers(1, YEAR + 80))
def test_weights_are_non_negative_and_the_forecast_too(seed: int, horizon: int, days: int) -> None:
    y = _lumpy(seed, 8, days)
    group = np.repeat(np.arange(3), [3, 3, 2])
    model = Blend(horizon, shrink=0.0).fit_grouped(y, group)
    assert (model.weights_ >= 0).all()
    assert np.isfinite(model.rate_).all()
    assert (model.rate_ >= 0).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(60, YEAR + 120))
def test_no_day_after_the_cut_off_is_read(seed: int, cut: int) -> None:
    """Everything after day ``cut`` replaced by other demand: the forecast made at ``cut``
    (members and weights) does not move."""
    y = _lumpy(seed, 7, YEAR + 150)
    other = y.copy()
    other[:, cut:] = _lumpy(seed + 1, 7, YEAR + 150)[:, cut:] * 3.0
    group = np.array([0, 0, 0, 1, 1, 2, 2], np.int32)
    shipped = CANDIDATES["blend"]
    for make in (shipped, lambda h: Blend(h, shrink=0.1)):  # the prior; weights refitted
        CANDIDATES["blend"] = make
        try:
            one = horizon_totals(y, ["blend"], horizon=28, cuts=[cut], group=group)
            two = horizon_totals(other, ["blend"], horizon=28, cuts=[cut], group=group)
        finally:
            CANDIDATES["blend"] = shipped
        np.testing.assert_array_equal(one, two)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([7, 28]))
def test_a_products_forecast_does_not_depend_on_other_products(seed: int, horizon: int) -> None:
    y = _lumpy(seed, 9, YEAR + 120)
    y[5, -200:] = 0.0  # a dormant series
    group = np.repeat(np.arange(3), [3, 4, 2]).astype(np.int32)
    mine = group == 1
    other = y.copy()
    other[~mine] *= 5.0
    for shrink in (float("inf"), 0.1):  # the prior; weights refitted per product
        model = Blend(horizon, shrink=shrink)
        whole = model.fit_grouped(y, group).rate_[mine]
        alone = model.fit_grouped(y[mine], group[mine]).rate_
        changed = model.fit_grouped(other, group).rate_[mine]
        np.testing.assert_allclose(whole, alone, rtol=1e-12)
        np.testing.assert_allclose(changed, alone, rtol=1e-12)


def test_processes_give_the_totals_of_one() -> None:
    y = _lumpy(13, 4_100, YEAR + 40)
    group = np.sort(np.random.default_rng(13).integers(0, 37, 4_100)).astype(np.int32)
    one = horizon_totals(y, ["blend"], horizon=28, cuts=[YEAR + 40], group=group)
    two = horizon_totals(y, ["blend"], horizon=28, cuts=[YEAR + 40], group=group, n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_a_steady_series_forecasts_its_rate() -> None:
    """Every member forecasts 2·h and so does the prior (its weights sum to 1), which fits
    the origins exactly: the weights stay the prior's."""
    y = np.full((3, 400), 2.0)
    model = Blend(28).fit_grouped(y, np.zeros(3, np.int32))
    np.testing.assert_allclose(model.weights_, [PRIOR])
    np.testing.assert_allclose(model.rate(28), 2.0)


def test_the_weights_follow_a_products_origins() -> None:
    """Product 0 doubled its sales on day 250: at the origins after it the long averages fell
    short, so its weights lift the forecast above the prior's, which lags the new 2 a day.
    Product 1 (steady) keeps the prior."""
    y = np.full((4, 400), 1.0)
    y[:2, 250:] = 2.0
    group = np.array([0, 0, 1, 1])
    fitted = Blend(28, shrink=0.01).fit_grouped(y, group)
    fixed = Blend(28, shrink=1e12).fit_grouped(y, group)
    assert fixed.rate_[0] < 2.0 < fitted.rate_[0]  # the prior lags, the fit leans forward
    np.testing.assert_allclose(fitted.weights_[1], PRIOR)


def test_degenerate_histories() -> None:
    zeros = Blend(28).fit_grouped(np.zeros((3, 200)), np.array([0, 0, 1]))
    assert zeros.rate(28).tolist() == [0.0, 0.0, 0.0]
    one_day = Blend(28).fit_grouped(np.array([[4.0], [0.0]]), np.array([0, 0]))
    np.testing.assert_allclose(one_day.weights_, [PRIOR])  # no origin: the prior
    np.testing.assert_allclose(one_day.rate(28), [4.0, 0.0])
    no_day = Blend(7).fit_grouped(np.zeros((2, 0)), np.array([0, 1]))
    assert no_day.rate(7).tolist() == [0.0, 0.0]
    one_store = Blend(28).fit(_lumpy(3, 1, 300))
    assert one_store.weights_.shape == (1, len(PRIOR))
    assert one_store.rate(28)[0] > 0
    empty = Blend(28).fit_grouped(np.zeros((0, 50)), np.zeros(0, np.int32))
    assert empty.rate(28).shape == (0,)


def test_weights_without_data_are_the_prior() -> None:
    prior = np.asarray(PRIOR)
    np.testing.assert_array_equal(weights(np.zeros((5, 4)), np.ones(5), prior, 0.1), prior)


def test_members_read_only_the_history_given() -> None:
    y = _lumpy(5, 4, 300)
    label = np.array([0, 0, 1, 1])
    got = members(y, label, 28)
    assert got.shape == (4, len(PRIOR))
    np.testing.assert_array_equal(got, members(y.copy(), label, 28))


def test_auto_may_choose_the_blend() -> None:
    y = _lumpy(11, 6, 300)
    fc = auto_forecast(y, horizon=28, group=np.zeros(6, np.int32), candidates=["blend"])
    assert set(fc.method_names().tolist()) == {"blend"}
    assert (fc.sigma >= np.sqrt(fc.mean)).all()


def test_auto_keeps_the_blend_for_a_product_no_model_clearly_beats() -> None:
    """Row 0 sold only in its first 40 days, so the 56-day average's exact 0 beats every
    other candidate at its origins; but the choice is per product, and over both rows (row
    1's two lumps) no model cuts the blend's squared error by the margin: both keep it."""
    y = np.zeros((2, 400))
    y[0, :40] = 3.0
    y[1, [10, 300]] = 50.0
    fc = auto_forecast(y, horizon=28, group=np.array([0, 0], np.int32))
    assert fc.method_names().tolist() == ["blend", "blend"]


def test_fits_sharing_window_sums_forecast_as_each_alone() -> None:
    """The engine's fits at several cut-offs of one history share its window sums
    (yearly.WindowSums); each forecasts what a fit on its own copy of the prefix does, the
    weights fitted on inner origins (a finite shrink) included, on fractional units."""
    rng = np.random.default_rng(9)
    y = _lumpy(9, 12, 2 * YEAR) * rng.uniform(0.5, 1.5, (12, 2 * YEAR))
    group = np.repeat(np.arange(4), 3)
    sums = WindowSums(y)
    for cut in (2 * YEAR, 2 * YEAR - 28, YEAR + 10):
        for shrink in (float("inf"), 0.1):
            alone = Blend(28, shrink=shrink).fit_grouped(y[:, :cut].copy(), group)
            shared = Blend(28, shrink=shrink).fit_grouped(y[:, :cut], group, sums)
            assert np.array_equal(shared.rate_, alone.rate_)
            assert np.array_equal(shared.weights_, alone.weights_)
