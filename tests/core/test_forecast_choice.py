"""auto's choice per series (core/forecast/auto.choose): the blend is kept unless another
candidate beats it clearly (by ``MARGIN`` in sum and at every origin), per product when
pooled; and the choice reaches the forecast."""

from __future__ import annotations

import numpy as np
import pytest

import stockshift.core.forecast.auto as auto_module
from stockshift.core.forecast import auto_forecast
from stockshift.core.forecast.auto import MARGIN, Evaluation, choose, select

METHODS = ("blend", "moving-average-56", "moving-average-182")
ACTUAL = np.array([[10.0], [12.0], [8.0], [10.0]])  # 4 origins, one series


def _evaluation(blend: list[float], other: list[float], third: list[float]) -> Evaluation:
    """One series; each candidate's forecast at the 4 origins (final = the origin-0 one)."""
    predicted = np.array([blend, other, third])[:, :, None]
    return Evaluation(
        METHODS, np.array([300, 272, 244, 216]), 28, ACTUAL, predicted, predicted[:, 0, :]
    )


def _chosen(ev: Evaluation, group: np.ndarray | None = None) -> list[str]:
    method, _ = choose(ev, np.arange(4), group)
    return [METHODS[m] for m in method]


def test_the_rule_is_a_clear_margin() -> None:
    assert 0.1 <= MARGIN < 1.0


def test_a_candidate_clearly_better_at_every_origin_replaces_the_blend() -> None:
    # blend off by 4 at every origin, the 56-day average by 1: 1/16 of its squared error
    ev = _evaluation([14, 16, 12, 14], [11, 13, 9, 11], [20, 20, 20, 20])
    assert _chosen(ev) == ["moving-average-56"]
    fc = select(ev)
    assert fc.method_names().tolist() == ["moving-average-56"]
    assert fc.mean.tolist() == [11.0]  # the chosen model's forecast, not the blend's


def test_a_marginally_better_candidate_does_not() -> None:
    # squared error 4·4 = 16 against 4·3.61 = 14.44 (10 % less) at every origin: within margin
    ev = _evaluation([12, 14, 10, 12], [11.9, 13.9, 9.9, 11.9], [20, 20, 20, 20])
    assert float(np.sum((ev.errors()[1]) ** 2)) < float(np.sum((ev.errors()[0]) ** 2))
    assert _chosen(ev) == ["blend"]


def test_with_every_origin_one_lost_origin_keeps_the_blend(monkeypatch: pytest.MonkeyPatch) -> None:
    # exact at three origins, worse than the blend at the fourth: wins in sum (2.25 < 0.3·13)
    ev = _evaluation([12, 14, 10, 11], [10, 12, 8, 11.5], [20, 20, 20, 20])
    assert _chosen(ev) == ["moving-average-56"]
    monkeypatch.setattr(auto_module, "EVERY_ORIGIN", True)
    assert _chosen(ev) == ["blend"]


def test_pooled_the_group_decides_for_each_of_its_series() -> None:
    """Two series of one product: the second alone would take the 56-day average, but the
    first (pooled with it) loses much more with it, so both keep the blend; alone, the
    second takes it."""
    actual = np.array([[10.0, 10.0]] * 4)
    predicted = np.zeros((3, 4, 2))
    predicted[0] = [[11.0, 14.0]] * 4  # blend
    predicted[1] = [[30.0, 10.0]] * 4  # moving-average-56: exact on the second only
    predicted[2] = 50.0
    ev = Evaluation(METHODS, np.array([300, 272, 244, 216]), 28, actual, predicted, predicted[:, 0])
    method, s = choose(ev, np.arange(4), np.zeros(2, np.int32))
    assert [METHODS[m] for m in method] == ["blend", "blend"]
    method, _ = choose(ev, np.arange(4))
    assert [METHODS[m] for m in method] == ["blend", "moving-average-56"]
    # the spread's raw estimate is the candidates' mean squared error whatever is chosen
    np.testing.assert_allclose(s, np.sqrt(((actual[None] - predicted) ** 2).mean(axis=(0, 1))))


def test_auto_on_a_level_shift_chooses_the_short_average_for_that_product_only() -> None:
    """Row 0 sells 1 a day, then 8 a day for its last 150 days: the 56-day average follows,
    the blend (91 to 364 days) lags at every origin. Row 1 sells a steady Poisson 2 a day,
    where nothing beats the blend clearly."""
    days = 400
    y = np.zeros((2, days))
    y[0] = np.where(np.arange(days) < days - 150, 1.0, 8.0)
    y[1] = np.random.default_rng(3).poisson(2.0, days)
    fc = auto_forecast(
        y,
        horizon=28,
        group=np.array([0, 1], np.int32),
        candidates=["blend", "moving-average-56", "moving-average-182"],
    )
    assert fc.method_names().tolist() == ["moving-average-56", "blend"]
    assert abs(fc.mean[0] - 8 * 28) < 1e-9
