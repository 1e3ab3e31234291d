"""SPEC section 2: Haversine distances and clustering."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockshift.core.clustering import centroids, choose_k, cluster_stores
from stockshift.core.errors import ParameterError
from stockshift.core.geo import (
    EARTH_RADIUS_KM,
    distance_matrix,
    haversine_km,
    neighbour_order,
    pairs_km,
    sphere,
    store_km,
)
from stockshift.core.neighbours import PairDistances
from stockshift.core.types import Stores


def stores(lat: list[float], lon: list[float], cluster: list[str] | None = None) -> Stores:
    ids = np.array([f"S{i:02d}" for i in range(len(lat))], dtype=object)
    return Stores(
        ids,
        np.array(lat, float),
        np.array(lon, float),
        ids,
        None if cluster is None else np.array(cluster, dtype=object),
    )


def test_known_distances() -> None:
    # a quarter of the equator, and one degree of latitude
    assert haversine_km(np.array(0.0), np.array(0.0), np.array(0.0), np.array(90.0)) == (
        pytest.approx(np.pi / 2 * EARTH_RADIUS_KM)
    )
    one_degree = haversine_km(np.array(0.0), np.array(0.0), np.array(1.0), np.array(0.0))
    assert one_degree == pytest.approx(111.195, abs=1e-3)


def test_matrix_is_symmetric_bit_for_bit_with_zero_diagonal() -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-89, 89, 60), rng.uniform(-180, 180, 60)
    d = distance_matrix(lat, lon)
    assert np.array_equal(d, d.T)
    assert np.all(np.diag(d) == 0.0)


def test_neighbour_order_breaks_ties_by_index() -> None:
    d = distance_matrix(np.zeros(4), np.array([0.0, 0.01, -0.01, 0.0]))
    assert neighbour_order(d)[0].tolist() == [0, 3, 1, 2]


POINTS = st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180)), min_size=1, max_size=12)


@settings(max_examples=50, deadline=None)
@given(POINTS)
def test_every_planning_distance_is_one_haversine_bit_for_bit(points: list[Any]) -> None:
    """The dense matrix, the distances on demand and the kernel's store_km are one compiled
    formula: bit-equal entries, whatever the pair (so sparse and dense plans can agree)."""
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    n = len(lat)
    matrix = distance_matrix(lat, lon)
    a, b = np.divmod(np.arange(n * n), n)
    where = sphere(lat, lon)
    assert np.array_equal(pairs_km(where, a, b), matrix.ravel())
    assert np.array_equal(PairDistances(lat, lon)[np.ix_(np.arange(n), np.arange(n))], matrix)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        assert store_km(*where, i, j) == matrix[i, j]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    off = lo != hi
    pairs = haversine_km(lat[lo], lon[lo], lat[hi], lon[hi])
    assert np.array_equal(pairs[off], matrix.ravel()[off])


@settings(max_examples=50, deadline=None)
@given(st.floats(-89.9, 89.9), st.floats(-180, 180), st.floats(-89.9, 89.9), st.floats(-180, 180))
def test_distance_is_a_metric_on_pairs(a: float, b: float, c: float, e: float) -> None:
    d1 = haversine_km(np.array(a), np.array(b), np.array(c), np.array(e))
    d2 = haversine_km(np.array(c), np.array(e), np.array(a), np.array(b))
    assert d1 == d2
    assert 0.0 <= d1 <= np.pi * EARTH_RADIUS_KM + 1e-6


def test_auto_finds_groups_across_the_antimeridian_and_near_the_pole() -> None:
    rng = np.random.default_rng(1)
    groups = [(0.0, 179.95), (0.0, -179.95), (89.95, 0.0), (89.95, 180.0), (40.0, -90.0)]
    lat, lon = [], []
    for glat, glon in groups:
        lat += list(glat + rng.normal(0, 0.01, 8))
        lon += list(((glon + rng.normal(0, 0.01, 8) + 180) % 360) - 180)
    result = cluster_stores(stores(lat, lon), "auto")
    codes = result.codes
    # stores on either side of ±180° are a few km apart: one cluster; so are both pole groups
    assert len(set(codes[:16])) == 1
    assert len(set(codes[16:32])) == 1
    assert len({codes[0], codes[16], codes[32]}) == 3
    assert result.chosen_k == 3


def test_fixed_k_is_deterministic_and_labels_are_strings() -> None:
    rng = np.random.default_rng(2)
    st_ = stores(list(rng.uniform(30, 45, 40)), list(rng.uniform(-120, -75, 40)))
    a = cluster_stores(st_, "4", seed=0)
    b = cluster_stores(st_, "4", seed=0)
    assert a.labels.tolist() == b.labels.tolist()
    assert set(a.names) == {"0", "1", "2", "3"}
    assert a.labels[0] == "0"  # clusters are numbered in order of their first store


def test_column_and_errors() -> None:
    st_ = stores([1, 2, 3], [1, 2, 3], ["north", "south", "north"])
    result = cluster_stores(st_, "column")
    assert result.labels.tolist() == ["north", "south", "north"]
    with pytest.raises(ParameterError, match="cluster"):
        cluster_stores(stores([1], [1]), "column")
    with pytest.raises(ParameterError, match="only 1 stores"):
        cluster_stores(stores([1], [1]), "3")
    with pytest.raises(ParameterError, match="whole number"):
        cluster_stores(stores([1], [1]), "lots")


def test_small_store_counts_and_same_spot_stores() -> None:
    assert cluster_stores(stores([5.0], [5.0]), "auto").k == 1
    same = cluster_stores(stores([5.0] * 6, [5.0] * 6), "auto")
    assert same.k == 1
    assert choose_k([1, 2], [1.0, 0.0]) == 2


def test_centroid_and_radius() -> None:
    st_ = stores([0.0, 0.0], [179.0, -179.0], ["a", "a"])
    clat, clon, radius = centroids(st_, cluster_stores(st_, "column"))
    assert clat[0] == pytest.approx(0.0, abs=1e-9)
    assert abs(clon[0]) == pytest.approx(180.0)
    assert radius[0] == pytest.approx(111.2, abs=0.1)
