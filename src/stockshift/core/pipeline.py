"""From a validated dataset to a plan: clusters, targets, distances, allocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from stockshift.core.clustering import cluster_stores
from stockshift.core.errors import ParameterError
from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.neighbours import DENSE_MAX_STORES, PairDistances, sparse_neighbours
from stockshift.core.parameters import validate_parameters
from stockshift.core.planning import Allocation, Problem, greedy, optimal
from stockshift.core.planning.benefit import BenefitSettings, Demand, daily_moments, plan_benefit
from stockshift.core.planning.optimal import per_row
from stockshift.core.targets import cluster_mean_targets, forecast_targets, surplus_and_need
from stockshift.core.types import (
    Clustering,
    Dataset,
    IntArray,
    Inventory,
    Plan,
    PlanParameters,
    Stores,
    Targets,
)

Progress = Callable[[str], None]

CLUSTERING = "clustering stores"
TARGETS = "computing targets"
DISTANCES = "computing distances"
ALLOCATING = "allocating"
STEPS = (CLUSTERING, TARGETS, DISTANCES, ALLOCATING)
"""The steps :func:`build_plan` reports to its ``progress`` callback, in order."""

__all__ = ["STEPS", "build_plan", "compute_targets", "sales_days", "validate_parameters"]


def sales_days(params: PlanParameters) -> int | None:
    """Days of sales history the targets read: the last W, or every day for ``auto`` (which
    chooses its model on rolling origins over the whole history)."""
    return None if params.forecast == "auto" else params.window


def compute_targets(dataset: Dataset, params: PlanParameters, clustering: Clustering) -> Targets:
    kind = params.resolved_target(dataset.sales is not None)
    if kind == "cluster-mean":
        return cluster_mean_targets(dataset.inventory, clustering)
    if dataset.sales is None:
        raise ParameterError(
            "{field}: the forecast target needs sales history; give it, or use the "
            "cluster-mean target",
            field="sales",
        )
    return forecast_targets(
        dataset.inventory,
        dataset.sales,
        method=params.forecast,
        window=params.window,
        cover_days=params.cover_days,
        service_level=params.service_level,
    )


def build_plan(dataset: Dataset, params: PlanParameters, progress: Progress | None = None) -> Plan:
    """Plan transfers for every product of ``dataset`` as SPEC sections 2-4 fix them."""
    say = progress or (lambda _step: None)
    validate_parameters(params)
    say(CLUSTERING)
    clustering = cluster_stores(dataset.stores, params.clusters, seed=params.seed)
    say(TARGETS)
    targets = compute_targets(dataset, params, clustering)
    say(DISTANCES)
    geometry = store_geometry(dataset.stores, clustering, params)
    say(ALLOCATING)
    inv = dataset.inventory
    problem = Problem(
        indptr=inv.indptr,
        store=inv.store,
        # surplus is measured on the position, but only units on hand can leave
        surplus=np.minimum(targets.surplus, inv.sendable),
        need=targets.need,
        cluster=clustering.codes,
        n_clusters=max(clustering.k, 1),
        max_distance_km=params.max_distance_km,
        max_transfers=params.max_transfers,
        pack_size=params.pack_size,
        min_transfer_units=params.min_transfer_units,
        **geometry,
    )
    if params.policy == "expected-benefit":
        alloc = plan_benefit(problem, demand(dataset, params, targets), benefit_settings(params))
        need_left = need_after(alloc, problem, inv, targets)
    else:
        alloc = (optimal.plan if params.policy == "optimal" else greedy.plan)(problem)
        need_left = alloc.need_left
    w = np.flatnonzero(need_left > 0)
    return Plan(
        parameters=params,
        target_kind=params.resolved_target(dataset.sales is not None),
        stores=dataset.stores,
        clustering=clustering,
        inventory=inv,
        targets=targets,
        t_product=alloc.product,
        t_from=alloc.source,
        t_to=alloc.destination,
        t_quantity=alloc.quantity,
        t_distance=alloc.distance_km,
        t_cross=alloc.cross,
        w_product=inv.product[w],
        w_store=inv.store[w],
        w_quantity=need_left[w],
        w_capped=alloc.capped[w],
        cap_reached=alloc.cap_reached,
        warnings=dataset.warnings,
        t_expected_gain=alloc.expected_gain,
    )


def store_geometry(
    stores: Stores,
    clustering: Clustering,
    params: PlanParameters,
    dense_max_stores: int = DENSE_MAX_STORES,
) -> dict[str, Any]:
    """The Problem's distance fields: the dense matrix and neighbour order up to
    ``dense_max_stores`` stores; above, distances on demand and (for greedy) each store's
    nearest candidates from a BallTree, which give the same plan (core/neighbours.py)."""
    if len(stores) <= dense_max_stores:
        dist = distance_matrix(stores.lat, stores.lon)
        return {"dist": dist, "order": neighbour_order(dist)}
    neighbours = None
    if params.policy == "greedy":
        neighbours = sparse_neighbours(
            stores.lat, stores.lon, clustering.codes, max(clustering.k, 1), params.max_distance_km
        )
    return {
        "dist": PairDistances(stores.lat, stores.lon),
        "order": None,
        "neighbours": neighbours,
        "lat": stores.lat,
        "lon": stores.lon,
    }


def benefit_settings(params: PlanParameters) -> BenefitSettings:
    return BenefitSettings(
        warehouse_lead_days=params.warehouse_lead_days,
        review_days=params.review_days,
        transfer_lead_days=params.transfer_lead_days,
        sale_value=params.sale_value,
        cost_per_unit_km=params.cost_per_unit_km,
        cost_per_line=params.cost_per_line,
        min_benefit=params.min_benefit,
    )


def demand(dataset: Dataset, params: PlanParameters, targets: Targets) -> Demand:
    """Positions and daily demand moments for expected-benefit.

    With ``--forecast auto`` the chosen model's rate r and its out-of-sample σ of demand over
    the C cover days give mean r and variance σ²/C per day; otherwise the mean and variance
    of the last ``window`` days of sales.
    """
    if dataset.sales is None:
        raise ParameterError.about(
            "policy", params.policy, "needs the sales history: pass a sales file"
        )
    units = dataset.sales.units
    days = min(units.shape[1], params.window)
    if targets.sigma is not None and targets.rate is not None:
        mean, var = targets.rate, targets.sigma**2 / params.cover_days
        days = units.shape[1]  # auto chose its model on the whole history
    else:
        mean, var = daily_moments(units[:, units.shape[1] - days :])
    inv = dataset.inventory
    return Demand(position=inv.position, on_hand=inv.on_hand, mean=mean, var=var, history_days=days)


def need_after(alloc: Allocation, problem: Problem, inv: Inventory, targets: Targets) -> IntArray:
    """What each row lacks of its target once the plan's lines arrive (SPEC section 3's need
    on the position after the plan): sources sent below target order it back."""
    received = per_row(problem, alloc.product, alloc.destination, alloc.quantity)
    sent = per_row(problem, alloc.product, alloc.source, alloc.quantity)
    after = inv.position - sent + received
    return surplus_and_need(after, targets.target)[1]
