"""From a validated dataset to a plan: clusters, targets, distances, allocation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from stockshift.core.clustering import cluster_stores
from stockshift.core.errors import ParameterError
from stockshift.core.forecast.learned import BoostedBlend, TrainingRows
from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.neighbours import (
    DENSE_MAX_STORES,
    PairDistances,
    dense_neighbours,
    sparse_neighbours,
)
from stockshift.core.parameters import sales_days, validate_parameters
from stockshift.core.planning import Allocation, Problem, greedy, optimal
from stockshift.core.planning.benefit import (
    BenefitSettings,
    Demand,
    daily_moments,
    demand_history_days,
    plan_benefit,
)
from stockshift.core.planning.optimal import per_row
from stockshift.core.runs import ProductsPlan, cut_off, join_runs, split_products
from stockshift.core.targets import cluster_mean_targets, forecast_targets, surplus_and_need
from stockshift.core.types import (
    Clustering,
    Dataset,
    IntArray,
    Inventory,
    Plan,
    PlanParameters,
    Sales,
    Stores,
    StrArray,
    Targets,
)

Progress = Callable[[str], None]

CLUSTERING = "clustering stores"
TARGETS = "computing targets"
DISTANCES = "computing distances"
ALLOCATING = "allocating"
STEPS = (CLUSTERING, DISTANCES, TARGETS, ALLOCATING)
"""The steps :func:`build_plan` reports to its ``progress`` callback, in order."""
RUN_ROWS = 250_000
"""Inventory rows per run of products when :func:`build_plan` hands out runs as it goes."""

__all__ = [
    "STEPS",
    "Chain",
    "ProductsPlan",
    "assemble_plan",
    "build_plan",
    "cap_split",
    "compute_targets",
    "cut_off",
    "plan_products",
    "prepare_chain",
    "sales_days",
    "validate_parameters",
]


def compute_targets(
    dataset: Dataset,
    params: PlanParameters,
    clustering: Clustering,
    learned: BoostedBlend | None = None,
) -> Targets:
    """Targets per row (SPEC section 3); ``learned`` is ``--forecast auto``'s model fitted on
    every product's history (:func:`learned_rows`, :func:`fit_learned_rows`)."""
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
        review_days=params.review_days,
        learned=learned,
    )


@dataclass(frozen=True, slots=True)
class Chain:
    """What every product's plan shares: the stores, their clusters and the Problem's
    distance fields (:func:`store_geometry`), and ``--forecast auto``'s learned model
    (:func:`with_learned`). Computed once, before any product."""

    stores: Stores
    clustering: Clustering
    geometry: dict[str, Any]
    learned: BoostedBlend | None = None


def _learned_cuts(params: PlanParameters, n_days: int) -> list[int] | None:
    from stockshift.core.forecast.auto import learned_cuts
    from stockshift.core.forecast.learned import available

    if params.forecast != "auto":
        return None
    cuts = learned_cuts(n_days, params.cover_days)
    return cuts if available(cuts, params.cover_days) else None


def _learned_inputs(
    dataset: Dataset, params: PlanParameters
) -> tuple[Sales, tuple[StrArray, StrArray], list[int]] | None:
    """The sales, the product and store id of each row and the cut-offs of ``--forecast
    auto``'s learned model (None: another forecast, or too short a history for it)."""
    sales = dataset.sales
    if sales is None or params.resolved_target(True) != "forecast":
        return None
    cuts = _learned_cuts(params, sales.units.shape[1])
    if cuts is None:
        return None
    return sales, _row_ids(dataset), cuts


def _row_ids(dataset: Dataset) -> tuple[StrArray, StrArray]:
    """The product id and the store id of each inventory row."""
    inv = dataset.inventory
    return inv.product_ids[inv.product], dataset.stores.ids[inv.store]


def learned_training(dataset: Dataset, cuts: Sequence[int], horizon: int) -> TrainingRows:
    """The training rows of ``dataset``'s products (its whole sales) for the learned models
    of ``cuts`` (:func:`~stockshift.core.forecast.learned.training_rows`)."""
    from stockshift.core.forecast.learned import training_rows

    assert dataset.sales is not None
    units, product = dataset.sales.units, dataset.inventory.product
    return training_rows(units, product, _row_ids(dataset), horizon=horizon, cuts=cuts)


