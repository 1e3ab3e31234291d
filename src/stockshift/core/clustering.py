"""Geographic store clusters (SPEC section 2): K-Means on 3-D unit vectors, elbow-chosen k."""

from __future__ import annotations

import warnings

import numpy as np

from stockshift.core.errors import ParameterError
from stockshift.core.geo import haversine_km, to_lat_lon, unit_vectors
from stockshift.core.parameters import check_clusters
from stockshift.core.types import Clustering, FloatArray, Int32Array, Stores

MAX_AUTO_K = 10


def _kmeans(xyz: FloatArray, k: int, seed: int) -> tuple[Int32Array, float]:
    # imported here: scikit-learn and kneed (which loads scipy.signal) cost seconds at start-up,
    # and most commands never cluster
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    n_distinct = len(np.unique(np.round(xyz, 12), axis=0))
    k = min(k, n_distinct)
    # One thread: on a few thousand 3-D points, OpenMP start-up costs more than it saves,
    # and it contends with numba's pool.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # ConvergenceWarning on duplicate points is expected
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(xyz)
    return km.labels_.astype(np.int32), float(km.inertia_)


def elbow_curve(xyz: FloatArray, seed: int) -> tuple[list[int], list[float], list[Int32Array]]:
    """WCSS (paper eq. 1) for k = 1..min(10, n)."""
    ks = list(range(1, min(MAX_AUTO_K, len(xyz)) + 1))
    fits = [_kmeans(xyz, k, seed) for k in ks]
    return ks, [w for _, w in fits], [lab for lab, _ in fits]


def choose_k(ks: list[int], wcss: list[float]) -> int:
    """The elbow of the WCSS curve (kneed, convex and decreasing); 1 when there is none."""
    if len(ks) < 3:
        return ks[-1] if len(ks) == 2 and wcss[-1] < wcss[0] else 1
    if max(wcss) - min(wcss) <= 1e-12 * max(max(wcss), 1.0):
        return 1  # every store at the same spot: nothing to split
    from kneed import KneeLocator

    knee = KneeLocator(ks, wcss, curve="convex", direction="decreasing").knee
    return int(knee) if knee is not None else 1


def load_libraries() -> None:
    """Import now what clustering imports on first use (scikit-learn, kneed and, through it,
    matplotlib: half a second), for a caller that has the time to spare now: ``db plan``
    while it reads the database."""
    import kneed  # noqa: F401
    import sklearn.cluster  # noqa: F401
    import threadpoolctl  # noqa: F401


def _canonical(codes: Int32Array) -> Int32Array:
    """Relabel clusters 0..k-1 in order of their first store (ascending store_id)."""
    _, first = np.unique(codes, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty(codes.max() + 1, dtype=np.int32)
    remap[np.unique(codes)[order]] = np.arange(len(order), dtype=np.int32)
    out: Int32Array = remap[codes]
    return out


def cluster_stores(stores: Stores, spec: str = "auto", *, seed: int = 0) -> Clustering:
    """Cluster stores as ``--clusters`` asks: ``auto``, an integer K, or ``column``."""
    n = len(stores)
    if n == 0:
        return Clustering(np.array([], dtype=object), np.array([], np.int32), (), spec)
    if spec == "column":
        if stores.given_cluster is None:
            raise ParameterError(
                "{field} column needs a 'cluster' column in the stores file; "
                "add one or use {field} auto",
                field="clusters",
            )
        names_sorted, col_codes = np.unique(stores.given_cluster.astype(str), return_inverse=True)
        labels = stores.given_cluster.astype(object)
        return Clustering(
            labels, col_codes.astype(np.int32), tuple(str(s) for s in names_sorted), "column"
        )
    xyz = unit_vectors(stores.lat, stores.lon)
    if spec == "auto":
        ks, wcss, fits = elbow_curve(xyz, seed)
        k = choose_k(ks, wcss)
        codes = _canonical(fits[ks.index(k)])
        return _result(codes, "auto", tuple(ks), tuple(wcss), k)
    check_clusters(spec)
    k = int(spec)
    if k > n:
        raise ParameterError.about("clusters", k, f"there are only {n} stores")
    fixed, w = _kmeans(xyz, k, seed)
    return _result(_canonical(fixed), "kmeans", (k,), (w,), k)


def _result(
    codes: Int32Array, method: str, ks: tuple[int, ...], wcss: tuple[float, ...], k: int
) -> Clustering:
    k_found = int(codes.max()) + 1
    names = tuple(str(i) for i in range(k_found))
    labels = np.array(names, dtype=object)[codes]
    return Clustering(labels, codes, names, method, ks, wcss, k)


def centroids(stores: Stores, clustering: Clustering) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per cluster: centroid lat, lon (mean unit vector, paper eq. 2) and radius in km."""
    xyz = unit_vectors(stores.lat, stores.lon)
    k = clustering.k
    sums = np.zeros((k, 3))
    np.add.at(sums, clustering.codes, xyz)
    clat, clon = to_lat_lon(sums)
    dist = haversine_km(stores.lat, stores.lon, clat[clustering.codes], clon[clustering.codes])
    radius = np.zeros(k)
    np.maximum.at(radius, clustering.codes, dist)
    return clat, clon, radius
