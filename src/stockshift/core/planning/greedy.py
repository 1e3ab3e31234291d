"""The two-phase greedy planner of SPEC section 4 (the paper's decision engine, eq. 5).

Products are independent except for the global cap, which cuts transfer lines in product
order. So every product is allocated in parallel without a cap (a compiled numba kernel),
then the cap is applied by truncation: the first product whose lines reach the cap is
allocated again with the lines left, and every later product gets no lines at all. Greedy
allocation is sequential, so a truncated run is exactly the run that stops at the cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray, Int32Array, IntArray

NO_CAP = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything the allocation needs, as arrays.

    Inventory rows are grouped by product (``indptr``, CSR) and sorted by store within a
    product; store indices follow ascending ``store_id``.
    """

    indptr: IntArray
    store: Int32Array
    surplus: IntArray
    need: IntArray
    cluster: Int32Array  # per store
    n_clusters: int
    dist: FloatArray  # store x store, km
    order: Int32Array  # row i: stores by ascending distance from i, ties by index
    max_distance_km: float | None = None
    max_transfers: int | None = None
    pack_size: int = 1
    min_transfer_units: int = 1


@dataclass(frozen=True, slots=True)
class Allocation:
    """Transfer lines in the order they were made, and what is left per inventory row."""

    product: Int32Array
    source: Int32Array
    destination: Int32Array
    quantity: IntArray
    distance_km: FloatArray
    cross: npt.NDArray[np.bool_]
    need_left: IntArray  # per inventory row
    capped: npt.NDArray[np.bool_]  # per inventory row: cap reached when its allocation ended
    cap_reached: bool


@numba.njit(cache=True, nogil=True)
def _draw(d, need, cross, geo, rules, sur_left, cl_sur, total_sur, lines, pos, out):  # type: ignore[no-untyped-def]
    """Draw for deficit store ``d`` from sources nearest first; returns (need left, lines).

    ``geo`` = (cluster per store, distance matrix, neighbour order); ``rules`` = (max
    distance, pack size, minimum line, smallest useful line, cap); ``out`` = the line arrays.
    """
    codes, dist, order = geo
    maxd, pack, minu, thr, cap = rules
    o_from, o_to, o_q, o_d, o_x = out
    c = codes[d]
    row = order[d]
    for k in range(row.shape[0]):
        if need < thr or lines >= cap:
            break
        if cross:
            if total_sur[0] - cl_sur[c] < thr:
                break
        elif cl_sur[c] < thr:
            break
        j = row[k]
        if dist[d, j] > maxd:
            break
        if (codes[j] != c) != cross:
            continue
        s = sur_left[j]
        if s < thr:
            continue
        q = min(need, s)
        q -= q % pack
        if q == 0 or q < minu:
            continue
        p = pos + lines
        o_from[p] = j
        o_to[p] = d
        o_q[p] = q
        o_d[p] = dist[d, j]
        o_x[p] = cross
        lines += 1
        sur_left[j] = s - q
        cl_sur[codes[j]] -= q
        total_sur[0] -= q
        need -= q
    return need, lines


@numba.njit(cache=True, nogil=True)
def _allocate_product(lo, hi, store, surplus, need, n_clusters, geo, rules, out, need_left, capped):  # type: ignore[no-untyped-def]
    """Allocate one product (rows lo:hi); writes lines at out[*][lo:], returns their count."""
    codes = geo[0]
    cap = rules[4]
    sur_left = np.zeros(codes.shape[0], dtype=np.int64)
    cl_sur = np.zeros(n_clusters, dtype=np.int64)
    total_sur = np.zeros(1, dtype=np.int64)
    for r in range(lo, hi):
        need_left[r] = need[r]
        capped[r] = False
        if surplus[r] > 0:
            sur_left[store[r]] = surplus[r]
            cl_sur[codes[store[r]]] += surplus[r]
            total_sur[0] += surplus[r]
    lines = 0
    waiting = np.empty(hi - lo, dtype=np.int64)
    keys = np.empty(hi - lo, dtype=np.int64)
    for cross in (False, True):
        # phase 1 (own cluster), then phase 2 (other clusters): the stores still in need, by
        # descending need left; rows are in store order and the sort is stable, so ties go
        # by ascending store_id
        k = 0
        for r in range(lo, hi):
            if need_left[r] > 0:
                waiting[k] = r
                keys[k] = -need_left[r]
                k += 1
        for r in waiting[:k][np.argsort(keys[:k], kind="mergesort")]:
            need_left[r], lines = _draw(
                store[r], need_left[r], cross, geo, rules, sur_left, cl_sur, total_sur,
                lines, lo, out,
            )  # fmt: skip
            if cross:
                capped[r] = lines >= cap
    return lines


@numba.njit(cache=True, parallel=True)
def _allocate_all(  # type: ignore[no-untyped-def]
    indptr, store, surplus, need, n_clusters, geo, rules, out, need_left, capped, counts
):
    for p in numba.prange(indptr.shape[0] - 1):
        counts[p] = _allocate_product(
            indptr[p], indptr[p + 1], store, surplus, need, n_clusters, geo, rules, out,
            need_left, capped,
        )  # fmt: skip


def plan(problem: Problem) -> Allocation:
    """Run SPEC section 4 over every product; lines come out in product, then creation, order."""
    rows = len(problem.store)
    n_products = len(problem.indptr) - 1
    # a product makes at most one line per row it has: each line uses up a source or a need
    out = (
        np.zeros(rows, dtype=np.int32),
        np.zeros(rows, dtype=np.int32),
        np.zeros(rows, dtype=np.int64),
        np.zeros(rows, dtype=np.float64),
        np.zeros(rows, dtype=np.bool_),
    )
    need_left = np.zeros(rows, dtype=np.int64)
    capped = np.zeros(rows, dtype=np.bool_)
    counts = np.zeros(n_products, dtype=np.int64)
    geo = (problem.cluster, problem.dist, problem.order)
    maxd = np.inf if problem.max_distance_km is None else float(problem.max_distance_km)
    pack, minu = int(problem.pack_size), int(problem.min_transfer_units)

    def rules(cap: int) -> tuple[float, int, int, int, int]:
        return (maxd, pack, minu, max(pack, minu), cap)

    data = (problem.store, problem.surplus, problem.need, problem.n_clusters, geo)
    if rows:
        _allocate_all(problem.indptr, *data, rules(NO_CAP), out, need_left, capped, counts)
    cap_reached = False
    if problem.max_transfers is not None:
        cum = np.cumsum(counts)
        hit = np.flatnonzero(cum >= problem.max_transfers)
        if len(hit):
            cap_reached = True
            p = int(hit[0])
            before = int(cum[p - 1]) if p > 0 else 0
            lo, hi = int(problem.indptr[p]), int(problem.indptr[p + 1])
            left = rules(int(problem.max_transfers) - before)
            counts[p] = _allocate_product(lo, hi, *data, left, out, need_left, capped)
            rest = slice(hi, rows)
            counts[p + 1 :] = 0
            need_left[rest] = problem.need[rest]
            capped[rest] = problem.need[rest] > 0
    starts = problem.indptr[:-1]
    idx = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    idx += np.arange(int(counts.sum()))
    return Allocation(
        product=np.repeat(np.arange(n_products, dtype=np.int32), counts),
        source=out[0][idx],
        destination=out[1][idx],
        quantity=out[2][idx],
        distance_km=out[3][idx],
        cross=out[4][idx],
        need_left=need_left,
        capped=capped & (need_left > 0),
        cap_reached=cap_reached,
    )
