"""The ``expected-benefit`` policy of SPEC section 9: move a unit only where it sells more.

Symbols (per store and product; docs/architecture.md states the same formulas):

- D(H): demand over H days, a count distribution with mean m·H and variance v·H, where m and
  v come from the last H_B = max(W, 182) days of daily sales (:func:`demand_history_days`,
  :func:`demand_fit`) shrunk towards the product's level: m_s = w·m_row + (1 − w)·m̄
  (v_s likewise), w = H_B / (H_B + 28) for H_B days of history,
  m̄, v̄ the averages over the product's stores (:func:`product_moments`); the destination
  uses (m_s, v_s), the source (max(m_row, m̄), max(v_row, v̄)). One store's lumpy history
  is a poor guide alone: leaning on the chain's level keeps the policy from sending away
  stock a store will sell, or piling it where a case was just bought;
- position x = on hand + in transit; L = warehouse lead days, R = review days,
  T = transfer lead days;
- gain of the k-th unit received, g_k = P(D_dest(L) ≥ x_dest + k) — the destination sells it
  before a warehouse order placed today could arrive (0 when T ≥ L: the warehouse is as fast);
- loss of the k-th unit sent, l_k = max over i ≤ k of P(D_src(h_i) ≥ y_i), y_i = x_src − i + 1
  the level the unit sits at — the source would have sold it before the warehouse gives it
  back. With τ the source's target (SPEC section 3), a unit at or below τ is ordered back
  today and is missing h = L days; the units above τ are missing until the source, had it
  kept them, would have ordered: the review at which its demand, at its mean rate m, takes
  x below τ, h = j·R + L with j = ⌈(x − τ)/(m·R)⌉ (:func:`loss_horizon`). A store that
  holds more than its target gives away stock it would have sold over weeks, not only
  until its next review. The running maximum keeps l_k rising with k, as the flow needs
  (a unit below τ sent after the ones above it is charged at least what they were);
- V = value of a sale, c = cost per unit-km, F = cost per line, θ = minimum benefit per unit.

A pack moves from s to d only while V·(Σg − Σl) − c·q·dist − θ·q > 0: a min-cost flow whose
source arcs cost V·l (one arc per pack, so the k-th pack is taken only after the (k−1)-th),
destination arcs earn V·g, pair arcs cost c·dist + θ per unit, with a free bypass so that
no unprofitable unit moves. Successive shortest paths take the most profitable pairs
first; the optimum is what pairing "highest net benefit first, while it exceeds the
threshold" converges to. The chosen quantities are then routed at the least unit-km
(``optimal``'s flow), lines below the minimum are dropped there, and a line whose net
value does not pay its line cost F is forbidden and the product solved again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from stockshift.core.errors import PlanningError
from stockshift.core.neighbours import Distances
from stockshift.core.planning.greedy import Allocation, Problem
from stockshift.core.planning.optimal import ProductLines, assemble, route
from stockshift.core.types import FloatArray, Int32Array, IntArray

VALUE_SCALE = 1_000_000
"""Integer solver cost per unit of money (a millionth), converted in :func:`_money`."""
NEGLIGIBLE = 1e-3
"""A unit whose chance to sell at the destination is below this is never considered."""
SOLVES = 4
"""Solves per product that forbid the pairs whose line does not pay its cost; lines still
losing after the last are dropped."""
PRIOR_DAYS = 28
"""Days of history the product's chain-wide level counts for against a store's own: a store
with W days of history is weighted W / (W + PRIOR_DAYS)."""
HISTORY_DAYS = 182
"""Days of sales the demand moments come from (at least the forecast window): a store that
buys a case every month or two shows no sale in most 28-day windows, so its rate takes
months to show. Half a year, the Iowa backtests' history (docs/impact.md)."""
MAX_UNITS_PER_ROW = 10_000
"""Bound on the units one store is offered or considered for, per product and plan."""
MAX_REVIEWS = 52
"""Bound on the reviews until a unit sent from above the source's target is ordered back."""


@dataclass(frozen=True, slots=True)
class BenefitSettings:
    """Horizons (days) and economics of SPEC section 9's ``expected-benefit``."""

    warehouse_lead_days: int = 7  # L
    review_days: int = 7  # R
    transfer_lead_days: int = 1  # T
    sale_value: float = 10.0  # V: what one more sale earns
    cost_per_unit_km: float = 0.01  # c
    cost_per_line: float = 2.0  # F
    min_benefit: float = 0.0  # θ: net value a unit must earn beyond its costs


