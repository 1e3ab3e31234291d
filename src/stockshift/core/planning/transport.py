"""An exact transport flow by successive shortest paths, for the ``optimal`` policy (SPEC §9).

The side with the fewer packs (after dropping stores with no allowed arc) is the *rows*,
the other the *columns*, plus one more column with room for every pack at the price
U = min(rows, columns) · max cost + 1, dearer than any augmenting path, which takes the
packs no real column can. Rows are served one at a time along a shortest augmenting path
(Dijkstra on reduced costs c_rc + π_r − π_c ≥ 0 over the residual graph; columns with
room lead to a sink T). Keeping the potentials so, no flow along the way has a negative
residual cycle, so the result is a least-cost flow serving every row. Any flow with fewer
real packs than the most possible has an augmenting path (cost < U) that would replace an
unserved pack, so the least-cost one carries the most real packs, and among those the
least real cost: the same lexicographic optimum as OR-Tools'
``solve_max_flow_with_min_cost``, on every allowed arc, with the same integer costs.

Why it is fast here: a row's nearest column with room is usually a few steps away, so
Dijkstra stops after a handful of nodes (often none: the row's cheapest arc has room);
there is no solver to build and no left-out arc to price.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from stockshift.core.jit import kernel
from stockshift.core.neighbours import Distances
from stockshift.core.types import Int32Array, IntArray

NO_ARC = -1
"""Cost entry of a pair that gets no arc (costs are otherwise ≥ 0)."""
MAX_UNSERVED = 2**56
"""Largest unserved price used: distances and potentials then stay far inside int64."""
COST_PER_KM = 10_000_000
"""Integer arc cost per km (0.1 mm). Two flows whose rounded costs tie differ by at most
units × 1e-7 km, so unit-km totals are exact to 0.001 below 10,000 units per product."""


def arc_costs(
    dist: Distances,
    src_store: Int32Array,
    dst_store: Int32Array,
    max_distance_km: float | None,
    *,
    by_destination: bool = False,
) -> IntArray:
    """Source × destination integer costs (the one place km become costs), NO_ARC beyond
    ``max_distance_km``. ``by_destination``: laid out destination-major (a transposed view),
    as :func:`serve_smaller_side` reads it when the destinations are its rows; the store
    matrix is symmetric bit for bit (core/geo.py), so the entries are the same."""
    limit = np.inf if max_distance_km is None else float(max_distance_km)
    rows, cols = (dst_store, src_store) if by_destination else (src_store, dst_store)
    if isinstance(dist, np.ndarray):
        out: IntArray = _costs(dist, rows, cols, limit)
    else:
        out = _costs(dist[np.ix_(rows, cols)], np.arange(len(rows)), np.arange(len(cols)), limit)
    return out.T if by_destination else out


@kernel(nogil=True)
def _costs(dist, rows, cols, limit):  # type: ignore[no-untyped-def]
    out = np.empty((len(rows), len(cols)), dtype=np.int64)
    for i in range(len(rows)):
        for j in range(len(cols)):
            km = dist[rows[i], cols[j]]
            out[i, j] = np.int64(np.rint(km * COST_PER_KM)) if km <= limit else NO_ARC
    return out


def serve_smaller_side(
    supply: IntArray, demand: IntArray, cost: IntArray
) -> tuple[IntArray, IntArray, IntArray] | None:
    """Max packs at least cost from ``supply`` (rows of ``cost``) to ``demand`` (columns).

    Returns (source index, destination index, packs) per arc that carries packs, or None
    when the unserved price would not fit in int64 arithmetic (the caller then solves it
    otherwise).
    """
    allowed = cost != NO_ARC
    if allowed.all():
        live_s, live_d, sub = np.arange(len(supply)), np.arange(len(demand)), cost
    else:  # a store with no arc takes no part
        live_s = np.flatnonzero(allowed.any(axis=1))
        live_d = np.flatnonzero(allowed.any(axis=0))
        sub = cost[np.ix_(live_s, live_d)]
    if len(live_s) == 0 or len(live_d) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    unserved = min(sub.shape) * int(sub.max()) + 1  # dearer than any augmenting path
    if unserved > MAX_UNSERVED:
        return None
    s_packs, d_packs = supply[live_s], demand[live_d]
    if int(d_packs.sum()) <= int(s_packs.sum()):
        rows, cols, packs = _serve_rows(np.ascontiguousarray(sub.T), d_packs, s_packs, unserved)
        src, dst = live_s[cols], live_d[rows]
    else:
        rows, cols, packs = _serve_rows(np.ascontiguousarray(sub), s_packs, d_packs, unserved)
        src, dst = live_s[rows], live_d[cols]
    return src.astype(np.int64), dst.astype(np.int64), packs


@kernel(nogil=True)
def _push(keys, vals, size, key, val):  # type: ignore[no-untyped-def]
    """Binary min-heap of (key, val) in two arrays; returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if keys[parent] <= key:
            break
        keys[i], vals[i] = keys[parent], vals[parent]
        i = parent
    keys[i], vals[i] = key, val
    return size + 1


