"""The two-phase greedy planner of SPEC section 4 (the paper's decision engine, eq. 5).

Products are independent except for the global cap, which cuts transfer lines in product
order. So every product is allocated in parallel without a cap (a compiled numba kernel),
then the cap is applied by truncation: the first product whose lines reach the cap is
allocated again with the lines left, and every later product gets no lines at all. Greedy
allocation is sequential, so a truncated run is exactly the run that stops at the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np
import numpy.typing as npt

from stockshift.core.geo import Sphere, sphere, unit_vectors
from stockshift.core.jit import kernel
from stockshift.core.neighbours import (
    Buckets,
    Neighbours,
    PairDistances,
    buckets,
    dense_neighbours,
)
from stockshift.core.planning.draws import Lines, Rules, Supply, draw, live_sources
from stockshift.core.types import FloatArray, Int32Array, IntArray

NO_CAP = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything the allocation needs, as arrays.

    Inventory rows are grouped by product (``indptr``, CSR) and sorted by store within a
    product; store indices follow ascending ``store_id``. Greedy walks ``neighbours``; without
    them it reads complete lists off ``dist`` and ``order``. With sparse neighbours, ``dist``
    is a :class:`PairDistances` and ``lat``/``lon`` let a draw go on past a shortened list.

    ``max_transfers`` is the run's cap on lines, all products; when these rows are a slice
    of a run's products (a partition of ``--engine dask``), ``lines_before`` is how many lines
    the run's earlier products made, so the cap falls where it would in one problem.
    """

    indptr: IntArray
    store: Int32Array
    surplus: IntArray
    need: IntArray
    cluster: Int32Array  # per store
    n_clusters: int
    dist: FloatArray | PairDistances  # store x store, km
    order: Int32Array | None  # row i: stores by ascending distance from i, ties by index
    max_distance_km: float | None = None
    max_transfers: int | None = None
    pack_size: int = 1
    min_transfer_units: int = 1
    neighbours: Neighbours | None = None
    lat: FloatArray | None = None
    lon: FloatArray | None = None
    lines_before: int = 0


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
    expected_gain: FloatArray | None = None  # expected-benefit: extra units sold per line


class Geometry(NamedTuple):
    """Where the stores are: cluster per store, each store's candidate sources, nearest
    first, of its own cluster (phase 1) and of the others (phase 2), and the stores'
    positions for the walk past a shortened list (empty when no list is shortened)."""

    cluster: Int32Array  # per store, 0..n_clusters-1
    # the two lists' Candidates fields side by side (numba's parallel loop takes no
    # nested tuples): own cluster, then other clusters
    own_indptr: IntArray
    own_store: Int32Array
    own_km: FloatArray
    own_truncated: npt.NDArray[np.bool_]
    other_indptr: IntArray
    other_store: Int32Array
    other_km: FloatArray
    other_truncated: npt.NDArray[np.bool_]
    phi: FloatArray
    lmb: FloatArray
    cos_phi: FloatArray
    xyz: FloatArray  # n x 3 unit vectors
    # Buckets' fields
    bucket_of: IntArray
    bucket_first: IntArray
    bucket_centre: FloatArray
    bucket_radius: FloatArray

    @classmethod
    def of(cls, problem: Problem, neighbours: Neighbours) -> Geometry:
        shortened = neighbours.own.truncated.any() or neighbours.other.truncated.any()
        if not shortened:  # complete lists: a draw never goes past them
            where = Sphere(np.zeros(0), np.zeros(0), np.zeros(0))
            xyz = np.zeros((0, 3))
            cut = Buckets(
                np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), xyz, np.zeros(0)
            )
        elif problem.lat is None or problem.lon is None:
            raise ValueError("shortened neighbour lists need the stores' lat and lon")
        else:
            where = sphere(problem.lat, problem.lon)
            xyz = np.ascontiguousarray(unit_vectors(problem.lat, problem.lon))
            cut = buckets(xyz, problem.cluster, problem.n_clusters)
        return cls(
            problem.cluster,
            *neighbours.own,
            *neighbours.other,
            *where,
            xyz,
            cut.of,
            cut.first,
            cut.centre,
            cut.radius,
        )


class Rows(NamedTuple):
    """The inventory rows (CSR by product, stores ascending within a product)."""

    store: Int32Array
    surplus: IntArray
    need: IntArray


class Outcome(NamedTuple):
    """Per inventory row: need left after allocation, and whether the cap had been reached
    when its allocation ended (a warehouse order's reason, SPEC section 4, step 5)."""

    need_left: IntArray
    capped: npt.NDArray[np.bool_]