@dataclass(frozen=True, slots=True)
class Demand:
    """Per inventory row: the position, what can be sent, and daily demand's mean/variance."""

    position: IntArray  # on hand + in transit
    on_hand: IntArray
    mean: FloatArray  # units per day
    var: FloatArray  # units² per day
    history_days: int = 28  # days of history the moments come from (H_B)


def demand_history_days(window: int) -> int:
    """Days of sales before the plan the demand moments read: H_B = max(W, HISTORY_DAYS)."""
    return max(window, HISTORY_DAYS)


def daily_moments(history: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and variance (ddof 0) of each row's zero-filled daily sales."""
    if history.shape[1] == 0:
        zeros = np.zeros(history.shape[0])
        return zeros, zeros
    return history.mean(axis=1), history.var(axis=1)


@dataclass(frozen=True, slots=True)
class DemandFit:
    """Demand over a horizon per row: negative binomial where over-dispersed, else Poisson.

    Negative binomial with mean μ and variance σ² > μ: n = μ²/(σ² − μ), p = μ/σ²;
    Poisson otherwise (σ² ≤ μ), with mean μ. μ = 0 is no demand at all.
    """

    mu: FloatArray
    n: FloatArray
    p: FloatArray
    over: npt.NDArray[np.bool_]

    def at_least(self, rows: npt.NDArray[np.intp], x: FloatArray) -> FloatArray:
        """P(D ≥ x) for each pair (row, x) of the parallel arrays (x whole numbers)."""
        from scipy import stats  # imported here: ~1 s that the other policies never need

        x = np.asarray(x, dtype=np.float64)
        mu, over = self.mu[rows], self.over[rows]
        out = np.where(x <= 0, 1.0, 0.0)
        pois = (~over) & (mu > 0) & (x > 0)
        out[pois] = stats.poisson.sf(x[pois] - 1, mu[pois])
        nb = over & (x > 0)
        out[nb] = stats.nbinom.sf(x[nb] - 1, self.n[rows][nb], self.p[rows][nb])
        return out

    def upper(self, eps: float) -> FloatArray:
        """The smallest x with P(D > x) ≤ eps, per row (0 where there is no demand)."""
        from scipy import stats

        out = np.zeros(self.mu.shape)
        pois = (~self.over) & (self.mu > 0)
        out[pois] = stats.poisson.isf(eps, self.mu[pois])
        out[self.over] = stats.nbinom.isf(eps, self.n[self.over], self.p[self.over])
        return np.nan_to_num(out, nan=0.0, posinf=float(MAX_UNITS_PER_ROW))


def demand_fit(mean: FloatArray, var: FloatArray, horizon_days: float | FloatArray) -> DemandFit:
    """The count distribution of demand over ``horizon_days`` (one, or one per row) from
    daily mean and variance.

    Days are taken as independent: μ = m·H, σ² = v·H. This is the one place a spread enters
    the policy, so a better per-series σ (a forecast model's) can be passed in as ``var``.
    """
    mu = np.maximum(np.asarray(mean, dtype=np.float64), 0.0) * horizon_days
    s2 = np.maximum(np.asarray(var, dtype=np.float64), 0.0) * horizon_days
    over = (s2 > mu * (1 + 1e-9)) & (mu > 0)
    n = np.where(over, mu**2 / np.where(over, s2 - mu, 1.0), 1.0)
    p = np.where(over, mu / np.where(over, s2, 1.0), 1.0)
    return DemandFit(mu=mu, n=n, p=p, over=over)


def _money(value: FloatArray) -> IntArray:
    """The one place money becomes the solver's integer costs."""
    out: IntArray = np.rint(np.asarray(value) * VALUE_SCALE).astype(np.int64)
    return out


@dataclass(frozen=True, slots=True)
class Marginals:
    """Per inventory row (CSR): the gain g_k of each unit it could receive and the loss l_k
    of each unit it could send, k = 1, 2, ... — only units that could ever pay."""

    gain: FloatArray
    gain_ptr: IntArray
    loss: FloatArray
    loss_ptr: IntArray

    def gains(self, r: int) -> FloatArray:
        return self.gain[self.gain_ptr[r] : self.gain_ptr[r + 1]]

    def losses(self, r: int) -> FloatArray:
        return self.loss[self.loss_ptr[r] : self.loss_ptr[r + 1]]


def loss_horizon(
    level: FloatArray,
    position: FloatArray,
    target: FloatArray,
    mean: FloatArray,
    settings: BenefitSettings,
) -> FloatArray:
    """h: days until the warehouse gives back a unit sent from ``level`` y of a source at
    ``position`` x: L when y ≤ τ (the source orders it back today), else j·R + L with
    j = ⌈(x − τ)/(m·R)⌉ reviews (at most :data:`MAX_REVIEWS`) for the source's demand to
    take x below τ, when the source without the transfer would have ordered."""
    r, lead = settings.review_days, settings.warehouse_lead_days
    over = np.asarray(position, dtype=np.float64) - target
    per_review = np.maximum(np.asarray(mean, dtype=np.float64) * r, 1e-12)
    reviews = np.minimum(np.ceil(np.maximum(over, 1.0) / per_review), MAX_REVIEWS)
    out: FloatArray = np.where(np.asarray(level) > target, reviews * r, 0.0) + lead
    return out


@dataclass(frozen=True, slots=True)
class SourceDemand:
    """The source side's daily moments per row (m, v) and its target τ."""

    mean: FloatArray
    var: FloatArray
    target: FloatArray


def marginals(
    problem: Problem,
    demand: Demand,
    fit_in: DemandFit,
    source: SourceDemand,
    settings: BenefitSettings,
    eps: float,
) -> Marginals:
    """g_k = P(D_in ≥ x + k) and l_k = P(D_out(h_k) ≥ x − k + 1) for every row, in two scipy
    calls (the loss's distribution fitted per unit, over its :func:`loss_horizon`).

    A row is considered for the units whose gain exceeds ``eps``; it offers at most its on
    hand and at most what the product's stores could take, while the loss is below 1 − eps.
    """
    pos = demand.position.astype(np.float64)
    n_in = np.clip(fit_in.upper(eps) - pos, 0, MAX_UNITS_PER_ROW).astype(np.int64)
    product = np.repeat(np.arange(len(problem.indptr) - 1), np.diff(problem.indptr))
    wanted = np.bincount(product, weights=n_in, minlength=len(problem.indptr) - 1)
    n_out = np.minimum(np.minimum(demand.on_hand, wanted[product]), MAX_UNITS_PER_ROW)
    n_out = n_out.astype(np.int64)
    gain, gain_ptr = _per_unit(n_in, lambda rows, k: fit_in.at_least(rows, pos[rows] + k))

    def loss(rows: npt.NDArray[np.intp], k: FloatArray) -> FloatArray:
        level = pos[rows] - k + 1
        h = loss_horizon(level, pos[rows], source.target[rows], source.mean[rows], settings)
        fit = demand_fit(source.mean[rows], source.var[rows], h)
        raw = fit.at_least(np.arange(len(rows)), level)
        # the running maximum per row (probabilities are below 2, rows ascend)
        out: FloatArray = np.maximum.accumulate(raw + 2.0 * rows) - 2.0 * rows
        return out

    loss_values, loss_ptr = _per_unit(n_out, loss)
    # drop units that can never pay (marginals are monotone, so a prefix stays)
    keep_in = gain > eps
    keep_out = loss_values < 1 - eps
    return Marginals(*_keep(gain, gain_ptr, keep_in), *_keep(loss_values, loss_ptr, keep_out))


def _per_unit(
    counts: IntArray, value: Callable[[npt.NDArray[np.intp], FloatArray], FloatArray]
) -> tuple[FloatArray, IntArray]:
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    rows = np.repeat(np.arange(len(counts)), counts)
    k = (np.arange(int(ptr[-1])) - ptr[rows] + 1).astype(np.float64)
    return value(rows, k), ptr


def _keep(
    values: FloatArray, ptr: IntArray, keep: npt.NDArray[np.bool_]
) -> tuple[FloatArray, IntArray]:
    rows = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    new_ptr = np.zeros(len(ptr), dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=len(ptr) - 1), out=new_ptr[1:])
    return values[keep], new_ptr


