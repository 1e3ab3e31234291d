"""Replay the sales history under each policy (SPEC section 10).

Every day t of the run: (1) arrivals due on t reach on hand; (2) on review days the policy
plans on the positions (on hand + every pending arrival), its lines are applied in plan
order, each cut to the source's on hand left, and every store then orders
max(target − position, 0) from the warehouse; (3) the day's demand d is served from on hand:
sold = min(on hand, d), lost = d − sold (no backlog).

The state is a handful of arrays over the inventory rows (one per store and product), so a
day is a few vectorised numpy operations; a policy is a function from a :class:`Review` to
transfer :class:`Lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from stockshift.core.clustering import cluster_stores
from stockshift.core.errors import FIELD, ParameterError
from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.parameters import validate_parameters
from stockshift.core.pipeline import benefit_settings, compute_targets, sales_days
from stockshift.core.planning import Allocation, Problem, greedy, optimal
from stockshift.core.planning.benefit import Demand, daily_moments, plan_benefit
from stockshift.core.targets import surplus_and_need
from stockshift.core.types import (
    Clustering,
    Dataset,
    FloatArray,
    Int32Array,
    IntArray,
    PlanParameters,
    Sales,
)

WAREHOUSE = "warehouse"
POLICY_NAMES = ("warehouse", "greedy", "optimal", "expected-benefit")

Progress = Callable[[str, int, int], None]  # (policy, days done, days in the run)


@dataclass(frozen=True, slots=True)
class BacktestSettings:
    """The replay's own settings (SPEC section 10); planning settings are PlanParameters."""

    start: np.datetime64 | None  # first day of the run; None: the last ``weeks`` of the sales
    weeks: int
    review_days: int = 7
    warehouse_lead_days: int = 7
    transfer_lead_days: int = 1
    policies: tuple[str, ...] = POLICY_NAMES

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def first_day(self, sales_last_day: np.datetime64) -> np.datetime64:
        """``start``, or the first day of the last ``weeks`` weeks of the sales."""
        if self.start is not None:
            return self.start
        return sales_last_day - np.timedelta64(self.days - 1, "D")


@dataclass(frozen=True, slots=True)
class Network:
    """What stays fixed over the run: stores, clusters (computed once, before day 0), distances."""

    dataset: Dataset
    params: PlanParameters
    settings: BacktestSettings
    clustering: Clustering
    dist: FloatArray
    order: Int32Array

    @property
    def start(self) -> np.datetime64:
        """The first day of the run (resolved by :func:`prepare`)."""
        assert self.settings.start is not None
        return self.settings.start


@dataclass(frozen=True, slots=True)
class Review:
    """What a policy sees on a review day, per inventory row.

    ``history`` holds the zero-filled daily sales of days t−W … t−1 (only days on or after
    the first date of the sales file); ``target`` = ⌈r·C + z·σ·√C − 1e-9⌉ on them, and
    ``surplus``/``need`` are SPEC section 3's on the position.
    """

    day: int
    on_hand: FloatArray
    position: FloatArray
    target: FloatArray
    surplus: IntArray
    need: IntArray
    history: FloatArray


@dataclass(frozen=True, slots=True)
class Lines:
    """Transfer lines in plan order: product, source and destination store indices."""

    product: Int32Array
    source: Int32Array
    destination: Int32Array
    quantity: IntArray
    distance_km: FloatArray

    @classmethod
    def empty(cls) -> Lines:
        i32 = np.zeros(0, np.int32)
        return cls(i32, i32, i32, np.zeros(0, np.int64), np.zeros(0, np.float64))

    @classmethod
    def of(cls, alloc: Allocation) -> Lines:
        return cls(
            alloc.product, alloc.source, alloc.destination, alloc.quantity, alloc.distance_km
        )


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
        max_transfers=params.max_transfers,
        pack_size=params.pack_size,
        min_transfer_units=params.min_transfer_units,
    )


def allocator_policy(plan: Callable[[Problem], Allocation]) -> Policy:
    """A policy from a planner with the ``plan(Problem) -> Allocation`` interface."""

    def policy(review: Review, network: Network) -> Lines:
        return Lines.of(plan(allocation_problem(review, network)))

    return policy


