"""Great-circle geometry (SPEC section 2)."""

from __future__ import annotations

import numpy as np

from stockshift.core.types import FloatArray, Int32Array

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the R of the Haversine formula in SPEC section 2."""


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Haversine distance in km between points given in degrees (arrays broadcast).

    d = 2R·asin(√(sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2))), φ latitude, λ longitude.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    out: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def distance_matrix(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Symmetric store-to-store Haversine matrix in km, computed once, vectorised.

    The upper triangle is mirrored so that d[i, j] == d[j, i] bit for bit.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    iu = np.triu_indices(len(lat), k=1)
    d.T[iu] = d[iu]
    np.fill_diagonal(d, 0.0)
    return d


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