def _packs(values: FloatArray, pack: int) -> FloatArray:
    """Sums of consecutive whole packs (a partial last pack is dropped)."""
    whole = len(values) // pack
    out: FloatArray = values[: whole * pack].reshape(whole, pack).sum(axis=1)
    return out


def _choose(
    lo: int,
    store: Int32Array,
    marg: Marginals,
    dist: Distances,
    settings: BenefitSettings,
    *,
    pack: int,
    max_km: float,
    forbidden: frozenset[tuple[int, int]],
    packs: tuple[list[FloatArray], list[FloatArray]],
) -> tuple[IntArray, IntArray]:
    """Units to send and to receive per row of one product: the max-net-benefit flow."""
    n = len(store)
    v = settings.sale_value
    out_packs, in_packs = packs
    src = np.array([i for i in range(n) if len(out_packs[i])], dtype=np.int64)
    dst = np.array([j for j in range(n) if len(in_packs[j])], dtype=np.int64)
    sent = np.zeros(n, dtype=np.int64)
    got = np.zeros(n, dtype=np.int64)
    if len(src) == 0 or len(dst) == 0:
        return sent, got
    km = dist[np.ix_(store[src], store[dst])]
    unit_cost = settings.cost_per_unit_km * km + settings.min_benefit
    ok = (km <= max_km) & (store[src][:, None] != store[dst][None, :])
    ok &= unit_cost < v  # a unit that costs more than a sale earns never pays
    for a, b in forbidden:
        ok &= ~((store[src][:, None] == a) & (store[dst][None, :] == b))
    a_src, a_dst = np.nonzero(ok)
    if len(a_src) == 0:
        return sent, got
    n_src, n_dst = len(src), len(dst)
    s_node, t_node = n_src + n_dst, n_src + n_dst + 1
    src_pack_node = np.concatenate([np.full(len(out_packs[i]), k) for k, i in enumerate(src)])
    src_pack_cost = np.concatenate([out_packs[i] for i in src]) * v
    dst_pack_node = np.concatenate([np.full(len(in_packs[j]), k) for k, j in enumerate(dst)])
    dst_pack_cost = -np.concatenate([in_packs[j] for j in dst]) * v
    total = len(src_pack_node)
    tails = np.concatenate([np.full(total, s_node), a_src, dst_pack_node + n_src, [s_node]]).astype(
        np.int32
    )
    heads = np.concatenate(
        [src_pack_node, a_dst + n_src, np.full(len(dst_pack_node), t_node), [t_node]]
    ).astype(np.int32)
    caps = np.concatenate(
        [np.ones(total), np.full(len(a_src), total), np.ones(len(dst_pack_node)), [total]]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            _money(src_pack_cost),
            _money(unit_cost[a_src, a_dst] * pack),
            _money(dst_pack_cost),
            [0],
        ]
    ).astype(np.int64)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n_src + n_dst + 2, dtype=np.int64)
    supplies[s_node], supplies[t_node] = total, -total
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise PlanningError(
            f"the expected-benefit flow failed with status {status!r}; this is a bug, "
            "please report it"
        )
    flows = solver.flows(np.arange(len(tails), dtype=np.int32))
    sent[src] = (
        np.bincount(src_pack_node, weights=flows[:total], minlength=n_src).astype(np.int64) * pack
    )
    first_dst = total + len(a_src)
    got[dst] = (
        np.bincount(
            dst_pack_node,
            weights=flows[first_dst : first_dst + len(dst_pack_node)],
            minlength=n_dst,
        ).astype(np.int64)
        * pack
    )
    # a store never both sends and receives one product in an optimum; net it out if tied
    both = np.minimum(sent, got)
    return sent - both, got - both


