"""Each store's candidate sources, nearest first, without a store x store matrix (issue 12 part 4).

The greedy planner (SPEC section 4) walks a deficit store's sources nearest first (ties:
ascending ``store_id``, which is ascending index), phase 1 among its own cluster, phase 2
among the others, never past ``--max-distance-km``. It needs two lists per store: its own
cluster's stores and the other clusters' stores, each in that order. With a few thousand
stores the lists come from the dense matrix (:func:`dense_neighbours`); above
:data:`DENSE_MAX_STORES` a BallTree (haversine metric) finds, per store and cluster, only
the nearest :data:`NEAREST_PER_CLUSTER` (:func:`sparse_neighbours`).

A shortened list is a *prefix* of the full one, with exact distances: the tree proposes
candidates, every distance is then computed by :func:`~stockshift.core.geo.store_km` on the
pair, bit for bit the dense matrix's entry, and only candidates the tree's bound proves no
unseen store precedes are kept. A list that may miss stores within the limit is marked
``truncated``; a draw that reaches the end of such a list while it could still take more
goes on inside the greedy kernel among the product's sources that still have units
(core/planning/greedy.py), past the list's last entry. So plans are the dense path's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from stockshift.core.geo import EARTH_RADIUS_KM, Sphere, pairs_km, sphere
from stockshift.core.types import FloatArray, Int32Array, IntArray

DENSE_MAX_STORES = 3000
"""Up to this many stores the lists come from the dense matrix (n² float64 + n² int32)."""
NEAREST_PER_CLUSTER = 32
"""Candidates the tree proposes per store and cluster; a draw that needs more goes on among
the product's sources with units left."""
TREE_SLACK_KM = 1e-3
"""How far the tree's haversine may differ from the planner's Haversine (sklearn's arithmetic
differs in the last bits; at antipodes arcsin amplifies that to ~1e-4 km)."""
CHUNK_ENTRIES = 2_000_000
"""Candidates proposed per tree query batch (bounds the temporaries of long lists)."""
MANY_CLUSTERS = 64
"""Above this many clusters the other-cluster list comes from one tree over every store."""
BUCKET_STORES = 256
"""Stores per bucket (at most) of the greedy kernel's search past a shortened list."""


Entries = tuple[IntArray, IntArray, FloatArray]
"""(store, candidate, km) triples of candidate lists."""


class Candidates(NamedTuple):
    """One list per store (CSR): candidate stores nearest first (ties: index) and their km."""

    indptr: IntArray  # n + 1
    store: Int32Array
    km: FloatArray
    truncated: npt.NDArray[np.bool_]  # per store: stores within the limit may be missing


class Neighbours(NamedTuple):
    """Per store: sources of its own cluster (phase 1) and of the other clusters (phase 2)."""

    own: Candidates
    other: Candidates


def pair_km(lat: FloatArray, lon: FloatArray, a: IntArray, b: IntArray) -> FloatArray:
    """Distance between stores ``a[i]`` and ``b[i]``: the dense matrix's entry, bit for bit."""
    return pairs_km(sphere(lat, lon), a, b)


class PairDistances:
    """The store x store matrix's entries on demand, for the policies that index it with
    ``np.ix_`` (optimal, expected-benefit) when the matrix itself is too big."""

    def __init__(self, lat: FloatArray, lon: FloatArray) -> None:
        self.lat, self.lon = lat, lon
        self.where = sphere(lat, lon)

    def __getitem__(self, key: tuple[npt.NDArray[Any], ...]) -> FloatArray:
        rows, cols = np.broadcast_arrays(*key)
        out = pairs_km(self.where, rows.ravel(), cols.ravel())
        return out.reshape(rows.shape)


class Buckets(NamedTuple):
    """Each cluster's stores cut into compact buckets by halving them along their widest
    axis (unit vectors, so the 180th meridian and the poles split like anywhere else):
    cluster c's buckets are ``first[c]:first[c + 1]``. A store of bucket b is at most
    ``radius[b]`` (chord) from ``centre[b]``, so a whole bucket can be found too far."""

    of: IntArray  # per store
    first: IntArray  # n_clusters + 1
    centre: FloatArray  # per bucket, x y z
    radius: FloatArray  # per bucket


