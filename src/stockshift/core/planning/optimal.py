"""The ``optimal`` policy of SPEC section 9: per product, a min-cost flow from surplus to need.

Per product the flow first delivers the most packs the arcs allow (arcs are the source →
destination pairs no longer than ``--max-distance-km``), then, among all such flows, the
least unit-km. Successive shortest paths over every allowed arc solve exactly that
(core/planning/transport.py); OR-Tools' ``solve_max_flow_with_min_cost`` on the nearest
arcs, priced exactly (:func:`dense_flow`), remains for products too large for its int64
prices. Lines below ``--min-transfer-units`` are removed and the product is solved again
without their arcs, until none is left; then ``--max-transfers`` keeps lines in product
order and, in the product where the cap falls, the largest lines first. Products are
routed on numba's threads (the kernels release the GIL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from stockshift.core.errors import PlanningError
from stockshift.core.jit import kernel
from stockshift.core.neighbours import Distances
from stockshift.core.planning.greedy import Allocation, Problem
from stockshift.core.planning.transport import NO_ARC, arc_costs, serve_smaller_side
from stockshift.core.types import FloatArray, Int32Array, IntArray

BoolMatrix = npt.NDArray[np.bool_]


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


CANDIDATES = 8
"""Arcs per source and per destination in the first, sparse solve (nearest first)."""


def dense_flow(supply: IntArray, demand: IntArray, cost: IntArray, allowed: BoolMatrix) -> Flow:
    """The exact max-flow-min-cost over every allowed arc of a dense cost matrix, solved sparse.

    The flow is first solved on each source's and each destination's ``CANDIDATES`` cheapest
    allowed arcs, then checked against every arc left out, and solved again with the arcs
    that fail the check until none does:

    - most packs: the nodes reachable from the supplies in the residual graph form a cut; the
      flow is maximal on the full graph iff no left-out arc leaves that cut;
    - least cost for that many packs: with node potentials π (shortest distances in the
      residual graph), the flow is optimal iff no left-out arc has a negative reduced cost
      c_ij + π_i − π_j (LP duality).
    """
    n_src, n_dst = cost.shape
    if n_src == 0 or n_dst == 0 or not allowed.any():
        empty = np.zeros(0, dtype=np.int64)
        return Flow(empty, empty, empty)
    masked = np.where(allowed, cost, np.iinfo(np.int64).max)
    cand = np.zeros(cost.shape, dtype=np.bool_)
    k = min(CANDIDATES, n_dst)
    near = np.argpartition(masked, k - 1, axis=1)[:, :k]
    cand[np.arange(n_src)[:, None], near] = True
    k = min(CANDIDATES, n_src)
    near = np.argpartition(masked, k - 1, axis=0)[:k, :]
    cand[near, np.arange(n_dst)[None, :]] = True
    cand &= allowed
    n_allowed = int(allowed.sum())
    while True:
        a_src, a_dst = np.nonzero(cand)
        a_src, a_dst = a_src.astype(np.int64), a_dst.astype(np.int64)
        a_cost = cost[a_src, a_dst]
        flow = transport_flow(supply, demand, a_src, a_dst, a_cost)
        if int(cand.sum()) == n_allowed:
            return flow
        graph = _residual(supply, demand, a_src, a_dst, a_cost, flow)
        src_in, dst_in = _reachable(n_src, n_dst, graph)
        worse = allowed & ~cand & src_in[:, None] & ~dst_in[None, :]
        if not worse.any():
            pot = _shortest_distances(n_src + n_dst + 2, *graph)
            if pot is None:
                raise PlanningError(
                    "the min-cost flow left a negative cycle; this is a bug, please report it"
                )
            reduced = cost + pot[:n_src, None] - pot[None, n_src : n_src + n_dst]
            worse = allowed & ~cand & (reduced < 0)
            if not worse.any():
                return flow
        cand |= worse


def exact_flow(supply: IntArray, demand: IntArray, cost: IntArray) -> Flow:
    """Max packs at least cost over the arcs whose ``cost`` is not NO_ARC: by successive
    shortest paths (core/planning/transport.py), or :func:`dense_flow` where its prices
    would not fit in int64."""
    fast = serve_smaller_side(supply, demand, cost)
    return dense_flow(supply, demand, cost, cost != NO_ARC) if fast is None else Flow(*fast)


Graph = tuple[IntArray, IntArray, IntArray]


def _residual(
    supply: IntArray,
    demand: IntArray,
    a_src: IntArray,
    a_dst: IntArray,
    a_cost: IntArray,
    flow: Flow,
) -> Graph:
    """The residual graph of a flow as (tails, heads, costs).

    Nodes: sources 0..n_src-1, destinations n_src.., then S (the supplies) and T (the
    demands). Arcs: S → source while it has packs left, source → S where it sends; every
    candidate arc forward, and backward at minus its cost where it carries packs;
    destination → T while it needs packs, T → destination where it receives.
    """
    n_src, n_dst = len(supply), len(demand)
    s_node, t_node = n_src + n_dst, n_src + n_dst + 1
    sent = np.bincount(flow.source, weights=flow.packs, minlength=n_src).astype(np.int64)
    got = np.bincount(flow.destination, weights=flow.packs, minlength=n_dst).astype(np.int64)
    src_nodes = np.arange(n_src, dtype=np.int64)
    dst_nodes = np.arange(n_src, n_src + n_dst, dtype=np.int64)
    zero_s, zero_d = np.zeros(n_src, dtype=np.int64), np.zeros(n_dst, dtype=np.int64)
    used_cost = _arc_cost(flow, a_src, a_dst, a_cost)
    parts = [
        (a_src, a_dst + n_src, a_cost),
        (flow.destination + n_src, flow.source, -used_cost),
        ((zero_s + s_node)[sent < supply], src_nodes[sent < supply], zero_s[sent < supply]),
        (src_nodes[sent > 0], (zero_s + s_node)[sent > 0], zero_s[sent > 0]),
        (dst_nodes[got < demand], (zero_d + t_node)[got < demand], zero_d[got < demand]),
        ((zero_d + t_node)[got > 0], dst_nodes[got > 0], zero_d[got > 0]),
    ]
    tails = np.concatenate([t for t, _, _ in parts]).astype(np.int64)
    heads = np.concatenate([h for _, h, _ in parts]).astype(np.int64)
    costs = np.concatenate([c for _, _, c in parts]).astype(np.int64)
    return tails, heads, costs


def _reachable(n_src: int, n_dst: int, graph: Graph) -> tuple[BoolMatrix, BoolMatrix]:
    """Sources and destinations reachable from S in the residual graph (the min cut's side)."""
    seen = _reach(n_src + n_dst + 2, graph[0], graph[1], n_src + n_dst)
    return seen[:n_src], seen[n_src : n_src + n_dst]


def _arc_cost(flow: Flow, a_src: IntArray, a_dst: IntArray, a_cost: IntArray) -> IntArray:
    width = int(a_dst.max()) + 1 if len(a_dst) else 1
    key = a_src * width + a_dst
    order = np.argsort(key)
    pos = np.searchsorted(key[order], flow.source * width + flow.destination)
    out: IntArray = a_cost[order[pos]]
    return out


@kernel()
def _reach(n, tails, heads, root):  # type: ignore[no-untyped-def]
    """Breadth-first search over arcs given as (tails, heads); returns the nodes reached."""
    order = np.argsort(tails, kind="mergesort")
    start = np.zeros(n + 1, dtype=np.int64)
    for e in range(tails.shape[0]):
        start[tails[e] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    seen = np.zeros(n, dtype=np.bool_)
    queue = np.empty(n, dtype=np.int64)
    seen[root] = True
    queue[0] = root
    head, tail = 0, 1
    while head < tail:
        u = queue[head]
        head += 1
        for k in range(start[u], start[u + 1]):
            v = heads[order[k]]
            if not seen[v]:
                seen[v] = True
                queue[tail] = v
                tail += 1
    return seen


@kernel()
def _bellman_ford(n, tails, heads, costs):  # type: ignore[no-untyped-def]
    """Queue-based Bellman-Ford from a virtual root joined to every node at cost 0."""
    m = tails.shape[0]
    order = np.argsort(tails, kind="mergesort")
    start = np.zeros(n + 1, dtype=np.int64)
    for e in range(m):
        start[tails[e] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    dist = np.zeros(n, dtype=np.int64)
    queue = np.empty(n + 1, dtype=np.int64)
    inq = np.ones(n, dtype=np.bool_)
    for v in range(n):
        queue[v] = v
    head, size = 0, n
    budget = (n + 1) * (m + 1)
    while size > 0:
        u = queue[head]
        head = (head + 1) % (n + 1)
        size -= 1
        inq[u] = False
        for k in range(start[u], start[u + 1]):
            e = order[k]
            v = heads[e]
            nd = dist[u] + costs[e]
            if nd < dist[v]:
                dist[v] = nd
                budget -= 1
                if budget < 0:
                    return dist, False
                if not inq[v]:
                    inq[v] = True
                    queue[(head + size) % (n + 1)] = v
                    size += 1
    return dist, True


def _shortest_distances(
    n: int, tails: IntArray, heads: IntArray, costs: IntArray
) -> IntArray | None:
    """Node potentials: shortest distances from a root joined to every node (None: a
    negative cycle, which an optimal flow cannot have)."""
    dist, ok = _bellman_ford(n, tails, heads, costs)
    return dist if ok else None


@dataclass(frozen=True, slots=True)
class ProductLines:
    """One product's transfer lines, in plan order."""

    source: Int32Array  # store
    destination: Int32Array  # store
    quantity: IntArray
    distance_km: FloatArray
    expected_gain: FloatArray | None = None  # expected-benefit: extra units sold per line


def route(
    src_store: Int32Array,
    src_units: IntArray,
    dst_store: Int32Array,
    dst_units: IntArray,
    dist: Distances,
    *,
    max_distance_km: float | None,
    pack_size: int,
    min_transfer_units: int,
    forbidden: frozenset[tuple[int, int]] = frozenset(),
) -> ProductLines:
    """One product's lines: max packs at least unit-km, without lines below the minimum.

    ``forbidden`` (source store, destination store) pairs get no arc. Lines come out largest
    first (ties: shorter, then destination, then source store).
    """
    pack = int(pack_size)
    supply = src_units // pack
    demand = dst_units // pack
    s_ok, d_ok = np.flatnonzero(supply > 0), np.flatnonzero(demand > 0)
    src_store, supply = src_store[s_ok], supply[s_ok]
    dst_store, demand = dst_store[d_ok], demand[d_ok]
    by_destination = int(demand.sum()) <= int(supply.sum())  # the side served in turn
    cost = arc_costs(dist, src_store, dst_store, max_distance_km, by_destination=by_destination)
    if forbidden:
        at_src = {int(v): i for i, v in enumerate(src_store)}
        at_dst = {int(v): j for j, v in enumerate(dst_store)}
        for a, b in forbidden:
            if a in at_src and b in at_dst:
                cost[at_src[a], at_dst[b]] = NO_ARC
    while True:
        flow = exact_flow(supply, demand, cost)
        quantity = flow.packs * pack
        small = quantity < min_transfer_units
        if not small.any():
            break
        cost[flow.source[small], flow.destination[small]] = NO_ARC
    s, d = src_store[flow.source], dst_store[flow.destination]
    km = np.asarray(dist[s, d], dtype=np.float64)
    order = np.lexsort((s, d, km, -quantity))
    return ProductLines(s[order], d[order], quantity[order], km[order])


def plan(problem: Problem) -> Allocation:
    """SPEC section 9's ``optimal`` policy over every product, lines in product order.

    Products are independent until the cap, so they are routed on numba's thread count
    (the flow kernel releases the GIL); :func:`assemble` then applies the cap in product
    order, exactly as one product after another would.
    """
    n_products = len(problem.indptr) - 1
    workers = max(1, min(numba.get_num_threads(), n_products))
    if workers == 1:
        parts = [_route_product(problem, p) for p in range(n_products)]
    else:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda p: _route_product(problem, p), range(n_products)))
    return assemble(problem, parts)


def _route_product(problem: Problem, p: int) -> ProductLines:
    lo, hi = int(problem.indptr[p]), int(problem.indptr[p + 1])
    store = problem.store[lo:hi]
    sur, need = problem.surplus[lo:hi], problem.need[lo:hi]
    src, dst = np.flatnonzero(sur > 0), np.flatnonzero(need > 0)
    return route(
        store[src],
        sur[src],
        store[dst],
        need[dst],
        problem.dist,
        max_distance_km=problem.max_distance_km,
        pack_size=problem.pack_size,
        min_transfer_units=problem.min_transfer_units,
    )


def assemble(problem: Problem, parts: list[ProductLines]) -> Allocation:
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
    gains = [x.expected_gain for x in parts]
    with_gain = bool(parts) and all(g is not None for g in gains)
    gain = np.concatenate([g for g in gains if g is not None]) if with_gain else None
    product = np.repeat(np.arange(len(parts), dtype=np.int32), counts)
    rows = len(problem.store)
    cap_reached = False
    capped = np.zeros(rows, dtype=np.bool_)
    cap = problem.max_transfers
    if cap is not None and problem.lines_before + len(qty) >= cap:
        # what the cap leaves short: every row of the products after the one where it
        # falls, and in that product the destinations that lost a line to it
        cap_reached = True
        if cap == 0:
            capped[:] = True
        else:
            cap -= problem.lines_before  # lines left to these products
            p_cap = int(product[min(cap, len(qty) - 1)])
            lo, hi = int(problem.indptr[p_cap]), int(problem.indptr[p_cap + 1])
            capped[hi:] = True
            cut_dst = dst[cap:][product[cap:] == p_cap]
            capped[lo:hi] = np.isin(problem.store[lo:hi], cut_dst)
        product, src, dst, qty, km = product[:cap], src[:cap], dst[:cap], qty[:cap], km[:cap]
        gain = None if gain is None else gain[:cap]
    received = per_row(problem, product, dst, qty)
    sent = per_row(problem, product, src, qty)
    # a policy that may send below target (expected-benefit) leaves that store short too
    need_left = np.maximum(problem.need - received, 0) + np.maximum(sent - problem.surplus, 0)
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
        expected_gain=gain,
    )


def per_row(
    problem: Problem, product: Int32Array, store: Int32Array, qty: IntArray
) -> npt.NDArray[np.int64]:
    """Units per inventory row of lines at ``store``, by (product, store) lookup in the rows."""
    n = max(int(problem.cluster.shape[0]), 1)
    row_key = np.repeat(
        np.arange(len(problem.indptr) - 1, dtype=np.int64), np.diff(problem.indptr)
    ) * n + problem.store.astype(np.int64)
    rows = np.searchsorted(row_key, product.astype(np.int64) * n + store)
    out: npt.NDArray[np.int64] = np.bincount(rows, weights=qty, minlength=len(row_key)).astype(
        np.int64
    )
    return out
