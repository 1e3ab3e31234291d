"""Sparse neighbour lists (BallTree, no store x store matrix) give the dense path's plans,
with draws past a shortened list searching the product's live sources bucket by bucket."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockshift.core.arrays import build_stores
from stockshift.core.geo import distance_matrix, neighbour_order, unit_vectors
from stockshift.core.neighbours import (
    PairDistances,
    buckets,
    dense_neighbours,
    sparse_neighbours,
)
from stockshift.core.pipeline import store_geometry
from stockshift.core.planning import Problem, greedy, optimal
from stockshift.core.types import Clustering, PlanParameters

# Spots where ties and the 180th meridian happen: several stores share a spot, stores sit
# either side of ±180, near the pole and nearly antipodal, some a hair (1e-9 degree: under
# a millimetre) from a spot, where distances differ in their last bits only; some are
# spread at random.
SPOTS = [
    (0.0, 179.99),
    (0.0, -179.99),
    (0.0, 179.9),
    (0.5, -179.5),
    (89.95, 0.0),
    (89.95, 180.0),
    (-89.95, 0.0),
    (0.0, -0.01),
    (10.0, 10.0),
    (10.0, 10.05),
]
HAIR = st.integers(-3, 3).map(lambda i: i * 1e-9)
POSITION = st.one_of(
    st.sampled_from(SPOTS),
    st.tuples(st.sampled_from(SPOTS), HAIR, HAIR).map(lambda t: (t[0][0] + t[1], t[0][1] + t[2])),
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
)


@st.composite
def chains(draw: Any) -> tuple[Problem, int]:
    n = draw(st.integers(1, 30))
    pos = draw(st.lists(POSITION, min_size=n, max_size=n))
    lat = np.array([p[0] for p in pos], dtype=np.float64)
    lon = np.array([p[1] for p in pos], dtype=np.float64)
    n_clusters = draw(st.integers(1, 4))
    cluster = np.array(
        draw(st.lists(st.integers(0, n_clusters - 1), min_size=n, max_size=n)), dtype=np.int32
    )
    n_products = draw(st.integers(1, 4))
    store, surplus, need, counts = [], [], [], []
    for _ in range(n_products):
        carried = sorted(draw(st.sets(st.integers(0, n - 1), min_size=0, max_size=n)))
        counts.append(len(carried))
        for s in carried:
            kind = draw(st.sampled_from(["surplus", "need", "none"]))
            amount = draw(st.integers(1, 30))
            store.append(s)
            surplus.append(amount if kind == "surplus" else 0)
            need.append(amount if kind == "need" else 0)
    indptr = np.zeros(n_products + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    dist = distance_matrix(lat, lon)
    problem = Problem(
        indptr=indptr,
        store=np.array(store, dtype=np.int32),
        surplus=np.array(surplus, dtype=np.int64),
        need=np.array(need, dtype=np.int64),
        cluster=cluster,
        n_clusters=n_clusters,
        dist=dist,
        order=neighbour_order(dist),
        max_distance_km=draw(st.sampled_from([None, None, 0.0, 10.0, 800.0, 5000.0])),
        max_transfers=draw(st.sampled_from([None, None, 0, 1, 3, 8])),
        pack_size=draw(st.sampled_from([1, 1, 2, 5])),
        min_transfer_units=draw(st.sampled_from([1, 1, 0, 3])),
        lat=lat,
        lon=lon,
    )
    return problem, draw(st.integers(1, 3))


def sparse(problem: Problem, k: int) -> Problem:
    assert problem.lat is not None and problem.lon is not None
    neighbours = sparse_neighbours(
        problem.lat,
        problem.lon,
        problem.cluster,
        problem.n_clusters,
        problem.max_distance_km,
        k=k,
    )
    return replace(
        problem, dist=PairDistances(problem.lat, problem.lon), order=None, neighbours=neighbours
    )


def same_allocation(a: Any, b: Any) -> None:
    for name in (
        "product",
        "source",
        "destination",
        "quantity",
        "distance_km",
        "cross",
        "need_left",
        "capped",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.cap_reached == b.cap_reached


@settings(max_examples=300, deadline=None)
@given(chains())
def test_sparse_lists_are_prefixes_of_the_dense_lists(chain: tuple[Problem, int]) -> None:
    """Every shortened list is the dense list's prefix, same stores and bit-equal km; a list
    not marked truncated is the whole dense list."""
    problem, k = chain
    assert isinstance(problem.dist, np.ndarray) and problem.order is not None
    full = dense_neighbours(problem.dist, problem.order, problem.cluster, problem.max_distance_km)
    short = sparse(problem, k).neighbours
    assert short is not None
    for mine, theirs in ((short.own, full.own), (short.other, full.other)):
        for s in range(len(problem.cluster)):
            a = slice(mine.indptr[s], mine.indptr[s + 1])
            b = slice(theirs.indptr[s], theirs.indptr[s + 1])
            m = a.stop - a.start
            assert m <= b.stop - b.start
            assert np.array_equal(mine.store[a], theirs.store[b][:m])
            assert np.array_equal(mine.km[a], theirs.km[b][:m])
            if not mine.truncated[s]:
                assert m == b.stop - b.start


@settings(max_examples=300, deadline=None)
@given(chains())
def test_greedy_on_sparse_neighbours_equals_the_dense_path(chain: tuple[Problem, int]) -> None:
    problem, k = chain
    same_allocation(greedy.plan(sparse(problem, k)), greedy.plan(problem))


@settings(max_examples=300, deadline=None)
@given(chains(), st.integers(1, 4))
def test_draws_past_their_lists_through_small_buckets_equal_the_dense_path(
    chain: tuple[Problem, int], size: int
) -> None:
    """Buckets of 1 to 4 stores: a draw past its list opens many, nearest bucket first,
    and must still take its sources in the dense list's order."""
    problem, k = chain
    with patch.object(greedy, "buckets", partial(buckets, size=size)):
        same_allocation(greedy.plan(sparse(problem, k)), greedy.plan(problem))