def _line_gains(lo: int, lines: ProductLines, store: Int32Array, marg: Marginals) -> FloatArray:
    """Expected extra units sold per line: its units' gains at the destination minus their
    losses at the source, each store's marginal units handed out in line order."""
    at = {int(s): i for i, s in enumerate(store)}
    used_in = np.zeros(len(store), dtype=np.int64)
    used_out = np.zeros(len(store), dtype=np.int64)
    out = np.zeros(len(lines.quantity))
    for k, (s, d, q) in enumerate(
        zip(lines.source, lines.destination, lines.quantity, strict=True)
    ):
        i, j = at[int(s)], at[int(d)]
        g = marg.gains(lo + j)[used_in[j] : used_in[j] + q].sum()
        loss = marg.losses(lo + i)[used_out[i] : used_out[i] + q].sum()
        used_in[j] += q
        used_out[i] += q
        out[k] = g - loss
    return out


def plan_product(
    problem: Problem, p: int, marg: Marginals, settings: BenefitSettings
) -> ProductLines:
    """One product: choose quantities by net benefit, route them, drop lines that do not pay."""
    lo, hi = int(problem.indptr[p]), int(problem.indptr[p + 1])
    store = problem.store[lo:hi]
    v = settings.sale_value
    pack = int(problem.pack_size)
    max_km = np.inf if problem.max_distance_km is None else float(problem.max_distance_km)
    forbidden: frozenset[tuple[int, int]] = frozenset()
    packs = (
        [_packs(marg.losses(r), pack) for r in range(lo, hi)],
        [_packs(marg.gains(r), pack) for r in range(lo, hi)],
    )
    for solve in range(SOLVES):
        sent, got = _choose(
            lo, store, marg, problem.dist, settings, pack=pack, max_km=max_km,
            forbidden=forbidden, packs=packs,
        )  # fmt: skip
        s_rows, d_rows = np.flatnonzero(sent), np.flatnonzero(got)
        lines = route(
            store[s_rows],
            sent[s_rows],
            store[d_rows],
            got[d_rows],
            problem.dist,
            max_distance_km=max_km if np.isfinite(max_km) else None,
            pack_size=pack,
            min_transfer_units=problem.min_transfer_units,
            forbidden=forbidden,
        )
        gain = _line_gains(lo, lines, store, marg)
        net = (
            v * gain
            - settings.cost_per_unit_km * lines.quantity * lines.distance_km
            - settings.cost_per_line
            - settings.min_benefit * lines.quantity
        )
        losing = net <= 0
        if not losing.any() or solve == SOLVES - 1:
            break
        forbidden = forbidden | {
            (int(s), int(d))
            for s, d in zip(lines.source[losing], lines.destination[losing], strict=True)
        }
    # still losing after the last solve: drop them. The lines left then take their stores'
    # marginal units earlier (gains higher, losses lower), so each still pays.
    keep = ~losing
    kept = ProductLines(
        lines.source[keep], lines.destination[keep], lines.quantity[keep],
        lines.distance_km[keep],
    )  # fmt: skip
    return ProductLines(
        kept.source, kept.destination, kept.quantity, kept.distance_km,
        _line_gains(lo, kept, store, marg),
    )  # fmt: skip


