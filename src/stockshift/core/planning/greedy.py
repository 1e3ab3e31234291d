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
def _draw(  # type: ignore[no-untyped-def]
    d,
    need,
    cross,
    codes,
    dist,
    order,
    maxd,
    pack,
    minu,
    thr,
    sur_left,
    cl_sur,
    total_sur,
    lines,
    cap,
    pos,
    o_from,
    o_to,
    o_q,
    o_d,
    o_x,
):
    """Draw for deficit store ``d`` from sources nearest first; returns (need, lines)."""
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
def _allocate_product(  # type: ignore[no-untyped-def]
    lo,
    hi,
    store,
    surplus,
    need,
    codes,
    n_clusters,
    dist,
    order,
    maxd,
    pack,
    minu,
    cap,
    o_from,
    o_to,
    o_q,
    o_d,
    o_x,
    need_left,
    capped,
):
    """Allocate one product (rows lo:hi); writes lines at o_*[lo:], returns their count."""
    n = dist.shape[0]
    thr = max(pack, minu)
    sur_left = np.zeros(n, dtype=np.int64)
    cl_sur = np.zeros(n_clusters, dtype=np.int64)
    total_sur = np.zeros(1, dtype=np.int64)
    m = hi - lo
    n_def = 0
    for i in range(m):
        r = lo + i
        need_left[r] = need[r]
        capped[r] = False
        if surplus[r] > 0:
            sur_left[store[r]] = surplus[r]
            cl_sur[codes[store[r]]] += surplus[r]
            total_sur[0] += surplus[r]
        if need[r] > 0:
            n_def += 1
    if n_def == 0:
        return 0
    # phase 1: descending need, ties ascending store (rows are sorted by store; stable sort)
    deficits = np.empty(n_def, dtype=np.int64)
    keys = np.empty(n_def, dtype=np.int64)
    k = 0
    for i in range(m):
        if need[lo + i] > 0:
            deficits[k] = lo + i
            keys[k] = -need[lo + i]
            k += 1
    ordered = deficits[np.argsort(keys, kind="mergesort")]
    lines = 0
    for r in ordered:
        left, lines = _draw(
            store[r],
            need_left[r],
            False,
            codes,
            dist,
            order,
            maxd,
            pack,
            minu,
            thr,
            sur_left,
            cl_sur,
            total_sur,
            lines,
            cap,
            lo,
            o_from,
            o_to,
            o_q,
            o_d,
            o_x,
        )
        need_left[r] = left
    # phase 2: stores still in need, descending remaining need (ties: store), other clusters
    k = 0
    for i in range(m):
        r = lo + i
        if need_left[r] > 0:
            deficits[k] = r
            keys[k] = -need_left[r]
            k += 1
    second = deficits[:k][np.argsort(keys[:k], kind="mergesort")]
    for r in second:
        left, lines = _draw(
            store[r],
            need_left[r],
            True,
            codes,
            dist,
            order,
            maxd,
            pack,
            minu,
            thr,
            sur_left,
            cl_sur,
            total_sur,
            lines,
            cap,
            lo,
            o_from,
            o_to,
            o_q,
            o_d,
            o_x,
        )
        need_left[r] = left
        capped[r] = lines >= cap
    return lines


@numba.njit(cache=True, parallel=True)
def _allocate_all(  # type: ignore[no-untyped-def]
    indptr,
    store,
    surplus,
    need,
    codes,
    n_clusters,
    dist,
    order,
    maxd,
    pack,
    minu,
    o_from,
    o_to,
    o_q,
    o_d,
    o_x,
    need_left,
    capped,
    counts,
):
    for p in numba.prange(indptr.shape[0] - 1):
        counts[p] = _allocate_product(
            indptr[p],
            indptr[p + 1],
            store,
            surplus,
            need,
            codes,
            n_clusters,
            dist,
            order,
            maxd,
            pack,
            minu,
            NO_CAP,
            o_from,
            o_to,
            o_q,
            o_d,
            o_x,
            need_left,
            capped,
        )


def plan(problem: Problem) -> Allocation:
    """Run SPEC section 4 over every product; lines come out in product, then creation, order."""
    rows = len(problem.store)
    n_products = len(problem.indptr) - 1
    o_from = np.zeros(rows, dtype=np.int32)
    o_to = np.zeros(rows, dtype=np.int32)
    o_q = np.zeros(rows, dtype=np.int64)
    o_d = np.zeros(rows, dtype=np.float64)
    o_x = np.zeros(rows, dtype=np.bool_)
    need_left = np.zeros(rows, dtype=np.int64)
    capped = np.zeros(rows, dtype=np.bool_)
    counts = np.zeros(n_products, dtype=np.int64)
    maxd = np.inf if problem.max_distance_km is None else float(problem.max_distance_km)
    args = (
        problem.store,
        problem.surplus,
        problem.need,
        problem.cluster,
        problem.n_clusters,
        problem.dist,
        problem.order,
        maxd,
        problem.pack_size,
        problem.min_transfer_units,
    )
    if rows:
        _allocate_all(problem.indptr, *args, o_from, o_to, o_q, o_d, o_x, need_left, capped, counts)
    cap_reached = False
    if problem.max_transfers is not None:
        cum = np.cumsum(counts)
        hit = np.flatnonzero(cum >= problem.max_transfers)
        if len(hit):
            cap_reached = True
            p = int(hit[0])
            before = int(cum[p - 1]) if p > 0 else 0
            lo, hi = int(problem.indptr[p]), int(problem.indptr[p + 1])
            counts[p] = _allocate_product(
                lo,
                hi,
                *args,
                problem.max_transfers - before,
                o_from,
                o_to,
                o_q,
                o_d,
                o_x,
                need_left,
                capped,
            )
            rest = slice(hi, rows)
            counts[p + 1 :] = 0
            need_left[rest] = problem.need[rest]
            capped[rest] = problem.need[rest] > 0
    starts = problem.indptr[:-1]
    idx = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    idx += np.arange(int(counts.sum()))
    product = np.repeat(np.arange(n_products, dtype=np.int32), counts)
    return Allocation(
        product=product,
        source=o_from[idx],
        destination=o_to[idx],
        quantity=o_q[idx],
        distance_km=o_d[idx],
        cross=o_x[idx],
        need_left=need_left,
        capped=capped & (need_left > 0),
        cap_reached=cap_reached,
    )