@kernel(nogil=True)
def _pop(keys, vals, size):  # type: ignore[no-untyped-def]
    """Remove the heap's least entry; returns (key, val, new size)."""
    key, val = keys[0], vals[0]
    size -= 1
    last_k, last_v = keys[size], vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= last_k:
            break
        keys[i], vals[i] = keys[child], vals[child]
        i = child
    if size > 0:
        keys[i], vals[i] = last_k, last_v
    return key, val, size


@kernel(nogil=True)
def _serve_rows(cost, need, cap, unserved):  # type: ignore[no-untyped-def]
    """Serve every row's ``need`` from columns of capacity ``cap`` at least total cost,
    where a pack no column can take goes to an extra column at the price ``unserved``.

    ``cost[r, c]`` ≥ 0, or NO_ARC. Returns (row, column, packs) of the real arcs used.
    Nodes: rows 0..nr-1, columns nr..nr+nc-1, the unserved column nr+nc (always room).
    Potentials only ever fall (π += d − D ≤ 0) and a column with packs left keeps π = 0
    (its arc to T has reduced cost π_c ≥ 0), so T is reached exactly when the first column
    with packs left is finished.
    """
    nr, nc = cost.shape
    inf = np.iinfo(np.int64).max // 4
    pot = np.zeros(nr + nc + 1, dtype=np.int64)
    flow = np.zeros((nc, nr), dtype=np.int64)  # flow[c, r]: packs row r takes from column c
    takers = np.empty((nc, min(nr, int(cap.max()))), dtype=np.int64)  # rows with flow from c
    n_takers = np.zeros(nc, dtype=np.int64)
    used = np.zeros(nc, dtype=np.int64)
    n = nr + nc + 1
    state = Search(
        np.full(n, inf, dtype=np.int64),  # dist
        np.zeros(n, dtype=np.bool_),  # done
        np.full(n, -1, dtype=np.int64),  # pred: node the shortest path came from
        np.empty(n, dtype=np.int64),  # seen: nodes given a distance this round
        np.empty(nr * (2 * nc + 1) + n, dtype=np.int64),  # heap keys: at most one push
        np.empty(nr * (2 * nc + 1) + n, dtype=np.int64),  # per arc relaxed and round
    )
    dist, done, pred, seen = state.dist, state.done, state.pred, state.seen
    for r0 in np.argsort(-need, kind="mergesort"):  # largest first: shorter paths later
        left = need[r0]
        while left > 0:
            # the row's cheapest arc (reduced cost), taken at once when its column has room
            first, near = unserved, nc
            for c in range(nc):
                if cost[r0, c] >= 0 and cost[r0, c] - pot[nr + c] < first:
                    first, near = cost[r0, c] - pot[nr + c], c
            if near == nc or used[near] < cap[near]:
                pred[nr + near] = r0
                left -= _augment(flow, takers, n_takers, used, cap, pred, r0, near, left)
                pred[nr + near] = -1
                pot[r0] = -first
                continue
            end, n_seen = _dijkstra(cost, pot, takers, n_takers, used, cap, state, r0, unserved)
            left -= _augment(flow, takers, n_takers, used, cap, pred, r0, end, left)
            far = dist[nr + end]
            for k in range(n_seen):  # π += d − D on the nodes finished before T
                v = seen[k]
                if done[v]:
                    pot[v] += dist[v] - far
                dist[v], done[v], pred[v] = inf, False, -1
    rows, cols = np.nonzero(flow.T > 0)
    packs = np.empty(len(rows), dtype=np.int64)
    for k in range(len(rows)):
        packs[k] = flow[cols[k], rows[k]]
    return rows.astype(np.int64), cols.astype(np.int64), packs