def buckets(
    xyz: FloatArray, cluster: Int32Array, n_clusters: int, size: int = BUCKET_STORES
) -> Buckets:
    """:class:`Buckets` of at most ``size`` stores from their unit vectors ``xyz``."""
    of = np.zeros(len(cluster), dtype=np.int64)
    first = [0]
    centres: list[FloatArray] = []
    radii: list[float] = []
    for c in range(n_clusters):
        stack = [np.flatnonzero(cluster == c)]
        while stack:
            idx = stack.pop()
            points = xyz[idx]
            if len(idx) > size:
                axis = int(np.argmax(points.max(axis=0) - points.min(axis=0)))
                half = np.argpartition(points[:, axis], len(idx) // 2)
                stack += [idx[half[len(idx) // 2 :]], idx[half[: len(idx) // 2]]]
            elif len(idx):
                of[idx] = len(centres)
                centre = points.mean(axis=0)
                reach = float(np.sqrt(((points - centre) ** 2).sum(axis=1)).max())
                centres.append(centre)
                radii.append(reach * (1.0 + 1e-9) + 1e-12)  # rounding: never too small
        first.append(len(centres))
    return Buckets(
        of,
        np.array(first, dtype=np.int64),
        np.array(centres, dtype=np.float64).reshape(-1, 3),
        np.array(radii, dtype=np.float64),
    )


def _pack(
    n: int, row: IntArray, store: IntArray, km: FloatArray, truncated: npt.NDArray[np.bool_]
) -> Candidates:
    """CSR lists from (row, store, km) entries: per row nearest first, ties by index."""
    order = np.lexsort((store, km, row))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return Candidates(
        indptr, store[order].astype(np.int32), km[order].astype(np.float64), truncated
    )


def _short(bound: FloatArray, limit: float) -> npt.NDArray[np.bool_]:
    """A list may miss stores within the limit where its trusted bound is finite and not
    past the limit (an infinite bound: every store was seen)."""
    out: npt.NDArray[np.bool_] = np.isfinite(bound) & (bound <= limit)
    return out


def _cat(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _cat_km(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)


Distances = FloatArray | PairDistances
"""The store x store matrix, or its entries on demand."""


def dense_neighbours(
    dist: FloatArray, order: Int32Array, cluster: Int32Array, max_distance_km: float | None
) -> Neighbours:
    """Complete lists read off the dense matrix and its neighbour order."""
    n = len(cluster)
    limit = np.inf if max_distance_km is None else float(max_distance_km)
    row = np.repeat(np.arange(n, dtype=np.int64), n)
    store = order.ravel().astype(np.int64)
    km = np.take_along_axis(dist, order.astype(np.intp), axis=1).ravel()
    keep = (store != row) & (km <= limit)
    row, store, km = row[keep], store[keep], km[keep]
    same = cluster[row] == cluster[store]
    none = np.zeros(n, dtype=np.bool_)
    return Neighbours(
        _pack(n, row[same], store[same], km[same], none),
        _pack(n, row[~same], store[~same], km[~same], none.copy()),
    )


def _tree_entries(
    lat: FloatArray,
    lon: FloatArray,
    where: Sphere,
    members: IntArray,
    queries: IntArray,
    k: int,
    limit: float,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """For each query store, the nearest ``members`` it can trust, and the bound.

    The tree returns the k nearest by its own arithmetic; every member it did not return
    is at least (k-th tree distance − slack) away, so the members returned nearer than that
    are a prefix of the exact order. The bound is inf when every member was returned.
    Returns (query store, candidate, km) entries within the limit, and the bound per query.
    """
    from sklearn.neighbors import BallTree

    k = min(k, len(members))
    points = np.radians(np.column_stack([lat, lon]))
    tree = BallTree(points[members], metric="haversine")
    parts: list[Entries] = []
    bounds = np.full(len(queries), np.inf)
    step = max(1, CHUNK_ENTRIES // k)  # bounded temporaries, however long the lists grow
    for first in range(0, len(queries), step):
        chunk = queries[first : first + step]
        tree_rad, idx = tree.query(points[chunk], k=k)
        row = np.repeat(chunk, k)
        cand = members[idx].ravel()
        km = pairs_km(where, row, cand)
        if k < len(members):
            bounds[first : first + step] = tree_rad[:, -1] * EARTH_RADIUS_KM - TREE_SLACK_KM
        keep = (cand != row) & (km <= limit)
        keep &= km < np.repeat(bounds[first : first + step], k)
        parts.append((row[keep], cand[keep], km[keep]))
    return (
        _cat([p[0] for p in parts]),
        _cat([p[1] for p in parts]),
        _cat_km([p[2] for p in parts]),
        bounds,
    )


def _lists(
    lat: FloatArray,
    lon: FloatArray,
    cluster: Int32Array,
    n_clusters: int,
    limit: float,
    queries: IntArray,
    k: int,
) -> tuple[Entries, npt.NDArray[np.bool_], Entries, npt.NDArray[np.bool_]]:
    """The ``queries`` stores' own-cluster and other-cluster entries from BallTrees (the
    nearest ``k`` of each cluster, cut to the prefix the trees prove exact) and, per query,
    whether each list may miss stores within the limit."""
    n = len(lat)
    where = sphere(lat, lon)
    at = np.full(n, -1, dtype=np.int64)
    at[queries] = np.arange(len(queries))
    groups = [g for g in (np.flatnonzero(cluster == c) for c in range(n_clusters)) if len(g)]
    own: list[Entries] = []
    own_trunc = np.zeros(len(queries), dtype=np.bool_)
    other: list[Entries] = []
    bound = np.full(len(queries), np.inf)
    for members in groups:
        home = cluster[queries] == cluster[members[0]]
        # phase 1: against the store's own cluster (k + 1: the store itself is found too)
        if home.any():
            row, cand, km, bounds = _tree_entries(
                lat, lon, where, members, queries[home], k + 1, limit
            )
            own.append((row, cand, km))
            own_trunc[home] = _short(bounds, limit)
        if len(groups) <= MANY_CLUSTERS and (~home).any():
            # phase 2: against each other cluster, kept below the least bound of them all
            row, cand, km, bounds = _tree_entries(
                lat, lon, where, members, queries[~home], k, limit
            )
            other.append((row, cand, km))
            bound[~home] = np.minimum(bound[~home], bounds)
    if len(groups) > MANY_CLUSTERS:
        # many clusters: the nearest stores of any cluster, less the store's own cluster's
        everyone = np.arange(n, dtype=np.int64)
        row, cand, km, bound = _tree_entries(lat, lon, where, everyone, queries, k * 4 + 1, limit)
        foreign = cluster[cand] != cluster[row]
        other = [(row[foreign], cand[foreign], km[foreign])]
    o_row, o_cand = _cat([e[0] for e in other]), _cat([e[1] for e in other])
    o_km = _cat_km([e[2] for e in other])
    keep = o_km < bound[at[o_row]]
    own_entries = (
        _cat([e[0] for e in own]),
        _cat([e[1] for e in own]),
        _cat_km([e[2] for e in own]),
    )
    return own_entries, own_trunc, (o_row[keep], o_cand[keep], o_km[keep]), _short(bound, limit)


def sparse_neighbours(
    lat: FloatArray,
    lon: FloatArray,
    cluster: Int32Array,
    n_clusters: int,
    max_distance_km: float | None,
    k: int = NEAREST_PER_CLUSTER,
) -> Neighbours:
    """Lists from a BallTree per cluster: per store, the nearest ``k`` of each cluster
    (within the limit), cut to the prefix the trees prove exact (module docstring)."""
    n = len(lat)
    limit = np.inf if max_distance_km is None else float(max_distance_km)
    everyone = np.arange(n, dtype=np.int64)
    own, own_trunc, other, other_trunc = _lists(lat, lon, cluster, n_clusters, limit, everyone, k)
    return Neighbours(_pack(n, *own, own_trunc), _pack(n, *other, other_trunc))