def learned_rows(dataset: Dataset, params: PlanParameters) -> tuple[int, TrainingRows] | None:
    """The days of sales and the training rows of ``dataset``'s products for ``--forecast
    auto``'s learned model (None: another forecast, or too short a history for it)."""
    found = _learned_inputs(dataset, params)
    if found is None:
        return None
    sales, _, cuts = found
    return sales.units.shape[1], learned_training(dataset, cuts, params.cover_days)


def fit_learned_rows(
    found: Sequence[tuple[int, TrainingRows] | None], params: PlanParameters
) -> BoostedBlend | None:
    """The learned model from the training rows of every run of products (:func:`learned_rows`
    of each): the same model one process fits from all of them at once."""
    from stockshift.core.forecast.learned import fit

    parts = [f for f in found if f is not None]
    if not parts or len(parts) < len(found) or len({n for n, _ in parts}) != 1:
        return None
    cuts = _learned_cuts(params, parts[0][0])
    if cuts is None:
        return None
    return fit([rows for _, rows in parts], horizon=params.cover_days, cuts=cuts)


def with_learned(chain: Chain, dataset: Dataset, params: PlanParameters) -> Chain:
    """``chain`` with ``--forecast auto``'s learned model fitted on every row of ``dataset``:
    the model of :func:`fit_learned_rows`, keeping the features of its cut-offs for the
    forecast of the same rows (:func:`~stockshift.core.forecast.learned.fit_series`)."""
    from stockshift.core.forecast.learned import fit_series

    found = _learned_inputs(dataset, params)
    if found is None:
        return chain
    sales, ids, cuts = found
    product = dataset.inventory.product
    model = fit_series(sales.units, product, *ids, horizon=params.cover_days, cuts=cuts)
    return replace(chain, learned=model)


def prepare_chain(
    stores: Stores, params: PlanParameters, progress: Progress | None = None
) -> Chain:
    """Clusters and distances (SPEC section 2): stores only, the same for every product."""
    say = progress or (lambda _step: None)
    say(CLUSTERING)
    clustering = cluster_stores(stores, params.clusters, seed=params.seed)
    say(DISTANCES)
    return Chain(stores, clustering, store_geometry(stores, clustering, params))


def plan_products(
    dataset: Dataset,
    params: PlanParameters,
    chain: Chain,
    *,
    max_transfers: int | None,
    lines_before: int = 0,
    progress: Progress | None = None,
) -> ProductsPlan:
    """Targets and allocation (SPEC sections 3-4, 9) for the products of ``dataset``.

    ``max_transfers`` caps the run's lines; ``lines_before`` is what the run's earlier
    products made when ``dataset`` holds only some of them (:func:`cap_split`).
    """
    say = progress or (lambda _step: None)
    say(TARGETS)
    targets = compute_targets(dataset, params, chain.clustering, chain.learned)
    say(ALLOCATING)
    inv = dataset.inventory
    problem = Problem(
        indptr=inv.indptr,
        store=inv.store,
        # surplus is measured on the position, but only units on hand can leave
        surplus=np.minimum(targets.surplus, inv.sendable),
        need=targets.need,
        cluster=chain.clustering.codes,
        n_clusters=max(chain.clustering.k, 1),
        max_distance_km=params.max_distance_km,
        max_transfers=max_transfers,
        pack_size=params.pack_size,
        min_transfer_units=params.min_transfer_units,
        lines_before=lines_before,
        **chain.geometry,
    )
    if params.policy == "expected-benefit":
        alloc = plan_benefit(problem, demand(dataset, params, targets), benefit_settings(params))
        need_left = need_after(alloc, problem, inv, targets)
    else:
        alloc = (optimal.plan if params.policy == "optimal" else greedy.plan)(problem)
        need_left = alloc.need_left
    return ProductsPlan.of(inv, targets, alloc, need_left)