@kernel(nogil=True)
def _allocate_product(lo, hi, rows, n_clusters, geo, rules, lines, outcome):  # type: ignore[no-untyped-def]
    """Allocate one product (inventory rows lo:hi); its lines go to slots lo, lo+1, ...
    Returns how many lines it made."""
    by_store = np.zeros(geo.cluster.shape[0], dtype=np.int64)
    by_cluster = np.zeros(n_clusters, dtype=np.int64)
    total = np.zeros(1, dtype=np.int64)
    for r in range(lo, hi):
        outcome.need_left[r] = rows.need[r]
        outcome.capped[r] = False
        if rows.surplus[r] > 0:
            by_store[rows.store[r]] = rows.surplus[r]
            by_cluster[geo.cluster[rows.store[r]]] += rows.surplus[r]
            total[0] += rows.surplus[r]
    supply = Supply(by_store, by_cluster, total)
    live = live_sources(lo, hi, rows, geo, rules)
    n_lines = 0
    waiting = np.empty(hi - lo, dtype=np.int64)
    keys = np.empty(hi - lo, dtype=np.int64)
    for cross in (False, True):
        # phase 1 (own cluster), then phase 2 (other clusters): the stores still in need, by
        # descending need left; rows are in store order and the sort is stable, so ties go
        # by ascending store_id
        k = 0
        for r in range(lo, hi):
            if outcome.need_left[r] > 0:
                waiting[k] = r
                keys[k] = -outcome.need_left[r]
                k += 1
        for r in waiting[:k][np.argsort(keys[:k], kind="mergesort")]:
            outcome.need_left[r], n_lines = draw(
                rows.store[r], outcome.need_left[r], cross, geo, rules, supply, live, lines, lo,
                n_lines,
            )  # fmt: skip
            if cross:
                outcome.capped[r] = n_lines >= rules.cap
    return n_lines


@kernel(parallel=True)
def _allocate_all(products, indptr, rows, n_clusters, geo, rules, lines, outcome, counts):  # type: ignore[no-untyped-def]
    """``products`` in parallel; ``counts[p]``: lines product p made."""
    for i in numba.prange(products.shape[0]):
        p = products[i]
        counts[p] = _allocate_product(
            indptr[p], indptr[p + 1], rows, n_clusters, geo, rules, lines, outcome
        )


def _neighbours(problem: Problem) -> Neighbours:
    if problem.neighbours is not None:
        return problem.neighbours
    if problem.order is None or isinstance(problem.dist, PairDistances):
        raise ValueError("a Problem needs neighbours, or the dense dist and order")
    return dense_neighbours(problem.dist, problem.order, problem.cluster, problem.max_distance_km)


def _allocate(
    problem: Problem,
    products: IntArray,
    geo: Geometry,
    rules: Rules,
    lines: Lines,
    outcome: Outcome,
    counts: IntArray,
) -> None:
    rows = Rows(problem.store, problem.surplus, problem.need)
    _allocate_all(
        products, problem.indptr, rows, problem.n_clusters, geo, rules, lines, outcome, counts
    )


def plan(problem: Problem) -> Allocation:
    """Run SPEC section 4 over every product; lines come out in product, then creation, order."""
    n_rows = len(problem.store)
    n_products = len(problem.indptr) - 1
    lines = Lines(
        np.zeros(n_rows, dtype=np.int32),
        np.zeros(n_rows, dtype=np.int32),
        np.zeros(n_rows, dtype=np.int64),
        np.zeros(n_rows, dtype=np.float64),
        np.zeros(n_rows, dtype=np.bool_),
    )
    outcome = Outcome(np.zeros(n_rows, dtype=np.int64), np.zeros(n_rows, dtype=np.bool_))
    counts = np.zeros(n_products, dtype=np.int64)
    geo = Geometry.of(problem, _neighbours(problem))
    pack, min_units = int(problem.pack_size), int(problem.min_transfer_units)

    def rules(cap: int) -> Rules:
        limit = np.inf if problem.max_distance_km is None else float(problem.max_distance_km)
        smallest = -(-max(min_units, 1) // pack) * pack
        return Rules(limit, pack, min_units, smallest, cap)

    if n_rows:
        everything = np.arange(n_products, dtype=np.int64)
        _allocate(problem, everything, geo, rules(NO_CAP), lines, outcome, counts)
    cap_reached = False
    if problem.max_transfers is not None:
        made = np.cumsum(counts) + problem.lines_before  # lines of products 0..p
        reached = np.flatnonzero(made >= problem.max_transfers)
        if len(reached):
            # the first product at the cap runs again with only the lines left to it; every
            # later product makes none, and its needs become capped warehouse orders
            cap_reached = True
            p = int(reached[0])
            before = int(made[p - 1]) if p > 0 else problem.lines_before
            hi = int(problem.indptr[p + 1])
            left = rules(int(problem.max_transfers) - before)
            _allocate(problem, np.array([p], dtype=np.int64), geo, left, lines, outcome, counts)
            later = slice(hi, n_rows)
            counts[p + 1 :] = 0
            outcome.need_left[later] = problem.need[later]
            outcome.capped[later] = problem.need[later] > 0
    # product p wrote its counts[p] lines to slots indptr[p], indptr[p] + 1, ...; gather
    # them back to back: line i of the result is slot first_slot[p] + (i - lines before p)
    lines_before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.repeat(problem.indptr[:-1] - lines_before, counts)
    slot += np.arange(int(counts.sum()))
    return Allocation(
        product=np.repeat(np.arange(n_products, dtype=np.int32), counts),
        source=lines.source[slot],
        destination=lines.destination[slot],
        quantity=lines.quantity[slot],
        distance_km=lines.distance_km[slot],
        cross=lines.cross[slot],
        need_left=outcome.need_left,
        capped=outcome.capped & (outcome.need_left > 0),
        cap_reached=cap_reached,
    )
