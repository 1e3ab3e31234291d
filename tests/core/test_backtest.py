"""The backtest engine (SPEC section 10): line cuts, conservation for every policy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockshift.core.backtest import (
    BacktestSettings,
    Lines,
    Network,
    Review,
    available_policies,
    prepare,
    resolve_policies,
    review_day,
    run_backtest,
)
from stockshift.core.backtest.replay import _cut
from stockshift.core.errors import ParameterError
from stockshift.core.targets import forecast_targets
from stockshift.core.types import Dataset, Inventory, PlanParameters, Sales, Stores

DAY0 = np.datetime64("2026-01-01", "D")


def dataset(on_hand: np.ndarray, demand: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> Dataset:
    """Every store carries every product; ``demand[row, day]`` from DAY0, rows by product."""
    n_s = len(lat)
    n_p = len(on_hand) // n_s
    stores = Stores(
        ids=np.array([f"S{i:02d}" for i in range(n_s)], dtype=object),
        lat=lat,
        lon=lon,
        names=np.array([""] * n_s, dtype=object),
    )
    inv = Inventory(
        product_ids=np.array([f"P{i}" for i in range(n_p)], dtype=object),
        product=np.repeat(np.arange(n_p, dtype=np.int32), n_s),
        store=np.tile(np.arange(n_s, dtype=np.int32), n_p),
        on_hand=on_hand.astype(np.int64),
        indptr=np.arange(0, n_p * n_s + 1, n_s, dtype=np.int64),
    )
    days = demand.shape[1]
    sales = Sales(
        units=demand.astype(np.float64),
        has_sales=demand.sum(axis=1) > 0,
        first_day=DAY0,
        last_day=DAY0 + np.timedelta64(days - 1, "D"),
        total_days=days,
    )
    return Dataset(stores, inv, sales)


def test_lines_are_cut_to_the_source_on_hand_in_plan_order() -> None:
    """Source row 0 holds 7: lines of 5, 4, 3 from it get 5, 2 (7 − 5), 0; row 1 holds 9
    and its lines of 6 and 6, interleaved, get 6 and 3."""
    q = np.array([5, 6, 4, 6, 3], dtype=np.int64)
    src = np.array([0, 1, 0, 1, 0], dtype=np.intp)
    assert _cut(q, src, np.array([7.0, 9.0])).tolist() == [5, 6, 2, 3, 0]


def test_a_policy_line_is_cut_and_a_line_cut_to_zero_is_dropped() -> None:
    """One product, three stores; S00 holds 5. The policy asks S00→S01 4, S00→S02 3,
    S00→S01 2 every review: they become 4, 1 and nothing (dropped) on day 0, and nothing at
    all on day 7 (S00 is empty by then). No history sells, so targets are 0 and no store
    orders: transfer units 5 in 2 lines, warehouse units 0."""
    ds = dataset(
        np.array([5, 0, 0]),
        np.zeros((3, 21)),
        np.array([0.0, 0.1, 0.2]),
        np.zeros(3),
    )

    def fixed(review: Review, network: Network) -> Lines:
        return Lines(
            product=np.zeros(3, np.int32),
            source=np.zeros(3, np.int32),
            destination=np.array([1, 2, 1], np.int32),
            quantity=np.array([4, 3, 2], np.int64),
            distance_km=np.array([10.0, 20.0, 10.0]),
        )

    s = BacktestSettings(start=DAY0 + np.timedelta64(7, "D"), weeks=2)
    res = run_backtest(ds, PlanParameters(clusters="1"), s, policies={"fixed": fixed})
    got = res.policy("fixed")
    assert (got.transfer_units, got.transfer_lines, got.unit_km) == (5, 2, 4 * 10.0 + 1 * 20.0)
    assert [w.transfer_lines for w in got.weeks] == [2, 0]
    assert got.warehouse_units == 0 and got.end_stock == 5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 4),
    st.integers(1, 2),
    st.integers(0, 2**31 - 1),
    st.integers(1, 7),
    st.integers(0, 9),
    st.integers(0, 3),
)
def test_every_policy_conserves_units(
    n_s: int, n_p: int, seed: int, review: int, lead_w: int, lead_t: int
) -> None:
    """start stock + warehouse units = sold + end stock + pipeline, for every policy; and
    no policy sells more than demand or less than nothing."""
    rng = np.random.default_rng(seed)
    rows = n_s * n_p
    ds = dataset(
        rng.integers(0, 30, rows),
        rng.poisson(rng.uniform(0, 4, (rows, 1)), (rows, 35)).astype(np.float64),
        rng.uniform(40, 42, n_s),
        rng.uniform(-94, -92, n_s),
    )
    s = BacktestSettings(
        start=DAY0 + np.timedelta64(14, "D"),
        weeks=3,
        review_days=review,
        warehouse_lead_days=lead_w,
        transfer_lead_days=lead_t,
        policies=tuple(available_policies()),
    )
    res = run_backtest(ds, PlanParameters(clusters="1", window=14, cover_days=10), s)
    demand = float(ds.sales.units[:, 14:35].sum())  # type: ignore[union-attr]
    for r in res.policies:
        assert r.start_stock + r.warehouse_units == pytest.approx(r.sold + r.end_stock + r.pipeline)
        assert r.demand == demand and 0 <= r.sold <= demand and r.lost == demand - r.sold
        assert sum(w.lost for w in r.weeks) == pytest.approx(r.lost)


def test_warehouse_is_always_the_baseline() -> None:
    assert list(resolve_policies(("greedy",))) == ["warehouse", "greedy"]
    with pytest.raises(ParameterError, match="unknown policy nope"):
        resolve_policies(("greedy", "nope"))


@pytest.mark.parametrize(("forecast", "first"), [("moving-average", 30 - 7), ("auto", 0)])
def test_targets_read_the_window_or_every_day_for_auto(forecast: str, first: int) -> None:
    """On the review of day t (column 30), targets come from columns t−W … t−1 (W = 7); the
    auto forecast chooses its model on every day before t, as ``stockshift plan`` does.
    expected-benefit's history is every day before t (H_B = 182 days is more than 30)."""
    rng = np.random.default_rng(3)
    ds = dataset(
        rng.integers(0, 20, 6),
        rng.poisson(rng.uniform(0, 5, (6, 1)), (6, 40)).astype(np.float64),
        np.array([40.0, 40.5, 41.0]),
        np.array([-93.0, -93.5, -94.0]),
    )
    params = PlanParameters(clusters="1", forecast=forecast, window=7, cover_days=7)  # type: ignore[arg-type]
    network = prepare(ds, params, BacktestSettings(start=DAY0 + np.timedelta64(30, "D"), weeks=1))
    stock = ds.inventory.on_hand.astype(np.float64)
    got = review_day(network, ds.sales, 30, 0, stock, stock)  # type: ignore[arg-type]
    seen = ds.sales.units[:, first:30]  # type: ignore[union-attr]
    sales = Sales(seen, np.ones(6, bool), DAY0 + np.timedelta64(first, "D"),
                  DAY0 + np.timedelta64(29, "D"), 30 - first)  # fmt: skip
    want = forecast_targets(
        ds.inventory, sales, method=forecast, window=7, cover_days=7, service_level=None
    )
    assert got.target.tolist() == want.target.tolist()
    assert got.history.tolist() == ds.sales.units[:, :30].tolist()  # type: ignore[union-attr]
