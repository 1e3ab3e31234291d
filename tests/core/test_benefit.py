"""SPEC section 9's ``expected-benefit`` policy: demand fit, hand-checked quantities, no loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.planning.benefit import (
    HISTORY_DAYS,
    NEGLIGIBLE,
    BenefitSettings,
    Demand,
    daily_moments,
    demand_fit,
    loss_horizon,
    plan_benefit,
)
from stockshift.core.planning.greedy import Problem
from stockshift.core.types import Dataset


def test_fit_is_negative_binomial_when_over_dispersed_else_poisson() -> None:
    fit = demand_fit(np.array([2.0, 2.0, 0.0]), np.array([6.0, 1.0, 0.0]), 7.0)
    assert fit.over.tolist() == [True, False, False]
    nb = stats.nbinom(fit.n[0], fit.p[0])
    assert nb.mean() == pytest.approx(14.0) and nb.var() == pytest.approx(42.0)
    rows = np.array([0, 1, 2, 0])
    x = np.array([10.0, 10.0, 1.0, 0.0])
    got = fit.at_least(rows, x)
    assert got[0] == pytest.approx(nb.sf(9))
    assert got[1] == pytest.approx(stats.poisson(14.0).sf(9))
    assert got[2] == 0.0  # no demand, never sells
    assert got[3] == 1.0  # P(D ≥ 0)


def _two_stores(km_apart: float, src: tuple[int, int, float, float], dst: tuple[int, float, float],  # type: ignore[no-untyped-def]
                surplus_a: int = 0):  # fmt: skip
    """Stores A (source, ``surplus_a`` above its target) and B (at its target) on the
    equator ``km_apart`` apart."""
    lon = km_apart / 111.19508
    dist = distance_matrix(np.array([0.0, 0.0]), np.array([0.0, lon]))
    problem = Problem(
        indptr=np.array([0, 2]),
        store=np.array([0, 1], dtype=np.int32),
        surplus=np.array([surplus_a, 0]),
        need=np.zeros(2, dtype=np.int64),
        cluster=np.zeros(2, dtype=np.int32),
        n_clusters=1,
        dist=dist,
        order=neighbour_order(dist),
    )
    on_hand, in_transit, m_a, v_a = src
    pos_b, m_b, v_b = dst
    demand = Demand(
        position=np.array([on_hand + in_transit, pos_b]),
        on_hand=np.array([on_hand, 0]),
        mean=np.array([m_a, m_b]),
        var=np.array([v_a, v_b]),
    )
    return problem, demand, float(dist[0, 1])


def _best_quantity(
    demand: Demand, km: float, s: BenefitSettings, surplus_a: int = 0
) -> tuple[int, float]:
    """Brute force: the q maximising V·Σ(g_k − l_k) − c·km·q − θ·q, then the line cost.

    The moments as the policy's docstring states them, for one product of two stores: the
    destination's halfway to the product's average, the source's never below it; the k-th
    unit sent is missing L days when it sits at or below A's target, else until the review
    at which A's mean demand takes A's position below its target, plus L; a loss is never
    below an earlier unit's.
    """
    m_bar, v_bar = demand.mean.mean(), demand.var.mean()
    m_in = np.array([0.0, (demand.mean[1] + m_bar) / 2])
    v_in = np.array([0.0, (demand.var[1] + v_bar) / 2])
    m_out = np.array([max(demand.mean[0], m_bar), 0.0])
    v_out = np.array([max(demand.var[0], v_bar), 0.0])
    fit_in = demand_fit(m_in, v_in, s.warehouse_lead_days)
    target_a = demand.position[0] - surplus_a
    best, value, total, loss = 0, 0.0, 0.0, 0.0
    for k in range(1, int(demand.on_hand[0]) + 1):
        gain = fit_in.at_least(np.array([1]), np.array([demand.position[1] + k]))[0]
        level = demand.position[0] - k + 1
        days = s.warehouse_lead_days
        if level > target_a:
            per_review = m_out[0] * s.review_days
            reviews = 52 if per_review * 52 < surplus_a else math.ceil(surplus_a / per_review)
            days += reviews * s.review_days
        fit_out = demand_fit(m_out, v_out, days)
        loss = max(loss, fit_out.at_least(np.array([0]), np.array([level]))[0])
        if gain <= NEGLIGIBLE or loss >= 1 - NEGLIGIBLE:
            break  # the policy never offers a unit this unlikely to matter
        total += s.sale_value * (gain - loss) - s.cost_per_unit_km * km - s.min_benefit
        if total > value + 1e-9:
            best, value = k, total
    return (best, value) if value - s.cost_per_line > 0 else (0, 0.0)


def test_hand_checked_quantity_and_expected_gain() -> None:
    # A holds 30 and sells 0.2 a day; B holds 2 and sells 3 a day (over-dispersed), 20 km away
    problem, demand, km = _two_stores(20.0, (30, 0, 0.2, 0.2), (2, 3.0, 9.0))
    s = BenefitSettings()
    alloc = plan_benefit(problem, demand, s)
    q, value = _best_quantity(demand, km, s)
    assert q > 0
    assert alloc.quantity.tolist() == [q]
    assert alloc.expected_gain is not None
    net = s.sale_value * alloc.expected_gain[0] - s.cost_per_unit_km * q * km
    assert net == pytest.approx(value, rel=1e-6)


def test_a_source_without_recent_sales_keeps_what_the_product_sells() -> None:
    # A sold nothing in the window, B sells 3 a day: taken at face value every unit of A
    # could go at no loss; A is instead judged at the product's level (1.5 a day over 14 days)
    problem, demand, km = _two_stores(20.0, (30, 0, 0.0, 0.0), (2, 3.0, 9.0))
    alloc = plan_benefit(problem, demand, BenefitSettings())
    q = int(alloc.quantity.sum())
    assert q == _best_quantity(demand, km, BenefitSettings())[0]
    # at face value (no demand at A) A would lose nothing by sending: B's every likely unit
    face = demand_fit(np.array([0.0, 3.0]), np.array([0.0, 9.0]), 7).at_least(
        np.ones(30, dtype=np.intp), 2.0 + np.arange(1, 31)
    )
    assert 0 < q < int((face > 0.5).sum())


def test_loss_horizon_is_until_the_warehouse_gives_the_unit_back() -> None:
    s = BenefitSettings()  # R = L = 7
    level = np.array([5.0, 10.0, 11.0, 11.0, 11.0])
    position, target = np.full(5, 12.0), np.full(5, 10.0)
    mean = np.array([0.1, 0.1, 0.1, 1.0, 0.0])
    # at or below target: ordered back today; above it, the source 2 above at 0.7 a review
    # would have ordered in 3 reviews; at 7 a review in 1; never, if it never sells (the bound)
    got = loss_horizon(level, position, target, mean, s)
    assert got.tolist() == [7.0, 7.0, 28.0, 14.0, 371.0]


def test_a_source_above_its_target_gives_less() -> None:
    # A holds 30 (judged at the product's 1.6 a day). At its target, every unit it sends is
    # ordered back today; above it, the units above the target are missing until A would
    # have ordered, and A keeps more the further above it is
    moved = []
    for surplus in (0, 10, 15, 25):
        problem, demand, km = _two_stores(20.0, (30, 0, 0.2, 0.2), (2, 3.0, 9.0), surplus)
        moved.append(int(plan_benefit(problem, demand, BenefitSettings()).quantity.sum()))
        assert moved[-1] == _best_quantity(demand, km, BenefitSettings(), surplus)[0]
    assert moved == sorted(moved, reverse=True) and moved[0] > moved[2] > moved[3] == 0


def test_nothing_moves_when_the_warehouse_is_as_fast() -> None:
    problem, demand, _ = _two_stores(20.0, (30, 0, 0.2, 0.2), (2, 3.0, 9.0))
    alloc = plan_benefit(problem, demand, BenefitSettings(transfer_lead_days=7))
    assert len(alloc.quantity) == 0


def test_in_transit_counts_in_position_but_is_never_sent() -> None:
    # A has 3 on hand and 40 arriving: only 3 can go; B's own 30 coming covers its demand
    problem, demand, _ = _two_stores(20.0, (3, 40, 0.2, 0.2), (2, 3.0, 9.0))
    alloc = plan_benefit(problem, demand, BenefitSettings())
    assert alloc.quantity.sum() <= 3
    problem, demand, _ = _two_stores(20.0, (30, 0, 0.2, 0.2), (60, 3.0, 9.0))
    assert plan_benefit(problem, demand, BenefitSettings()).quantity.sum() == 0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 40),
    st.floats(0, 3),
    st.floats(0, 3),
    st.integers(0, 20),
    st.floats(1, 300),
    st.sampled_from([0.0, 0.01, 0.05]),
    st.sampled_from([0.0, 2.0, 20.0]),
    st.sampled_from([0.0, 0.5]),
    st.integers(0, 40),
)
def test_quantity_is_the_best_and_never_a_loss(  # type: ignore[no-untyped-def]
    on_hand, m_a, m_b, pos_b, km, c, line, theta, surplus
) -> None:
    surplus = min(surplus, on_hand)  # A's target is on hand − surplus
    problem, demand, km = _two_stores(
        km, (on_hand, 0, m_a, m_a * 2), (pos_b, m_b, m_b * 1.5), surplus_a=surplus
    )
    s = BenefitSettings(cost_per_unit_km=c, cost_per_line=line, min_benefit=theta)
    alloc = plan_benefit(problem, demand, s)
    _, value = _best_quantity(demand, km, s, surplus)
    got = int(alloc.quantity.sum())
    gain = 0.0 if alloc.expected_gain is None else float(alloc.expected_gain.sum())
    got_value = s.sale_value * gain - (c * km + theta) * got
    assert got_value == pytest.approx(value, abs=1e-3)  # as good as the best quantity
    if got:
        assert got_value - line > 0  # and never at an expected loss


def test_daily_moments_are_population_mean_and_variance() -> None:
    mean, var = daily_moments(np.array([[0.0, 2.0, 4.0], [1.0, 1.0, 1.0]]))
    assert mean.tolist() == [2.0, 1.0]
    assert var.tolist() == pytest.approx([8 / 3, 0.0])


def _one_product(units: np.ndarray, on_hand: list[int], in_transit: list[int]) -> Dataset:
    """Stores 0 and 1 selling product P, daily ``units`` from 2025-01-01."""
    from stockshift.core.types import Inventory, Sales

    inv = Inventory(
        product_ids=np.array(["P"], dtype=object),
        product=np.zeros(2, dtype=np.int32),
        store=np.array([0, 1], dtype=np.int32),
        on_hand=np.array(on_hand),
        indptr=np.array([0, 2]),
        in_transit=np.array(in_transit),
    )
    days = units.shape[1]
    first = np.datetime64("2025-01-01")
    sales = Sales(units, np.ones(2, bool), first, first + np.timedelta64(days - 1, "D"), days)
    return Dataset(stores=None, inventory=inv, sales=sales)  # type: ignore[arg-type]


def test_forecast_auto_spread_is_the_demand_spread() -> None:
    # --forecast auto: the model's rate and its σ over the C cover days set the daily moments
    from stockshift.core.pipeline import demand
    from stockshift.core.types import PlanParameters, Targets

    dataset = _one_product(np.array([[0.0, 9.0, 0.0], [1.0, 1.0, 1.0]]), [5, 7], [1, 0])
    zeros = np.zeros(2, dtype=np.int64)
    params = PlanParameters(policy="expected-benefit", cover_days=7)
    auto = Targets(np.zeros(2), zeros, zeros, rate=np.array([2.0, 1.0]), sigma=np.array([7.0, 0.0]))
    got = demand(dataset, params, auto)
    assert got.mean.tolist() == [2.0, 1.0] and got.var.tolist() == [7.0, 0.0]
    assert got.position.tolist() == [6, 7] and got.on_hand.tolist() == [5, 7]
    plain = demand(dataset, params, Targets(np.zeros(2), zeros, zeros, rate=np.ones(2)))
    assert plain.mean.tolist() == [3.0, 1.0] and plain.var.tolist() == [18.0, 0.0]


def test_demand_reads_half_a_year_not_the_forecast_window() -> None:
    # A buys a case of 12 every 42 days, the last 35 days ago: its last 28 days show no sale,
    # the last 182 days its real rate. The plan reads those days and fits them.
    from stockshift.core.parameters import sales_days
    from stockshift.core.pipeline import demand
    from stockshift.core.types import PlanParameters, Targets

    days = 200
    units = np.zeros((2, days))
    units[0, days - 35 :: -42] = 12.0
    units[1, :] = 1.0
    dataset = _one_product(units, [12, 0], [0, 0])
    params = PlanParameters(policy="expected-benefit", window=28)
    assert sales_days(params) == HISTORY_DAYS == 182
    assert sales_days(PlanParameters(policy="greedy", window=28)) == 28
    assert sales_days(PlanParameters(policy="expected-benefit", window=365)) == 365
    zeros = np.zeros(2, dtype=np.int64)
    got = demand(dataset, params, Targets(np.zeros(2), zeros, zeros, rate=np.ones(2)))
    assert got.history_days == HISTORY_DAYS
    want_mean, want_var = daily_moments(units[:, -HISTORY_DAYS:])
    assert got.mean.tolist() == want_mean.tolist() and got.var.tolist() == want_var.tolist()
    assert got.mean[0] == pytest.approx(12 * 4 / 182)  # four cases in half a year, not 0


def test_a_store_between_cases_keeps_the_case_it_will_sell() -> None:
    # A holds a case of 12 and buys one every 5 weeks, the last 30 days ago, so its last 28
    # days show no sale; B sells 0.3 a day and holds nothing. On the 28 days alone A looks
    # like a store that sells at most the product's average and gives away 5; on half a
    # year it is a store about to sell its case, and gives fewer
    problem, _, _ = _two_stores(20.0, (12, 0, 0.0, 0.0), (0, 0.3, 0.0))
    history = np.zeros((2, HISTORY_DAYS))
    history[0, HISTORY_DAYS - 30 :: -35] = 12.0
    history[1, :] = 0.3
    moved = []
    for days in (28, HISTORY_DAYS):
        mean, var = daily_moments(history[:, -days:])
        demand = Demand(
            position=np.array([12, 0]), on_hand=np.array([12, 0]), mean=mean, var=var,
            history_days=days,
        )  # fmt: skip
        moved.append(int(plan_benefit(problem, demand, BenefitSettings()).quantity.sum()))
    assert moved[0] == 5 and 0 < moved[1] < moved[0]
