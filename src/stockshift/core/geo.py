"""Great-circle geometry (SPEC section 2)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from stockshift.core.jit import kernel
from stockshift.core.types import FloatArray, Int32Array, IntArray

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the R of the Haversine formula in SPEC section 2."""


class Sphere(NamedTuple):
    """Stores' positions as the Haversine reads them: latitude φ and longitude λ in radians
    and cos φ, computed once per store (a point's cos φ is the same whichever pair it is in)."""

    phi: FloatArray
    lmb: FloatArray
    cos_phi: FloatArray


@kernel(nogil=True)
def _radians(degrees: float) -> float:
    return degrees * (math.pi / 180.0)


@kernel(nogil=True)
def arc_km(phi1: float, lmb1: float, cos1: float, phi2: float, lmb2: float, cos2: float) -> float:
    """The one Haversine every planning distance comes from (SPEC section 2), in km:
    d = 2R·asin(√(sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2))).

    Compiled once and called, never re-derived, by the dense matrix, the distances on
    demand and the greedy kernel's walk past a shortened list, so that all of them are bit
    for bit equal (numpy's sin and numba's may differ in the last bit)."""
    s_phi = math.sin((phi2 - phi1) / 2.0)
    s_lmb = math.sin((lmb2 - lmb1) / 2.0)
    a = s_phi * s_phi + cos1 * cos2 * (s_lmb * s_lmb)
    a = min(max(a, 0.0), 1.0)
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@kernel(nogil=True)
def _sphere(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    phi, lmb, cos_phi = np.empty(lat.size), np.empty(lat.size), np.empty(lat.size)
    for i in range(lat.size):
        phi[i] = _radians(lat[i])
        lmb[i] = _radians(lon[i])
        cos_phi[i] = math.cos(phi[i])
    return phi, lmb, cos_phi


def sphere(lat: FloatArray, lon: FloatArray) -> Sphere:
    """Per store φ, λ (radians) and cos φ for :func:`store_km`."""
    lat = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    lon = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    return Sphere(*_sphere(lat, lon))


@kernel(nogil=True)
def store_km(phi: FloatArray, lmb: FloatArray, cos_phi: FloatArray, a: int, b: int) -> float:
    """Distance between stores ``a`` and ``b``, the lower index first (so d(a, b) is d(b, a)
    bit for bit) and 0 from a store to itself: the dense matrix's entry."""
    lo, hi = min(np.int64(a), np.int64(b)), max(np.int64(a), np.int64(b))
    if lo == hi:
        return 0.0
    return arc_km(phi[lo], lmb[lo], cos_phi[lo], phi[hi], lmb[hi], cos_phi[hi])


@kernel(nogil=True)
def _pairs_km(
    phi: FloatArray, lmb: FloatArray, cos_phi: FloatArray, a: IntArray, b: IntArray
) -> FloatArray:
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = store_km(phi, lmb, cos_phi, a[i], b[i])
    return out


def pairs_km(where: Sphere, a: IntArray, b: IntArray) -> FloatArray:
    """:func:`store_km` of each pair ``(a[i], b[i])``."""
    a = np.ascontiguousarray(a, dtype=np.int64).ravel()
    b = np.ascontiguousarray(b, dtype=np.int64).ravel()
    out: FloatArray = _pairs_km(*where, a, b)
    return out


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Haversine distance in km between points given in degrees (arrays broadcast), by
    :func:`arc_km`."""
    shape = np.broadcast_shapes(np.shape(lat1), np.shape(lon1), np.shape(lat2), np.shape(lon2))
    n = int(np.prod(shape))
    first = sphere(np.broadcast_to(lat1, shape).ravel(), np.broadcast_to(lon1, shape).ravel())
    second = sphere(np.broadcast_to(lat2, shape).ravel(), np.broadcast_to(lon2, shape).ravel())
    out: FloatArray = _arcs_km(first, second, n).reshape(shape)
    return out


@kernel(nogil=True)
def _arcs_km(first: Sphere, second: Sphere, n: int) -> FloatArray:
    out = np.empty(n)
    for i in range(n):
        out[i] = arc_km(
            first.phi[i], first.lmb[i], first.cos_phi[i],
            second.phi[i], second.lmb[i], second.cos_phi[i],
        )  # fmt: skip
    return out


@kernel(parallel=True)
def _matrix(phi: FloatArray, lmb: FloatArray, cos_phi: FloatArray) -> FloatArray:
    n = phi.size
    d = np.zeros((n, n))
    for i in numba.prange(n):
        for j in range(i + 1, n):
            d[i, j] = store_km(phi, lmb, cos_phi, i, j)
    for i in range(n):
        for j in range(i + 1, n):
            d[j, i] = d[i, j]
    return d


def distance_matrix(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Symmetric store-to-store Haversine matrix in km (:func:`store_km` for each pair):
    d[i, j] == d[j, i] bit for bit, 0 on the diagonal."""
    out: FloatArray = _matrix(*sphere(lat, lon))
    return out


def neighbour_order(dist: FloatArray) -> Int32Array:
    """Row i lists every store by ascending distance from store i, ties by ascending index.

    Store indices follow ascending ``store_id``, so this is SPEC section 4's "nearest first,
    ties: ascending store_id". A stable sort keeps the index order among equal distances.
    """
    order: Int32Array = np.argsort(dist, axis=1, kind="stable").astype(np.int32)
    return order


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Positions as 3-D unit vectors, so Euclidean distance is right at the poles and at ±180°."""
    phi, lmb = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)])


def to_lat_lon(xyz: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude of the direction of each (not necessarily unit) 3-D vector."""
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    lon = np.degrees(np.arctan2(y, x))
    return lat, lon
