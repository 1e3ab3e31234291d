"""``blend-boosted`` (core/forecast/learned.py): no leakage, one model whatever the order or the
runs of products it is fitted from, and ``auto`` as before where the history is too short."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stockshift.core.forecast.auto import auto_forecast, fit_learned, learned_cuts
from stockshift.core.forecast.learned import (
    NAME,
    History,
    available,
    canonical,
    features,
    fit,
    fit_series,
    training_cuts,
    training_rows,
)
from stockshift.core.forecast.yearly import YEAR
from stockshift.core.pipeline import (
    compute_targets,
    fit_learned_rows,
    learned_rows,
    prepare_chain,
    with_learned,
)
from stockshift.core.types import PlanParameters
from stockshift.io.readers import load_dataset
from tests.factories import long_history_chain

H = 7
DAYS = 4 * H + 6 * H + 56 + 20  # enough for auto's four origins and six training origins each


def chain(seed: int, products: int = 12, stores: int = 25, days: int = DAYS) -> dict[str, Any]:
    """Lumpy demand: per store-item a Poisson rate from a gamma, a yearly-ish wave, a weekday."""
    rng = np.random.default_rng(seed)
    n = products * stores
    group = np.repeat(np.arange(products), stores).astype(np.int32)
    wave = 1 + 0.4 * np.sin(np.arange(days) / 20.0 + rng.uniform(0, 6, (products, 1)))
    rate = rng.gamma(0.4, 0.8, n)[:, None] * wave[group]
    y = rng.poisson(rate).astype(np.float64)
    y[rng.random(n) < 0.1] = 0.0  # some series never sold
    pid = np.array([f"P{g:02d}" for g in group], dtype=object)
    sid = np.array([f"S{i % stores:02d}" for i in range(n)], dtype=object)
    return {"y": y, "group": group, "pid": pid, "sid": sid}


def forecast_at(c: dict[str, Any], cut: int, y: Any = None) -> Any:
    y = c["y"] if y is None else y
    model = fit_series(y, c["group"], c["pid"], c["sid"], horizon=H, cuts=[cut])
    assert model is not None
    return model.totals(y, c["group"], [cut])[0]


@pytest.mark.parametrize("seed", [0, 1])
def test_no_day_at_or_after_the_cut_off_changes_the_forecast(seed: int) -> None:
    c = chain(seed)
    cut = DAYS - 2 * H
    changed = c["y"].copy()
    rng = np.random.default_rng(seed + 10)
    changed[:, cut:] = rng.poisson(5.0, changed[:, cut:].shape)
    before = forecast_at(c, cut)
    assert np.array_equal(before, forecast_at(c, cut, changed))
    # and a day before it does (the test can fail)
    changed[:, cut - 1] += 3.0
    assert not np.array_equal(before, forecast_at(c, cut, changed))


def test_the_same_model_whatever_the_row_order_or_the_runs() -> None:
    c = chain(2)
    cuts = learned_cuts(DAYS, H)
    one = fit_series(c["y"], c["group"], c["pid"], c["sid"], horizon=H, cuts=cuts)
    assert one is not None
    again = fit_series(c["y"], c["group"], c["pid"], c["sid"], horizon=H, cuts=cuts)
    assert again is not None
    # runs of products, the rows of each shuffled store-wise within its product
    rng = np.random.default_rng(3)
    parts = []
    for products in (range(0, 5), range(5, 12)):
        rows = np.flatnonzero(np.isin(c["group"], list(products)))
        rows = rows[rng.permutation(len(rows))]
        rows = rows[np.argsort(c["group"][rows], kind="stable")]  # products stay contiguous
        parts.append(
            training_rows(
                c["y"][rows],
                c["group"][rows],
                (c["pid"][rows], c["sid"][rows]),
                horizon=H,
                cuts=cuts,
            )
        )
    runs = fit(parts[::-1], horizon=H, cuts=cuts)
    assert runs is not None
    expected = one.totals(c["y"], c["group"], cuts)
    assert np.array_equal(again.totals(c["y"], c["group"], cuts), expected)
    assert np.array_equal(runs.totals(c["y"], c["group"], cuts), expected)


def test_a_products_forecast_given_the_model_does_not_depend_on_other_products() -> None:
    c = chain(4)
    cuts = learned_cuts(DAYS, H)
    model = fit_series(c["y"], c["group"], c["pid"], c["sid"], horizon=H, cuts=cuts)
    assert model is not None
    whole = model.totals(c["y"], c["group"], cuts)
    mine = np.isin(c["group"], [3, 7])
    alone = model.totals(c["y"][mine], c["group"][mine], cuts)
    assert np.array_equal(alone, whole[:, mine])


def test_the_subsample_keeps_the_same_rows_whatever_the_order() -> None:
    c = chain(5)
    cuts = learned_cuts(DAYS, H)
    rows = training_rows(c["y"], c["group"], (c["pid"], c["sid"]), horizon=H, cuts=cuts)
    cap = len(rows.origin) // 3
    kept = canonical([rows], cap)
    assert 0.2 * len(rows.origin) < len(kept.origin) < 0.5 * len(rows.origin)
    half = len(rows.origin) // 2
    split = [
        type(rows)(
            *(v[half:] for v in (rows.product_id, rows.store_id, rows.origin, rows.x, rows.target))
        ),
        type(rows)(
            *(v[:half] for v in (rows.product_id, rows.store_id, rows.origin, rows.x, rows.target))
        ),
    ]
    again = canonical(split, cap)
    assert np.array_equal(kept.x, again.x, equal_nan=True)
    assert np.array_equal(kept.target, again.target)
    key = list(zip(kept.product_id, kept.store_id, (-kept.origin).tolist(), strict=True))
    assert key == sorted(key)


def test_auto_takes_it_first_where_the_history_allows() -> None:
    c = chain(6)
    model = fit_learned(c["y"], c["group"], c["pid"], c["sid"], horizon=H)
    assert model is not None
    fc = auto_forecast(c["y"], horizon=H, group=c["group"], learned=model)
    assert fc.methods[0] == NAME
    assert np.isfinite(fc.mean).all() and (fc.mean >= 0).all() and (fc.sigma >= 0).all()
    assert fc.calibration is not None
    # the blend's candidates are still chosen from (the choice per product works with it)
    plain = auto_forecast(c["y"], horizon=H, group=c["group"])
    assert plain.methods == fc.methods[1:]


def test_a_short_history_falls_back_to_the_blend_exactly() -> None:
    short = DAYS - 40
    assert not available(learned_cuts(short, H), H)
    c = chain(7, days=short)
    assert fit_learned(c["y"], c["group"], c["pid"], c["sid"], horizon=H) is None
    got = auto_forecast(c["y"], horizon=H, group=c["group"], learned=None)
    assert NAME not in got.methods
    # a model fitted for other cut-offs (another history, another horizon) is not used
    long = chain(7)
    other = fit_learned(long["y"], long["group"], long["pid"], long["sid"], horizon=H)
    again = auto_forecast(c["y"], horizon=H, group=c["group"], learned=other)
    assert again.methods == got.methods and np.array_equal(again.mean, got.mean)


def test_training_origins_end_before_the_cut_off() -> None:
    for cut in (224, 365):
        origins = training_cuts(cut, 28)
        assert origins is not None and len(origins) == 6
        assert all(o + 28 <= cut for o in origins) and min(origins) >= 56
    assert training_cuts(223, 28) is None


def test_auto_given_the_model_forecasts_a_product_as_it_does_among_all() -> None:
    """The model depends on every product's history (it is fitted across them, once); given
    it, a product's auto forecast, spread, choice and safety factor do not depend on which
    other products are forecast with it (the Dask engine's runs)."""
    c = chain(8)
    model = fit_learned(c["y"], c["group"], c["pid"], c["sid"], horizon=H)
    assert model is not None
    whole = auto_forecast(c["y"], horizon=H, group=c["group"], learned=model)
    mine = np.isin(c["group"], [2, 3])
    alone = auto_forecast(c["y"][mine], horizon=H, group=c["group"][mine], learned=model)
    assert np.array_equal(alone.mean, whole.mean[mine])
    assert np.array_equal(alone.sigma, whole.sigma[mine])
    assert list(alone.method_names()) == list(whole.method_names()[mine])
    assert np.array_equal(alone.safety_factor(0.9), whole.safety_factor(0.9)[mine])
    # refitted on other products' changed history, the model (so the forecast) may change
    other = c["y"].copy()
    other[~mine] *= 3.0
    refit = fit_learned(other, c["group"], c["pid"], c["sid"], horizon=H)
    assert refit is not None
    changed = auto_forecast(c["y"][mine], horizon=H, group=c["group"][mine], learned=refit)
    assert not np.array_equal(changed.mean, alone.mean)


def test_features_computed_once_per_history_equal_each_prefixs_own() -> None:
    """History computes the features of several cut-offs from shared running sums; each
    equals, to the bit, the features of a copy of the prefix alone (fractional units)."""
    rng = np.random.default_rng(11)
    c = chain(11, days=DAYS + YEAR)
    y = c["y"] * rng.uniform(0.5, 1.5, c["y"].shape)
    label = c["group"].astype(np.intp)
    history = History(y, label, H)
    for cut in (y.shape[1], y.shape[1] - H, YEAR + 91, YEAR + 3, 100, 1):
        alone = features(y[:, :cut].copy(), label, H)
        assert np.array_equal(history.at(cut), alone, equal_nan=True)
        assert np.array_equal(history.sold(cut), y[:, :cut].sum(axis=1) > 0)


def test_the_model_forecasts_its_own_history_from_the_features_it_kept() -> None:
    """fit_series keeps the features at its cut-offs (shared with the training origins);
    forecasting that matrix reads them, any other recomputes them: the same forecasts."""
    c = chain(12)
    cuts = learned_cuts(DAYS, H)
    model = fit_series(c["y"], c["group"], c["pid"], c["sid"], horizon=H, cuts=cuts)
    assert model is not None and model.known is not None
    label = c["group"].astype(np.intp)
    assert model.known.of(c["y"], label)
    assert not model.known.of(c["y"].copy(), label)
    assert not model.known.of(c["y"], label[::-1].copy())
    kept = model.totals(c["y"], c["group"], cuts)
    recomputed = replace(model, known=None).totals(c["y"], c["group"], cuts)
    assert np.array_equal(kept, recomputed)
    assert np.array_equal(model.totals(c["y"].copy(), c["group"], cuts), recomputed)


def test_plans_model_keeps_the_features_of_the_rows_it_plans(tmp_path: Path) -> None:
    """pipeline.with_learned fits the model fit_learned_rows fits (the Dask engine's) and
    keeps its cut-offs' features; the targets from them are those computed again."""
    dataset = load_dataset(**long_history_chain(tmp_path, products=4, days=150))
    params = PlanParameters(forecast="auto", cover_days=H, service_level=0.9, clusters="2")
    model = with_learned(prepare_chain(dataset.stores, params), dataset, params).learned
    assert model is not None and model.known is not None and dataset.sales is not None
    assert model.known.of(dataset.sales.units, dataset.inventory.product.astype(np.intp))
    rows = fit_learned_rows([learned_rows(dataset, params)], params)
    assert rows is not None and rows.known is None
    clustering = prepare_chain(dataset.stores, params).clustering
    kept = compute_targets(dataset, params, clustering, model)
    again = compute_targets(dataset, params, clustering, rows)
    assert np.array_equal(kept.target, again.target)
    assert np.array_equal(kept.rate, again.rate) and np.array_equal(kept.sigma, again.sigma)
    assert list(kept.method) == list(again.method)