@settings(max_examples=100, deadline=None)
@given(chains(), st.integers(1, 5))
def test_buckets_hold_each_store_once_within_their_radius(
    chain: tuple[Problem, int], size: int
) -> None:
    problem, _ = chain
    assert problem.lat is not None and problem.lon is not None
    xyz = unit_vectors(problem.lat, problem.lon)
    cut = buckets(xyz, problem.cluster, problem.n_clusters, size=size)
    assert len(cut.first) == problem.n_clusters + 1 and cut.first[-1] == len(cut.radius)
    for c in range(problem.n_clusters):
        mine = np.flatnonzero(problem.cluster == c)
        assert np.all((cut.first[c] <= cut.of[mine]) & (cut.of[mine] < cut.first[c + 1]))
    assert np.all(np.bincount(cut.of, minlength=len(cut.radius)) <= size)
    assert np.all(np.bincount(cut.of, minlength=len(cut.radius)) > 0)
    reach = np.sqrt(((xyz - cut.centre[cut.of]) ** 2).sum(axis=1))
    assert np.all(reach <= cut.radius[cut.of])


def test_a_draw_past_a_shortened_list_completes_it() -> None:
    """Store 0 needs 10; its nearest same-cluster store has 1, the next 20 units. With one
    candidate per cluster the list holds only the first: the draw must not stop there."""
    lat = np.array([0.0, 0.0, 0.0])
    lon = np.array([0.0, 0.01, 0.02])
    dist = distance_matrix(lat, lon)
    problem = Problem(
        indptr=np.array([0, 3]),
        store=np.array([0, 1, 2], dtype=np.int32),
        surplus=np.array([0, 1, 20]),
        need=np.array([10, 0, 0]),
        cluster=np.zeros(3, dtype=np.int32),
        n_clusters=1,
        dist=dist,
        order=neighbour_order(dist),
        lat=lat,
        lon=lon,
    )
    shortened = sparse(problem, 1)
    assert shortened.neighbours is not None
    assert shortened.neighbours.own.truncated[0]
    alloc = greedy.plan(shortened)
    assert alloc.source.tolist() == [1, 2] and alloc.quantity.tolist() == [1, 9]
    same_allocation(alloc, greedy.plan(problem))


