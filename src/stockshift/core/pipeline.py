"""From a validated dataset to a plan: clusters, targets, distances, allocation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stockshift.core.clustering import cluster_stores
from stockshift.core.errors import ParameterError
from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.planning import Problem, greedy, optimal
from stockshift.core.targets import cluster_mean_targets, forecast_targets
from stockshift.core.types import POLICIES, Clustering, Dataset, Plan, PlanParameters, Targets

Progress = Callable[[str], None]


def validate_parameters(params: PlanParameters) -> None:
    """Reject settings that cannot mean anything, naming the flag and a valid example."""
    if params.pack_size < 1:
        raise ParameterError(f"--pack-size {params.pack_size}: must be at least 1")
    if params.min_transfer_units < 0:
        raise ParameterError(f"--min-transfer-units {params.min_transfer_units}: must be ≥ 0")
    if params.max_transfers is not None and params.max_transfers < 0:
        raise ParameterError(f"--max-transfers {params.max_transfers}: must be ≥ 0")
    if params.max_distance_km is not None and not params.max_distance_km >= 0:
        raise ParameterError(f"--max-distance-km {params.max_distance_km}: must be ≥ 0")
    if params.window < 1:
        raise ParameterError(f"--window {params.window}: must be at least 1 day")
    if params.cover_days < 1:
        raise ParameterError(f"--cover-days {params.cover_days}: must be at least 1 day")
    if params.policy not in POLICIES:
        raise ParameterError(f"--policy {params.policy!r}: use {', '.join(POLICIES)}")
    if params.forecast not in ("moving-average", "linear-regression"):
        raise ParameterError(
            f"--forecast {params.forecast!r}: use moving-average or linear-regression"
        )


def compute_targets(dataset: Dataset, params: PlanParameters, clustering: Clustering) -> Targets:
    kind = params.resolved_target(dataset.sales is not None)
    if kind == "cluster-mean":
        return cluster_mean_targets(dataset.inventory, clustering)
    if dataset.sales is None:
        raise ParameterError("--target forecast needs a sales file: pass --sales sales.csv")
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
    say("clustering stores")
    clustering = cluster_stores(dataset.stores, params.clusters, seed=params.seed)
    say("computing targets")
    targets = compute_targets(dataset, params, clustering)
    say("computing distances")
    dist = distance_matrix(dataset.stores.lat, dataset.stores.lon)
    order = neighbour_order(dist)
    say("allocating")
    inv = dataset.inventory
    planner = optimal.plan if params.policy == "optimal" else greedy.plan
    alloc = planner(
        Problem(
            indptr=inv.indptr,
            store=inv.store,
            surplus=targets.surplus,
            need=targets.need,
            cluster=clustering.codes,
            n_clusters=max(clustering.k, 1),
            dist=dist,
            order=order,
            max_distance_km=params.max_distance_km,
            max_transfers=params.max_transfers,
            pack_size=params.pack_size,
            min_transfer_units=params.min_transfer_units,
        )
    )
    w = np.flatnonzero(alloc.need_left > 0)
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
        w_quantity=alloc.need_left[w],
        w_capped=alloc.capped[w],
        cap_reached=alloc.cap_reached,
        warnings=dataset.warnings,
    )