def cap_split(line_counts: Sequence[int], params: PlanParameters) -> tuple[int, int] | None:
    """Where ``--max-transfers`` falls among runs of products planned without it: (the run
    to plan again with the cap, lines the runs before it made); None if it is never reached.

    Runs after that one make no line (:func:`cut_off`); runs before it are as planned. The
    run is the one whose products decide the cap's effect: for greedy, the one holding line
    N (1-based; its product is allocated again with the lines left); for the flow policies,
    the one holding line N + 1, the first line cut (whose product loses lines), or the last
    line when there is none.
    """
    cap, total = params.max_transfers, int(sum(line_counts))
    if cap is None or total < cap:
        return None
    if cap == 0:
        return 0, 0
    line = cap - 1 if params.policy == "greedy" else min(cap, total - 1)
    before = np.concatenate([[0], np.cumsum(np.asarray(line_counts, dtype=np.int64))])
    run = int(np.searchsorted(before, line, side="right")) - 1
    return run, int(before[run])


def build_plan(
    dataset: Dataset,
    params: PlanParameters,
    progress: Progress | None = None,
    *,
    chain: Chain | None = None,
    on_run: Callable[[ProductsPlan], object] | None = None,
) -> Plan:
    """Plan transfers for every product of ``dataset`` as SPEC sections 2-4 fix them.

    ``chain``: :func:`prepare_chain`'s for ``dataset.stores``, when made beforehand.
    ``on_run`` is handed each run of products' plan, in product order, as soon as it is
    made (``db plan`` stores a run's lines while the next run is planned): the products are
    then planned in runs of about :data:`RUN_ROWS` rows, which makes the same plan
    (core/runs.py); with a cap or a learned forecast, in one run.
    """
    validate_parameters(params)
    if chain is None:
        chain = prepare_chain(dataset.stores, params, progress)
    chain = with_learned(chain, dataset, params)
    runs = [dataset]
    # with a cap, or --forecast auto's model (it keeps the features of every row it was
    # fitted on, which a run's rows would compute again), one run
    if on_run is not None and params.max_transfers is None and chain.learned is None:
        runs = split_products(dataset, RUN_ROWS)
    parts = []
    for i, run in enumerate(runs):
        part = plan_products(
            run,
            params,
            chain,
            max_transfers=params.max_transfers,
            progress=progress if i == 0 else None,
        )
        if on_run is not None:
            on_run(part)
        parts.append(part)
    return assemble_plan(chain, params, parts, dataset.sales is not None, dataset.warnings)


def assemble_plan(
    chain: Chain,
    params: PlanParameters,
    parts: Sequence[ProductsPlan],
    has_sales: bool,
    warnings: tuple[str, ...],
) -> Plan:
    """One plan from runs of products in ``product_id`` order, planned with the cap applied
    (:func:`cap_split`): lines in product order, warehouse orders by product then store."""
    part = join_runs(parts)
    inv, alloc, need_left = part.inventory, part.alloc, part.need_left
    w = np.flatnonzero(need_left > 0)
    return Plan(
        parameters=params,
        target_kind=params.resolved_target(has_sales),
        stores=chain.stores,
        clustering=chain.clustering,
        inventory=inv,
        targets=part.targets,
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
        cap_reached=any(p.alloc.cap_reached for p in parts),
        warnings=warnings,
        t_expected_gain=alloc.expected_gain,
        need_units=part.need_units,
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
        order = neighbour_order(dist)
        if params.policy != "greedy":
            return {"dist": dist, "order": order}
        # greedy's lists, made once per run rather than once per run of products
        lists = dense_neighbours(dist, order, clustering.codes, params.max_distance_km)
        return {"dist": dist, "order": order, "neighbours": lists}
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
    of the last H_B = max(``window``, 182) days of sales (:func:`demand_history_days`).
    """
    if dataset.sales is None:
        raise ParameterError.about(
            "policy", params.policy, "needs the sales history: pass a sales file"
        )
    units = dataset.sales.units
    days = min(units.shape[1], demand_history_days(params.window))
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
