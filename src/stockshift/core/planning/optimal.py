"""The ``optimal`` policy of SPEC section 9: per product, a min-cost flow from surplus to need.

Per product the flow first delivers the most packs the arcs allow (arcs are the source →
destination pairs no longer than ``--max-distance-km``), then, among all such flows, the
least unit-km. OR-Tools' ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` solves exactly
that lexicographic problem. Lines below ``--min-transfer-units`` are removed and the product
is solved again without their arcs, until none is left; then ``--max-transfers`` keeps lines
in product order and, in the product where the cap falls, the largest lines first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from stockshift.core.errors import PlanningError
from stockshift.core.planning.greedy import Allocation, Problem
from stockshift.core.types import FloatArray, Int32Array, IntArray

COST_PER_KM = 10_000_000
"""Integer arc cost per km (0.1 mm). Two flows whose rounded costs tie differ by at most
units × 1e-7 km, so unit-km totals are exact to 0.001 below 10,000 units per product."""


def km_to_cost(km: FloatArray) -> IntArray:
    """The one place distances become the solver's integer costs."""
    out: IntArray = np.rint(np.asarray(km) * COST_PER_KM).astype(np.int64)
    return out


@dataclass(frozen=True, slots=True)
class Flow:
    """A solved transport flow: one entry per arc that carries packs."""

    source: IntArray  # index into the sources given
    destination: IntArray  # index into the destinations given
    packs: IntArray


def transport_flow(
    supply: IntArray,
    demand: IntArray,
    arc_source: IntArray,
    arc_destination: IntArray,
    arc_cost: IntArray,
) -> Flow:
    """Most packs from ``supply`` to ``demand`` over the arcs given, then least total cost.

    Arcs are parallel arrays (source index, destination index, integer unit cost); an arc
    carries at most min(supply, demand) of its ends. Raises PlanningError unless OR-Tools
    reports an optimal flow.
    """
    n_src = len(supply)
    if len(arc_source) == 0 or n_src == 0 or len(demand) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Flow(empty, empty, empty)
    solver = min_cost_flow.SimpleMinCostFlow()
    capacity = np.minimum(supply[arc_source], demand[arc_destination])
    solver.add_arcs_with_capacity_and_unit_cost(
        arc_source.astype(np.int32),
        (arc_destination + n_src).astype(np.int32),
        capacity.astype(np.int64),
        arc_cost.astype(np.int64),
    )
    nodes = np.arange(n_src + len(demand), dtype=np.int32)
    solver.set_nodes_supplies(nodes, np.concatenate([supply, -demand]).astype(np.int64))
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise PlanningError(
            f"the min-cost flow solver failed with status {status!r} on a product with "
            f"{n_src} sources and {len(demand)} destinations; this is a bug, please report it"
        )
    flows = solver.flows(np.arange(len(arc_source), dtype=np.int32))
    used = np.flatnonzero(flows > 0)
    return Flow(arc_source[used], arc_destination[used], flows[used].astype(np.int64))


@dataclass(frozen=True, slots=True)
class _Lines:
    source: Int32Array  # store
    destination: Int32Array  # store
    quantity: IntArray
    distance_km: FloatArray


def route(
    src_store: Int32Array,
    src_units: IntArray,
    dst_store: Int32Array,
    dst_units: IntArray,
    dist: FloatArray,
    *,
    max_distance_km: float | None,
    pack_size: int,
    min_transfer_units: int,
) -> _Lines:
    """One product's lines: max packs at least unit-km, without lines below the minimum.

    Lines come out largest first (ties: shorter, then destination, then source store).
    """
    pack = int(pack_size)
    supply = src_units // pack
    demand = dst_units // pack
    s_ok, d_ok = np.flatnonzero(supply > 0), np.flatnonzero(demand > 0)
    src_store, supply = src_store[s_ok], supply[s_ok]
    dst_store, demand = dst_store[d_ok], demand[d_ok]
    sub = dist[np.ix_(src_store, dst_store)]
    allowed = np.ones(sub.shape, dtype=np.bool_)
    if max_distance_km is not None:
        allowed &= sub <= max_distance_km
    while True:
        a_src, a_dst = np.nonzero(allowed)
        a_src, a_dst = a_src.astype(np.int64), a_dst.astype(np.int64)
        flow = transport_flow(supply, demand, a_src, a_dst, km_to_cost(sub[a_src, a_dst]))
        quantity = flow.packs * pack
        small = quantity < min_transfer_units
        if not small.any():
            break
        allowed[flow.source[small], flow.destination[small]] = False
    s, d = src_store[flow.source], dst_store[flow.destination]
    km = sub[flow.source, flow.destination]
    order = np.lexsort((s, d, km, -quantity))
    return _Lines(s[order], d[order], quantity[order], km[order])