@settings(max_examples=60, deadline=None)
@given(chains())
def test_optimal_with_distances_on_demand_equals_the_dense_matrix(
    chain: tuple[Problem, int],
) -> None:
    problem, k = chain
    same_allocation(optimal.plan(sparse(problem, k)), optimal.plan(problem))


@settings(max_examples=40, deadline=None)
@given(chains())
def test_build_plan_above_the_dense_limit_plans_the_same(chain: tuple[Problem, int]) -> None:
    """The pipeline's sparse geometry (what a chain above DENSE_MAX_STORES gets) against
    its dense geometry, on the same stores and clusters."""
    problem, _ = chain
    assert problem.lat is not None and problem.lon is not None
    n = len(problem.lat)
    stores = build_stores(np.array([f"S{i:03d}" for i in range(n)]), problem.lat, problem.lon)
    names = tuple(str(c) for c in range(problem.n_clusters))
    clustering = Clustering(
        np.array(names, dtype=object)[problem.cluster], problem.cluster, names, "column"
    )
    params = PlanParameters(max_distance_km=problem.max_distance_km)
    base = replace(problem, order=None, lat=None, lon=None)
    dense = replace(base, **store_geometry(stores, clustering, params))
    above = replace(base, **store_geometry(stores, clustering, params, dense_max_stores=0))
    assert above.neighbours is not None and isinstance(above.dist, PairDistances)
    same_allocation(greedy.plan(above), greedy.plan(dense))


@pytest.mark.parametrize("bucket", [8, 256])
@pytest.mark.parametrize("limit", [None, 40.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_chain_of_crowded_cities_without_a_limit_plans_as_the_dense_path(
    limit: float | None, seed: int, bucket: int
) -> None:
    """600 stores in 5 cities (many at one spot, two cities astride the 180th meridian),
    most carrying nothing to give: draws walk far past their 2 nearest per cluster, through
    buckets of 8 stores or one per cluster."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 179.95], [0.2, -179.9], [41.9, -87.6], [41.8, -87.7], [-33.9, 151.2]])
    city = rng.integers(0, len(centres), 600)
    spread = np.where(rng.random(600) < 0.3, 0.0, rng.normal(0.0, 0.05, 600))
    lat = centres[city, 0] + spread
    lon = (centres[city, 1] + spread + 180.0) % 360.0 - 180.0
    n_products = 6
    store = np.tile(np.arange(600, dtype=np.int32), n_products)
    kind = rng.random(len(store))
    amount = rng.integers(1, 40, len(store))
    surplus = np.where(kind < 0.08, amount, 0)
    need = np.where(kind > 0.55, amount, 0)
    dist = distance_matrix(lat, lon)
    problem = Problem(
        indptr=np.arange(n_products + 1, dtype=np.int64) * 600,
        store=store,
        surplus=surplus,
        need=need,
        cluster=(city % 3).astype(np.int32),
        n_clusters=3,
        dist=dist,
        order=neighbour_order(dist),
        max_distance_km=limit,
        max_transfers=None if seed else 250,
        pack_size=1 + seed,
        lat=lat,
        lon=lon,
    )
    dense = greedy.plan(problem)
    assert len(dense.quantity) > 100
    with patch.object(greedy, "buckets", partial(buckets, size=bucket)):
        same_allocation(greedy.plan(sparse(problem, 2)), dense)
