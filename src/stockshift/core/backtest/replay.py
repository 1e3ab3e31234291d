"""Replay the sales history under one policy (SPEC section 10), a day at a time.

Every day t of the run: (1) arrivals due on t reach on hand; (2) on review days the policy
plans on the positions (on hand + every pending arrival), its lines are applied in plan
order, each cut to the source's on hand left, and every store then orders
max(target − position, 0) from the warehouse; (3) the day's demand d is served from on hand:
sold = min(on hand, d), lost = d − sold (no backlog).

The state is a handful of arrays over the inventory rows (one per store and product), so a
day is a few vectorised numpy operations. The steps are apart (:func:`open_day`,
:func:`review_at`, :func:`settle`, :func:`close_day`) so that ``--engine dask`` can replay
runs of products on workers and meet between planning and applying a review's lines, where
``--max-transfers`` joins the products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from stockshift.core.backtest.network import Lines, Network, Review
from stockshift.core.backtest.policies import Policy
from stockshift.core.backtest.tally import ObjectArray, Tally, exact_sum, zeros
from stockshift.core.pipeline import compute_targets, sales_days
from stockshift.core.planning.benefit import demand_history_days
from stockshift.core.targets import surplus_and_need
from stockshift.core.types import FloatArray, IntArray, Sales

Progress = Callable[[str, int, int], None]  # (policy, days done, days in the run)


class _Arrivals:
    """Units on their way, by arrival day, in a ring of max(L, T) + 1 days."""

    def __init__(self, rows: int, horizon: int) -> None:
        self.ring = np.zeros((horizon + 1, rows), dtype=np.float64)
        self.pending = np.zeros(rows, dtype=np.float64)  # every unit not yet arrived

    def copy(self) -> _Arrivals:
        out = _Arrivals(0, 0)
        out.ring, out.pending = self.ring.copy(), self.pending.copy()
        return out

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


@dataclass(slots=True)
class Replay:
    """One policy's replay of some products at the start of ``day`` or, between
    :func:`open_day` and :func:`close_day`, during it; and its figures so far."""

    day: int
    on_hand: FloatArray
    arrivals: _Arrivals
    daily: ObjectArray
    reviews: ObjectArray
    start_stock: Fraction

    def copy(self) -> Replay:
        return Replay(
            self.day,
            self.on_hand.copy(),
            self.arrivals.copy(),
            self.daily.copy(),
            self.reviews.copy(),
            self.start_stock,
        )

    def tally(self) -> Tally:
        return Tally(
            self.daily,
            self.reviews,
            self.start_stock,
            exact_sum(self.on_hand),
            exact_sum(self.arrivals.pending),
        )


def start(network: Network) -> Replay:
    """Day 0, with the inventory's on hand and nothing on its way."""
    s = network.settings
    on_hand = network.dataset.inventory.on_hand.astype(np.float64)
    arrivals = _Arrivals(len(on_hand), max(s.transfer_lead_days, s.warehouse_lead_days))
    return Replay(0, on_hand, arrivals, zeros(s.days), zeros(s.days), exact_sum(on_hand))


def is_review(network: Network, day: int) -> bool:
    return day % network.settings.review_days == 0


