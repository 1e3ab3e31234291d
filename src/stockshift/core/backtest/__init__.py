"""Replay the sales history under each policy (SPEC section 10).

:mod:`.replay` steps one policy through the days over some products, keeping its figures
exact (:mod:`.tally`); :mod:`.results` turns them into the result. Here, one process
replays every product; ``stockshift.engine.dask_backtest`` replays runs of them on a cluster
and adds their figures up to the same result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from stockshift.core.backtest.network import Lines, Network, Review, Setup, prepare
from stockshift.core.backtest.policies import (
    Policy,
    allocation_problem,
    allocator_policy,
    available_policies,
    no_transfers,
    resolve_policies,
)
from stockshift.core.backtest.replay import Progress, replay, review_day
from stockshift.core.backtest.results import backtest_result
from stockshift.core.backtest.settings import (
    POLICY_NAMES,
    WAREHOUSE,
    BacktestResult,
    BacktestSettings,
    PolicyResult,
    WeekResult,
    check_settings,
)
from stockshift.core.types import Dataset, PlanParameters

__all__ = [
    "POLICY_NAMES",
    "WAREHOUSE",
    "BacktestResult",
    "BacktestSettings",
    "Lines",
    "Network",
    "Policy",
    "PolicyResult",
    "Progress",
    "Review",
    "Setup",
    "WeekResult",
    "allocation_problem",
    "allocator_policy",
    "available_policies",
    "check_settings",
    "prepare",
    "resolve_policies",
    "review_day",
    "run_backtest",
]


def run_backtest(
    dataset: Dataset,
    params: PlanParameters,
    settings: BacktestSettings,
    *,
    policies: Mapping[str, Policy] | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Replay ``settings.weeks`` weeks from ``settings.start`` under each policy."""
    chosen = dict(policies) if policies is not None else resolve_policies(settings.policies)
    if WAREHOUSE not in chosen:
        chosen = {WAREHOUSE: no_transfers, **chosen}
    if policies is not None:
        settings = replace(settings, policies=tuple(chosen))
    network = prepare(dataset, replace(params, target="forecast"), settings)
    tallies = {name: replay(network, name, policy, progress) for name, policy in chosen.items()}
    inv = dataset.inventory
    return backtest_result(
        network.setup,
        tallies,
        stores=len(np.unique(inv.store)),
        products=len(np.unique(inv.product)),
        rows=len(inv),
    )