def plan(problem: Problem) -> Allocation:
    """SPEC section 9's ``optimal`` policy over every product, lines in product order."""
    n_products = len(problem.indptr) - 1
    parts: list[_Lines] = []
    for p in range(n_products):
        lo, hi = int(problem.indptr[p]), int(problem.indptr[p + 1])
        store = problem.store[lo:hi]
        sur, need = problem.surplus[lo:hi], problem.need[lo:hi]
        src, dst = np.flatnonzero(sur > 0), np.flatnonzero(need > 0)
        parts.append(
            route(
                store[src],
                sur[src],
                store[dst],
                need[dst],
                problem.dist,
                max_distance_km=problem.max_distance_km,
                pack_size=problem.pack_size,
                min_transfer_units=problem.min_transfer_units,
            )
        )
    return assemble(problem, parts)


def assemble(problem: Problem, parts: list[_Lines]) -> Allocation:
    """Concatenate per-product lines, apply the cap, and work out the need left per row."""
    counts = np.array([len(x.quantity) for x in parts], dtype=np.int64)
    if parts:
        src = np.concatenate([x.source for x in parts]).astype(np.int32)
        dst = np.concatenate([x.destination for x in parts]).astype(np.int32)
        qty = np.concatenate([x.quantity for x in parts]).astype(np.int64)
        km = np.concatenate([x.distance_km for x in parts]).astype(np.float64)
    else:
        src = dst = np.zeros(0, dtype=np.int32)
        qty, km = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    product = np.repeat(np.arange(len(parts), dtype=np.int32), counts)
    rows = len(problem.store)
    cap_reached = False
    capped = np.zeros(rows, dtype=np.bool_)
    cap = problem.max_transfers
    if cap is not None and len(qty) >= cap:
        # what the cap leaves short: every row of the products after the one where it
        # falls, and in that product the destinations that lost a line to it
        cap_reached = True
        if cap == 0:
            capped[:] = True
        else:
            p_cap = int(product[min(cap, len(qty) - 1)])
            lo, hi = int(problem.indptr[p_cap]), int(problem.indptr[p_cap + 1])
            capped[hi:] = True
            cut_dst = dst[cap:][product[cap:] == p_cap]
            capped[lo:hi] = np.isin(problem.store[lo:hi], cut_dst)
        product, src, dst, qty, km = product[:cap], src[:cap], dst[:cap], qty[:cap], km[:cap]
    received = _received(problem, product, dst, qty)
    need_left = problem.need - received
    return Allocation(
        product=product,
        source=src,
        destination=dst,
        quantity=qty,
        distance_km=km,
        cross=problem.cluster[src] != problem.cluster[dst],
        need_left=need_left,
        capped=capped & (need_left > 0),
        cap_reached=cap_reached,
    )


def _received(
    problem: Problem, product: Int32Array, dst: Int32Array, qty: IntArray
) -> npt.NDArray[np.int64]:
    """Units each inventory row receives, by (product, store) lookup in the CSR rows."""
    n = max(int(problem.cluster.shape[0]), 1)
    row_key = np.repeat(
        np.arange(len(problem.indptr) - 1, dtype=np.int64), np.diff(problem.indptr)
    ) * n + problem.store.astype(np.int64)
    rows = np.searchsorted(row_key, product.astype(np.int64) * n + dst)
    out: npt.NDArray[np.int64] = np.bincount(rows, weights=qty, minlength=len(row_key)).astype(
        np.int64
    )
    return out