def _expected_benefit(review: Review, network: Network) -> Lines:
    """SPEC section 9's expected-benefit on the review: daily demand moments from the same
    window as the targets, horizons from the backtest's R, L and T (in ``network.params``)."""
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


def _no_transfers(review: Review, network: Network) -> Lines:
    return Lines.empty()


def available_policies() -> dict[str, Policy]:
    """Every policy this installation can replay, by name."""
    return {
        WAREHOUSE: _no_transfers,
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


@dataclass(frozen=True, slots=True)
class WeekResult:
    """One week of one policy; stock figures are the week's mean over days."""

    week: int
    start: np.datetime64
    demand: float
    sold: float
    lost: float
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """SPEC section 10's figures for one policy over the whole run.

    ``lost_vs_warehouse_pct`` = 100·(lost − lost of warehouse) / lost of warehouse (None when
    warehouse lost nothing and this policy did). ``start_stock + warehouse_units = sold +
    end_stock + pipeline`` (conservation; transfers only move units).
    """

    policy: str
    demand: float
    sold: float
    lost: float
    fill_rate: float | None
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float
    lost_vs_warehouse_pct: float | None
    start_stock: float
    end_stock: float
    pipeline: float
    weeks: tuple[WeekResult, ...]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    settings: BacktestSettings
    params: PlanParameters
    start: np.datetime64  # first day of the run
    end: np.datetime64  # last day of the run
    stores: int
    products: int
    rows: int
    clusters: int
    policies: tuple[PolicyResult, ...]

    def policy(self, name: str) -> PolicyResult:
        return next(p for p in self.policies if p.policy == name)


def check_settings(
    settings: BacktestSettings,
    *,
    window: int,
    sales_first_day: np.datetime64 | None,
    sales_last_day: np.datetime64 | None,
) -> np.datetime64:
    """Refuse settings the replay cannot honour, naming the flag and what would work;
    returns the first day of the run. Policy names are checked by :func:`resolve_policies`."""
    if settings.weeks < 1:
        raise ParameterError.about("weeks", settings.weeks, "must be at least 1")
    if settings.review_days < 1:
        raise ParameterError.about("review_days", settings.review_days, "must be at least 1")
    for name, value in (
        ("warehouse_lead_days", settings.warehouse_lead_days),
        ("transfer_lead_days", settings.transfer_lead_days),
    ):
        if value < 0:
            raise ParameterError.about(name, value, "must be ≥ 0")
    if sales_first_day is None or sales_last_day is None:
        raise ParameterError(
            f"{FIELD}: a backtest replays the sales history and there is none; give it",
            field="sales",
        )
    first, last = sales_first_day, sales_last_day
    start = settings.first_day(last)
    end = start + np.timedelta64(settings.days - 1, "D")
    if start <= first:
        raise ParameterError(
            f"{FIELD} {start}: the sales begin on {first}, so there is no history to set the "
            f"first targets from; start a forecast window later, e.g. {FIELD} "
            f"{first + np.timedelta64(window, 'D')}",
            field="start",
        )
    if end > last:
        latest = last - np.timedelta64(settings.days - 1, "D")
        raise ParameterError(
            f"{FIELD} {start}: {settings.weeks} week(s) would end on {end} but the sales end "
            f"on {last}; start on or before {latest} or replay fewer weeks",
            field="start",
        )
    return start


def prepare(dataset: Dataset, params: PlanParameters, settings: BacktestSettings) -> Network:
    """Check the settings, cluster the stores once and compute the distances; the network's
    settings carry the resolved first day."""
    validate_parameters(params)
    sales = dataset.sales
    start = check_settings(
        settings,
        window=params.window,
        sales_first_day=None if sales is None else sales.first_day,
        sales_last_day=None if sales is None else sales.last_day,
    )
    assert sales is not None
    if sales.units.shape[1] != sales.total_days:
        raise ParameterError("the backtest needs the whole sales history (load it in full)")
    settings = replace(settings, start=start)
    # one set of horizons: the replay's review and lead times are the policies' too
    params = replace(
        params,
        review_days=settings.review_days,
        warehouse_lead_days=settings.warehouse_lead_days,
        transfer_lead_days=settings.transfer_lead_days,
    )
    clustering = cluster_stores(dataset.stores, params.clusters, seed=params.seed)
    dist = distance_matrix(dataset.stores.lat, dataset.stores.lon)
    return Network(dataset, params, settings, clustering, dist, neighbour_order(dist))


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
        chosen = {WAREHOUSE: _no_transfers, **chosen}
    if policies is not None:
        settings = replace(settings, policies=tuple(chosen))
    network = prepare(dataset, replace(params, target="forecast"), settings)
    settings, start = network.settings, network.start
    raw = {name: _replay(network, name, policy, progress) for name, policy in chosen.items()}
    base = raw[WAREHOUSE].lost
    results = []
    for r in raw.values():
        if base > 0:
            pct: float | None = 100.0 * (r.lost - base) / base
        else:
            pct = 0.0 if r.lost == 0 else None
        results.append(replace(r, lost_vs_warehouse_pct=pct))
    inv = dataset.inventory
    return BacktestResult(
        settings=settings,
        params=network.params,
        start=start,
        end=start + np.timedelta64(settings.days - 1, "D"),
        stores=len(np.unique(inv.store)),
        products=len(np.unique(inv.product)),
        rows=len(inv),
        clusters=network.clustering.k,
        policies=tuple(results),
    )


class _Arrivals:
    """Units on their way, by arrival day, in a ring of max(L, T) + 1 days."""

    def __init__(self, rows: int, horizon: int) -> None:
        self.ring = np.zeros((horizon + 1, rows), dtype=np.float64)
        self.pending = np.zeros(rows, dtype=np.float64)  # every unit not yet arrived

    def due(self, day: int) -> FloatArray:
        slot = self.ring[day % len(self.ring)]
        out: FloatArray = slot.copy()
        slot[:] = 0.0
        self.pending -= out
        return out

    def schedule(self, day: int, rows: npt.NDArray[np.intp] | None, units: FloatArray) -> None:
        """Units arriving on ``day``: to the given rows (repeats add up), or one per row."""
        slot = self.ring[day % len(self.ring)]
        if rows is None:
            slot += units
            self.pending += units
        else:
            np.add.at(slot, rows, units)
            np.add.at(self.pending, rows, units)


def review_day(network: Network, sales: Sales, at: int, day: int, on_hand: FloatArray,
               position: FloatArray) -> Review:  # fmt: skip
    """Targets from days t−W … t−1 of the zero-filled sales (section 10), on the position.

    ``at`` is day t's column in the sales matrix. ``--forecast auto`` chooses its model on
    rolling origins, so it reads every day before t, as ``stockshift plan`` reads them all.
    """
    params = network.params
    lo = max(at - params.window, 0)
    first = 0 if sales_days(params) is None else lo
    seen = replace(
        sales,
        units=sales.units[:, first:at],
        has_sales=np.ones(len(sales.units), dtype=np.bool_),
        first_day=sales.first_day + np.timedelta64(first, "D"),
        last_day=sales.first_day + np.timedelta64(at - 1, "D"),
        total_days=at - first,
    )
    target = compute_targets(
        replace(network.dataset, sales=seen), params, network.clustering
    ).target
    surplus, need = surplus_and_need(position, target)
    history = sales.units[:, lo:at]
    return Review(day, on_hand.copy(), position.copy(), target, surplus, need, history)


def _replay(network: Network, name: str, policy: Policy, progress: Progress | None) -> PolicyResult:
    ds, settings = network.dataset, network.settings
    sales = ds.sales
    assert sales is not None
    inv = ds.inventory
    n_rows, n_days = len(inv), settings.days
    first = int((network.start - sales.first_day) // np.timedelta64(1, "D"))
    lead_t, lead_w, every = (
        settings.transfer_lead_days,
        settings.warehouse_lead_days,
        settings.review_days,
    )
    n_stores = max(len(ds.stores), 1)
    keys = inv.product.astype(np.int64) * n_stores + inv.store
    on_hand = inv.on_hand.astype(np.float64)
    start_stock = float(on_hand.sum())
    arrivals = _Arrivals(n_rows, max(lead_t, lead_w))
    daily = np.zeros((4, n_days))  # demand, sold, lost, stock
    per_review = np.zeros((4, n_days))  # warehouse units, transfer units, lines, unit-km
    for t in range(n_days):
        on_hand += arrivals.due(t)
        if t % every == 0:
            position = on_hand + arrivals.pending
            review = review_day(network, sales, first + t, t, on_hand, position)
            lines = policy(review, network)
            src = np.searchsorted(keys, lines.product.astype(np.int64) * n_stores + lines.source)
            dst = np.searchsorted(
                keys, lines.product.astype(np.int64) * n_stores + lines.destination
            )
            q = _cut(lines.quantity, src, np.floor(on_hand))
            keep = q > 0
            src, dst, moved = src[keep], dst[keep], q[keep].astype(np.float64)
            np.subtract.at(on_hand, src, moved)
            np.subtract.at(position, src, moved)
            np.add.at(position, dst, moved)
            _deliver(arrivals, on_hand, t, lead_t, dst, moved)
            order = np.maximum(review.target - position, 0.0)
            _deliver(arrivals, on_hand, t, lead_w, None, order)
            per_review[:, t] = (
                order.sum(),
                moved.sum(),
                len(moved),
                float((moved * lines.distance_km[keep]).sum()),
            )
        d = sales.units[:, first + t]
        sold = np.minimum(on_hand, d)
        on_hand -= sold
        daily[:, t] = (
            d.sum(),
            sold.sum(),
            d.sum() - sold.sum(),
            on_hand.sum() + arrivals.pending.sum(),
        )
        if progress is not None:
            progress(name, t + 1, n_days)
    weeks = _weeks(settings, network.start, daily, per_review)
    demand, sold_total, lost = (float(daily[i].sum()) for i in range(3))
    return PolicyResult(
        policy=name,
        demand=demand,
        sold=sold_total,
        lost=lost,
        fill_rate=sold_total / demand if demand > 0 else None,
        warehouse_units=float(per_review[0].sum()),
        transfer_units=round(float(per_review[1].sum())),
        transfer_lines=int(per_review[2].sum()),
        unit_km=float(per_review[3].sum()),
        average_stock=float(daily[3].mean()),
        lost_vs_warehouse_pct=None,
        start_stock=start_stock,
        end_stock=float(on_hand.sum()),
        pipeline=float(arrivals.pending.sum()),
        weeks=weeks,
    )


def _cut(quantity: IntArray, src: npt.NDArray[np.intp], available: FloatArray) -> IntArray:
    """Each line cut to its source's on hand left when it is applied, lines in plan order.

    Lines of one source take min(q, what is left) in turn, so line i gets
    clip(available − Σ earlier q of that source, 0, q): a prefix sum per source.
    """
    if len(quantity) == 0:
        return quantity
    order = np.argsort(src, kind="stable")
    s, q = src[order], quantity[order].astype(np.float64)
    cum = np.cumsum(q)
    group_start = np.r_[True, s[1:] != s[:-1]]
    before_group = np.maximum.accumulate(np.where(group_start, cum - q, 0.0))
    earlier = cum - q - before_group
    cut = np.clip(available[s] - earlier, 0.0, q)
    out = np.empty(len(quantity), dtype=np.int64)
    out[order] = cut.astype(np.int64)
    return out


def _deliver(arrivals: _Arrivals, on_hand: FloatArray, day: int, lead: int,
             rows: npt.NDArray[np.intp] | None, units: FloatArray) -> None:  # fmt: skip
    """Units arrive ``lead`` days on; with no lead time they are on hand at once."""
    if lead == 0:
        if rows is None:
            on_hand += units
        else:
            np.add.at(on_hand, rows, units)
    else:
        arrivals.schedule(day + lead, rows, units)


def _weeks(
    settings: BacktestSettings, start: np.datetime64, daily: FloatArray, per_review: FloatArray
) -> tuple[WeekResult, ...]:
    by_week = daily.reshape(4, settings.weeks, 7)
    rev = per_review.reshape(4, settings.weeks, 7).sum(axis=2)
    return tuple(
        WeekResult(
            week=w + 1,
            start=start + np.timedelta64(7 * w, "D"),
            demand=float(by_week[0, w].sum()),
            sold=float(by_week[1, w].sum()),
            lost=float(by_week[2, w].sum()),
            warehouse_units=float(rev[0, w]),
            transfer_units=round(float(rev[1, w])),
            transfer_lines=int(rev[2, w]),
            unit_km=float(rev[3, w]),
            average_stock=float(by_week[3, w].mean()),
        )
        for w in range(settings.weeks)
    )