class Search(NamedTuple):
    """Dijkstra's working arrays, kept between rounds (reset only where a round wrote)."""

    dist: IntArray
    done: npt.NDArray[np.bool_]
    pred: IntArray
    seen: IntArray
    heap_k: IntArray
    heap_v: IntArray


@kernel(nogil=True)
def _dijkstra(cost, pot, takers, n_takers, used, cap, state, r0, unserved):  # type: ignore[no-untyped-def]
    """Shortest paths on reduced costs from row ``r0`` until a column with room is finished
    (the unserved column, nc, always has room). Returns it and how many nodes got a distance.
    """
    nr, nc = cost.shape
    dist, done = state.dist, state.done
    n_seen = _reach(state, r0, 0, -1, 0, 0)
    size = 1
    bound = np.iinfo(np.int64).max // 4  # nearest column with room so far: nothing beyond counts
    while True:
        d, u, size = _pop(state.heap_k, state.heap_v, size)
        if done[u] or d > dist[u]:
            continue
        done[u] = True
        if u < nr:
            base = d + pot[u]
            for c in range(nc):
                arc = cost[u, c]
                if arc >= 0 and not done[nr + c]:
                    nd = base + arc - pot[nr + c]
                    if nd < dist[nr + c] and nd <= bound:
                        n_seen = _reach(state, nr + c, nd, u, n_seen, size)
                        size += 1
                        if used[c] < cap[c]:
                            bound = nd
            nd = base + unserved  # the unserved column's potential stays 0
            if nd < dist[nr + nc] and nd <= bound:
                n_seen = _reach(state, nr + nc, nd, u, n_seen, size)
                size += 1
                bound = nd
            continue
        c = u - nr
        if c == nc or used[c] < cap[c]:
            return c, n_seen
        base = d + pot[u]
        for k in range(n_takers[c]):
            r = takers[c, k]
            nd = base - cost[r, c] - pot[r]
            if not done[r] and nd < dist[r] and nd < bound:
                n_seen = _reach(state, r, nd, u, n_seen, size)
                size += 1


@kernel(nogil=True)
def _reach(state, v, d, u, n_seen, size):  # type: ignore[no-untyped-def]
    """Give node ``v`` distance ``d`` via ``u`` and queue it; returns the new seen count."""
    if state.dist[v] == np.iinfo(np.int64).max // 4:
        state.seen[n_seen] = v
        n_seen += 1
    state.dist[v], state.pred[v] = d, u
    _push(state.heap_k, state.heap_v, size, d, v)
    return n_seen


@kernel(nogil=True)
def _augment(flow, takers, n_takers, used, cap, pred, r0, end, left):  # type: ignore[no-untyped-def]
    """Push the bottleneck along end <- r <- c' <- r' <- ... <- r0 (``end``: a column with
    room, or nc, the unserved column, which records no flow); returns the packs pushed."""
    nc, nr = flow.shape
    push = left if end == nc else min(left, cap[end] - used[end])
    r = pred[end + nr]
    while r != r0:
        c = pred[r] - nr
        push = min(push, flow[c, r])
        r = pred[c + nr]
    r = pred[end + nr]
    if end < nc:
        used[end] += push
        _add(flow, takers, n_takers, end, r, push)
    while r != r0:
        c = pred[r] - nr
        _add(flow, takers, n_takers, c, r, -push)
        r = pred[c + nr]
        _add(flow, takers, n_takers, c, r, push)
    return push


@kernel(nogil=True)
def _add(flow, takers, n_takers, c, r, packs):  # type: ignore[no-untyped-def]
    """Change the flow on (r, c), keeping column c's list of rows with flow."""
    before = flow[c, r]
    flow[c, r] = before + packs
    if before == 0:
        takers[c, n_takers[c]] = r
        n_takers[c] += 1
    elif flow[c, r] == 0:
        for k in range(n_takers[c]):
            if takers[c, k] == r:
                n_takers[c] -= 1
                takers[c, k] = takers[c, n_takers[c]]
                break
