"""The policies a backtest replays: functions from a :class:`Review` to transfer
:class:`Lines`, by name (SPEC sections 9 and 10)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stockshift.core.backtest.network import Lines, Network, Review
from stockshift.core.backtest.settings import POLICY_NAMES, WAREHOUSE
from stockshift.core.errors import ParameterError
from stockshift.core.pipeline import benefit_settings
from stockshift.core.planning import Allocation, Problem, greedy, optimal
from stockshift.core.planning.benefit import Demand, daily_moments, plan_benefit

Policy = Callable[[Review, Network], Lines]


def allocation_problem(review: Review, network: Network) -> Problem:
    """SPEC section 3's surplus and need on the position, as a planner Problem."""
    inv, params = network.dataset.inventory, network.params
    return Problem(
        indptr=inv.indptr,
        store=inv.store,
        surplus=review.surplus,
        need=review.need,
        cluster=network.clustering.codes,
        n_clusters=max(network.clustering.k, 1),
        dist=network.dist,
        order=network.order,
        max_distance_km=params.max_distance_km,
        max_transfers=review.max_transfers,
        lines_before=review.lines_before,
        pack_size=params.pack_size,
        min_transfer_units=params.min_transfer_units,
    )


def allocator_policy(plan: Callable[[Problem], Allocation]) -> Policy:
    """A policy from a planner with the ``plan(Problem) -> Allocation`` interface."""

    def policy(review: Review, network: Network) -> Lines:
        return Lines.of(plan(allocation_problem(review, network)))

    return policy


def _expected_benefit(review: Review, network: Network) -> Lines:
    """SPEC section 9's expected-benefit on the review: daily demand moments from the
    review's history (as ``plan`` reads it), horizons from the backtest's R, L and T (in
    ``network.params``)."""
    mean, var = daily_moments(review.history)
    demand = Demand(
        position=np.floor(review.position).astype(np.int64),
        on_hand=np.floor(review.on_hand).astype(np.int64),
        mean=mean,
        var=var,
        history_days=review.history.shape[1],
    )
    problem = allocation_problem(review, network)
    return Lines.of(plan_benefit(problem, demand, benefit_settings(network.params)))


def no_transfers(review: Review, network: Network) -> Lines:
    """``warehouse``: the baseline, which never moves stock between stores."""
    return Lines.empty()


def available_policies() -> dict[str, Policy]:
    """Every policy this installation can replay, by name."""
    return {
        WAREHOUSE: no_transfers,
        "greedy": allocator_policy(greedy.plan),
        "optimal": allocator_policy(optimal.plan),
        "expected-benefit": _expected_benefit,
    }


def resolve_policies(names: tuple[str, ...]) -> dict[str, Policy]:
    """The named policies, ``warehouse`` (the baseline) first; unknown names are refused."""
    known = available_policies()
    bad = [n for n in names if n not in POLICY_NAMES]
    if bad or not names:
        raise ParameterError.about(
            "policies",
            ",".join(names),
            f"unknown policy {', '.join(bad) or '(none given)'}; use a comma-separated list "
            f"of {', '.join(POLICY_NAMES)}",
        )
    missing = [n for n in names if n not in known]
    if missing:
        raise ParameterError.about(
            "policies",
            ",".join(names),
            f"{', '.join(missing)} is not available in this version; use {', '.join(known)}",
        )
    ordered = [WAREHOUSE, *(n for n in dict.fromkeys(names) if n != WAREHOUSE)]
    return {n: known[n] for n in ordered}