def _column(network: Network, day: int) -> int:
    """Day ``day`` of the run's column in the sales matrix."""
    sales = network.dataset.sales
    assert sales is not None
    return int((network.start - sales.first_day) // np.timedelta64(1, "D")) + day


def open_day(state: Replay) -> None:
    """(1) The arrivals due today reach on hand."""
    state.on_hand += state.arrivals.due(state.day)


def close_day(network: Network, state: Replay) -> None:
    """(3) Today's demand is served from on hand (no backlog); on to the next day."""
    sales = network.dataset.sales
    assert sales is not None
    t = state.day
    d = sales.units[:, _column(network, t)]
    sold = np.minimum(state.on_hand, d)
    state.on_hand -= sold
    demand, sold_units = exact_sum(d), exact_sum(sold)
    stock = exact_sum(state.on_hand) + exact_sum(state.arrivals.pending)
    state.daily[:, t] = (demand, sold_units, demand - sold_units, stock)
    state.day = t + 1


def review_at(network: Network, state: Replay) -> Review:
    """(2) What the policy sees today, on the positions (on hand + every pending arrival)."""
    sales = network.dataset.sales
    assert sales is not None
    position = state.on_hand + state.arrivals.pending
    at = _column(network, state.day)
    return review_day(network, sales, at, state.day, state.on_hand, position)


def settle(network: Network, state: Replay, review: Review, lines: Lines) -> None:
    """(2) The review's lines applied in plan order, each cut to its source's on hand left
    (a line cut to 0 is dropped); then every store orders max(target − position, 0)."""
    s, inv = network.settings, network.dataset.inventory
    t, on_hand, position = state.day, state.on_hand, review.position.copy()
    n_stores = max(len(network.dataset.stores), 1)
    keys = inv.product.astype(np.int64) * n_stores + inv.store
    line = lines.product.astype(np.int64) * n_stores
    src = np.searchsorted(keys, line + lines.source)
    dst = np.searchsorted(keys, line + lines.destination)
    q = _cut(lines.quantity, src, np.floor(on_hand))
    keep = q > 0
    src, dst, moved = src[keep], dst[keep], q[keep].astype(np.float64)
    np.subtract.at(on_hand, src, moved)
    np.subtract.at(position, src, moved)
    np.add.at(position, dst, moved)
    _deliver(state, s.transfer_lead_days, dst, moved)
    order = np.maximum(review.target - position, 0.0)
    _deliver(state, s.warehouse_lead_days, None, order)
    state.reviews[:, t] = (
        exact_sum(order),
        exact_sum(moved),
        Fraction(len(moved)),
        exact_sum(moved * lines.distance_km[keep]),
    )


def replay(network: Network, name: str, policy: Policy, progress: Progress | None = None) -> Tally:
    """Every day of the run under ``policy``; its exact figures."""
    state = start(network)
    n_days = network.settings.days
    for _ in range(n_days):
        open_day(state)
        if is_review(network, state.day):
            review = review_at(network, state)
            settle(network, state, review, policy(review, network))
        close_day(network, state)
        if progress is not None:
            progress(name, state.day, n_days)
    return state.tally()


def review_day(network: Network, sales: Sales, at: int, day: int, on_hand: FloatArray,
               position: FloatArray) -> Review:  # fmt: skip
    """Targets from days t−W … t−1 of the zero-filled sales (section 10), on the position;
    expected-benefit's history is the longer H_B = max(W, 182) days before t.

    ``at`` is day t's column in the sales matrix. ``--forecast auto`` chooses its model on
    rolling origins, so it reads every day before t, as ``stockshift plan`` reads them all,
    with the learned model ``plan`` would fit on them (:mod:`.learned`). The targets are
    computed once per day and network, whichever policy reviews first.
    """
    params = network.params
    lo = max(at - params.window, 0)
    target = network.targets.get(at)
    if target is None:
        first = 0 if sales_days(params) is None else lo
        seen = replace(
            sales,
            units=sales.units[:, first:at],
            has_sales=np.ones(len(sales.units), dtype=np.bool_),
            first_day=sales.first_day + np.timedelta64(first, "D"),
            last_day=sales.first_day + np.timedelta64(at - 1, "D"),
            total_days=at - first,
        )
        dataset = replace(network.dataset, sales=seen)
        target = compute_targets(dataset, params, network.clustering, network.learned).target
        target.flags.writeable = False  # shared by every policy's review of the day
        network.targets[at] = target
    surplus, need = surplus_and_need(position, target)
    history = sales.units[:, max(at - demand_history_days(params.window), 0) : at]
    return Review(
        day, on_hand.copy(), position.copy(), target, surplus, need, history,
        max_transfers=params.max_transfers,
    )  # fmt: skip


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


def _deliver(state: Replay, lead: int, rows: npt.NDArray[np.intp] | None,
             units: FloatArray) -> None:  # fmt: skip
    """Units arrive ``lead`` days on; with no lead time they are on hand at once."""
    if lead == 0:
        if rows is None:
            state.on_hand += units
        else:
            np.add.at(state.on_hand, rows, units)
    else:
        state.arrivals.schedule(state.day + lead, rows, units)
