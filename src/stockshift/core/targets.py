"""Target stock, surplus and need per (store, product) (SPEC section 3, paper eqs. 3-4)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from stockshift.core.errors import ParameterError
from stockshift.core.forecast.models import make_model
from stockshift.core.types import Clustering, FloatArray, IntArray, Inventory, Sales, Targets

EPS = 1e-9


def surplus_and_need(
    on_hand: IntArray | FloatArray, target: FloatArray
) -> tuple[IntArray, IntArray]:
    """surplus = max(⌊on_hand − target⌋, 0); need = max(⌊target − on_hand⌋, 0)."""
    surplus = np.maximum(np.floor(on_hand - target), 0).astype(np.int64)
    need = np.maximum(np.floor(target - on_hand), 0).astype(np.int64)
    return surplus, need


def cluster_mean_targets(inventory: Inventory, clustering: Clustering) -> Targets:
    """Target = mean on hand of the product's carriers in the same cluster (paper Fig. 2).

    A cluster of one store has nothing to balance against: it is skipped (target = on hand).
    """
    k = max(clustering.k, 1)
    cl = clustering.codes[inventory.store].astype(np.int64)
    key = inventory.product.astype(np.int64) * k + cl
    n_keys = len(inventory.product_ids) * k
    sums = np.bincount(key, weights=inventory.on_hand.astype(np.float64), minlength=n_keys)
    counts = np.bincount(key, minlength=n_keys)
    target = sums[key] / counts[key]
    sizes = np.bincount(clustering.codes, minlength=k)
    single = sizes[cl] == 1
    target = np.where(single, inventory.on_hand.astype(np.float64), target)
    surplus, need = surplus_and_need(inventory.on_hand, target)
    skipped = tuple(clustering.names[i] for i in np.flatnonzero(sizes == 1))
    return Targets(target, surplus, need, skipped_clusters=skipped)


def safety_z(service_level: float | None) -> float:
    """z = Φ⁻¹(service level); 0 (no safety stock) when no level is given."""
    if service_level is None:
        return 0.0
    if not 0.0 < service_level < 1.0:
        raise ParameterError(
            f"--service-level {service_level}: must be strictly between 0 and 1, e.g. 0.95"
        )
    return NormalDist().inv_cdf(service_level)


def forecast_targets(
    inventory: Inventory,
    sales: Sales,
    *,
    method: str,
    window: int,
    cover_days: int,
    service_level: float | None,
) -> Targets:
    """target = ⌈r·C + z·σ·√C − 1e-9⌉ over the last W days of zero-filled sales.

    r: the method's daily rate, C: cover days, σ: standard deviation (ddof 0) of the last W
    days, z: the service level's normal quantile.
    """
    if window < 1:
        raise ParameterError("--window must be at least 1 day")
    if cover_days < 1:
        raise ParameterError("--cover-days must be at least 1 day")
    z = safety_z(service_level)
    y = sales.units[:, max(sales.units.shape[1] - window, 0) :]
    model = make_model(method, window).fit(y)
    rate = np.where(sales.has_sales, model.rate(cover_days), 0.0)
    sigma = np.where(sales.has_sales, y.std(axis=1), 0.0) if y.shape[1] else np.zeros(len(y))
    target = np.ceil(rate * cover_days + z * sigma * math.sqrt(cover_days) - EPS)
    surplus, need = surplus_and_need(inventory.on_hand, target)
    return Targets(target, surplus, need, rate=rate)
