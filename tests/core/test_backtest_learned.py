"""``--forecast auto`` in a replay (core/backtest/learned.py): each review forecasts as
``stockshift plan`` forecasts on the history up to that day, learned model included."""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest

from stockshift.core.backtest import BacktestSettings, prepare, review_day, run_backtest
from stockshift.core.backtest.learned import model_cuts, review_columns
from stockshift.core.forecast.auto import learned_cuts
from stockshift.core.forecast.learned import available
from stockshift.core.pipeline import compute_targets, fit_learned_rows, learned_rows
from stockshift.core.types import Dataset, PlanParameters
from stockshift.io.readers import load_dataset
from tests.factories import long_history_chain

H = 7
DAYS = 160
PARAMS = PlanParameters(forecast="auto", cover_days=H, service_level=0.9, clusters="2")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    files = long_history_chain(tmp_path_factory.mktemp("chain"), products=5, days=DAYS)
    return load_dataset(**files)


def cut_at(dataset: Dataset, at: int) -> Dataset:
    """``dataset`` with the sales of its first ``at`` days: what a review on day ``at`` saw."""
    s = dataset.sales
    assert s is not None
    seen = replace(
        s,
        units=s.units[:, :at],
        has_sales=np.ones(len(s.units), np.bool_),
        last_day=s.first_day + np.timedelta64(at - 1, "D"),
        total_days=at,
    )
    return replace(dataset, sales=seen)


def test_a_review_forecasts_as_plan_does_on_the_history_up_to_it(chain: Dataset) -> None:
    """Reviews from day 112: the first reviews' histories are too short for the model (auto
    without it, as plan), the later ones have it; each target equals plan's on its history."""
    assert chain.sales is not None
    start = chain.sales.first_day + np.timedelta64(112, "D")
    network = prepare(chain, PARAMS, BacktestSettings(start=start, weeks=4))
    columns = review_columns(network.params, 28, start, chain.sales.first_day)
    has_model = [available(learned_cuts(at, H), H) for at in columns]
    assert has_model[0] is False and has_model[-1] is True  # both kinds of review are here
    assert network.learned is not None
    stock = chain.inventory.on_hand.astype(np.float64)
    for at, learned in zip(columns, has_model, strict=True):
        got = review_day(network, chain.sales, at, at - 112, stock, stock).target
        seen = cut_at(chain, at)
        rows = learned_rows(seen, network.params)  # what plan fits on this history
        model = None if rows is None else fit_learned_rows([rows], network.params)
        assert (model is not None) == learned
        want = compute_targets(seen, network.params, network.clustering, model)
        assert got.tolist() == want.target.tolist(), at
        if learned:  # and the model changed something (the test can fail)
            without = compute_targets(seen, network.params, network.clustering)
            assert got.tolist() != without.target.tolist()


def test_no_model_for_other_forecasts_or_short_histories() -> None:
    ma = replace(PARAMS, forecast="moving-average", review_days=7)
    assert model_cuts(ma, [200, 207]) == []
    auto = replace(PARAMS, review_days=7)
    assert model_cuts(auto, [60]) == []
    both = model_cuts(auto, [126, 133])
    assert both == sorted(set(learned_cuts(126, H)) | set(learned_cuts(133, H)))


def test_every_policy_reads_the_same_targets(
    chain: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's targets are computed once and shared, read-only, by every policy's review:
    three policies over two review days compute two sets of targets, not six."""
    replay = importlib.import_module("stockshift.core.backtest.replay")  # the package's
    # name "replay" is the function
    assert chain.sales is not None
    computed: list[int] = []

    def counted(dataset: Dataset, *args: object) -> object:
        assert dataset.sales is not None
        computed.append(dataset.sales.total_days)
        return compute_targets(dataset, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(replay, "compute_targets", counted)
    start = chain.sales.first_day + np.timedelta64(140, "D")
    settings = BacktestSettings(start=start, weeks=2, policies=("greedy", "expected-benefit"))
    result = run_backtest(chain, PARAMS, settings)
    assert [p.policy for p in result.policies] == ["warehouse", "greedy", "expected-benefit"]
    assert computed == [140, 147]
    network = prepare(chain, PARAMS, settings)
    stock = chain.inventory.on_hand.astype(np.float64)
    first = review_day(network, chain.sales, 140, 0, stock, stock)
    again = review_day(network, chain.sales, 140, 0, stock + 1, stock + 1)
    assert again.target is first.target and not first.target.flags.writeable
    assert again.need.tolist() != first.need.tolist() or not first.need.any()