def product_moments(problem: Problem, demand: Demand) -> tuple[FloatArray, FloatArray]:
    """Per row, the average daily mean and variance over the stores of its product (m̄, v̄).

    A few weeks of lumpy history (a case every month or two) say little about one store: a
    store that happened not to buy looks as if it never sells, one that just bought a case
    looks like a big seller. The chain's level for the product is the prior both sides of
    :func:`plan_benefit` lean on.
    """
    rows_per = np.diff(problem.indptr)
    product = np.repeat(np.arange(len(rows_per)), rows_per)
    count = np.maximum(rows_per, 1)
    mean_p = np.bincount(product, weights=demand.mean, minlength=len(rows_per)) / count
    var_p = np.bincount(product, weights=demand.var, minlength=len(rows_per)) / count
    return mean_p[product], var_p[product]


def plan_benefit(problem: Problem, demand: Demand, settings: BenefitSettings) -> Allocation:
    """SPEC section 9's ``expected-benefit`` over every product, lines in product order.

    ``problem`` gives the rows, distances, limits and line rules (its surplus and need give
    each source's target τ, and what is left to order); ``demand`` the positions and daily
    demand moments.
    Every line carries ``expected_gain``, the expected extra units sold it brings.
    """
    mean_p, var_p = product_moments(problem, demand)
    w = demand.history_days / (demand.history_days + PRIOR_DAYS)
    mean_s, var_s = w * demand.mean + (1 - w) * mean_p, w * demand.var + (1 - w) * var_p
    if settings.transfer_lead_days >= settings.warehouse_lead_days:
        fit_in = demand_fit(np.zeros_like(demand.mean), np.zeros_like(demand.var), 0.0)
    else:
        # the destination: its history shrunk towards the product's level, so a store that
        # just bought a case is not taken for a big seller
        fit_in = demand_fit(mean_s, var_s, settings.warehouse_lead_days)
    # the source: never below the product's level, so a store that happened not to buy in
    # the window does not give away stock it will sell; its target from the position
    source = SourceDemand(
        np.maximum(demand.mean, mean_p),
        np.maximum(demand.var, var_p),
        (demand.position - problem.surplus + problem.need).astype(np.float64),
    )
    v = settings.sale_value
    eps = max(NEGLIGIBLE, settings.min_benefit / v if v > 0 else 1.0)
    marg = marginals(problem, demand, fit_in, source, settings, eps)
    parts = [plan_product(problem, p, marg, settings) for p in range(len(problem.indptr) - 1)]
    return assemble(problem, parts)
