"""Target stock, surplus and need per (store, product) (SPEC section 3, paper eqs. 3-4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from stockshift.core.forecast.auto import DemandForecast, auto_forecast, demand_forecast, only_sold
from stockshift.core.forecast.base import Forecaster
from stockshift.core.forecast.learned import BoostedBlend
from stockshift.core.forecast.models import make_model
from stockshift.core.types import Clustering, FloatArray, IntArray, Inventory, Sales, Targets

EPS = 1e-9


def surplus_and_need(
    position: IntArray | FloatArray, target: FloatArray
) -> tuple[IntArray, IntArray]:
    """surplus = max(⌊position − target⌋, 0); need = max(⌊target − position⌋, 0).

    position = on hand + in transit (SPEC section 9; on hand alone without ``in_transit``).
    """
    surplus = np.maximum(np.floor(position - target), 0).astype(np.int64)
    need = np.maximum(np.floor(target - position), 0).astype(np.int64)
    return surplus, need


def cluster_mean_targets(inventory: Inventory, clustering: Clustering) -> Targets:
    """Target = mean position of the product's carriers in the same cluster (paper Fig. 2).

    Position is on hand plus in transit (on hand alone without an ``in_transit`` column). A
    cluster of one store has nothing to balance against: it is skipped (target = position).
    """
    k = max(clustering.k, 1)
    cl = clustering.codes[inventory.store].astype(np.int64)
    key = inventory.product.astype(np.int64) * k + cl
    n_keys = len(inventory.product_ids) * k
    position = inventory.position
    sums = np.bincount(key, weights=position.astype(np.float64), minlength=n_keys)
    counts = np.bincount(key, minlength=n_keys)
    target = sums[key] / counts[key]
    sizes = np.bincount(clustering.codes, minlength=k)
    single = sizes[cl] == 1
    target = np.where(single, position.astype(np.float64), target)
    surplus, need = surplus_and_need(position, target)
    skipped = tuple(clustering.names[i] for i in np.flatnonzero(sizes == 1))
    return Targets(target, surplus, need, skipped_clusters=skipped)


def safety_z(service_level: float | None) -> float:
    """z = Φ⁻¹(service level); 0 (no safety stock) when no level is given."""
    return 0.0 if service_level is None else NormalDist().inv_cdf(service_level)


def target_stock(
    rate: FloatArray, sigma: FloatArray, *, cover_days: int, service_level: float | None
) -> FloatArray:
    """target = ⌈r·C + z·σ·√C − 1e-9⌉ (SPEC section 3).

    r: daily rate, σ: standard deviation (ddof 0) of the last W days, C: cover days,
    z: the service level's normal quantile (:func:`safety_z`).
    """
    z = safety_z(service_level)
    return np.ceil(rate * cover_days + z * sigma * math.sqrt(cover_days) - EPS)


def forecast_rates(
    units: FloatArray,
    has_sales: npt.NDArray[np.bool_],
    *,
    method: str,
    window: int,
    cover_days: int,
) -> tuple[FloatArray, FloatArray, Forecaster]:
    """Per row of zero-filled daily ``units``: rate r and spread σ over the last W days, and
    the fitted model. A row that never sold has r = σ = 0 (SPEC section 3)."""
    y = units[:, max(units.shape[1] - window, 0) :]
    model = make_model(method, window).fit(y)
    rate = np.where(has_sales, model.rate(cover_days), 0.0)
    sigma = np.where(has_sales, y.std(axis=1), 0.0) if y.shape[1] else np.zeros(len(y))
    return rate, sigma, model


def distribution_target(forecast: DemandForecast, *, service_level: float | None) -> FloatArray:
    """target = ⌈μ + k_q·σ_C − 1e-9⌉ per series (``--forecast auto``): k_q the safety factor
    fitted so that q is the fill rate of the history's out-of-sample windows
    (:mod:`~stockshift.core.forecast.calibration`), z = Φ⁻¹(q) when they are too few."""
    k = forecast.safety_factor(service_level)
    out: FloatArray = np.ceil(forecast.mean + k * forecast.sigma - EPS)
    return out


def distribution_targets(
    inventory: Inventory, forecast: DemandForecast, *, service_level: float | None
) -> Targets:
    """target = ⌈μ + k_q·σ_C − 1e-9⌉ (:func:`distribution_target`): μ, σ_C the mean and spread
    of demand over the cover days (``--forecast auto``), k_q the fitted safety factor."""
    target = distribution_target(forecast, service_level=service_level)
    surplus, need = surplus_and_need(inventory.position, target)
    return Targets(
        target,
        surplus,
        need,
        rate=forecast.rate,
        sigma=forecast.sigma,
        method=forecast.method_names(),
    )


def forecast_targets(
    inventory: Inventory,
    sales: Sales,
    *,
    method: str,
    window: int,
    cover_days: int,
    service_level: float | None,
    review_days: int | None = None,
    learned: BoostedBlend | None = None,
) -> Targets:
    """Target stock per inventory row over the last W days of zero-filled sales.

    ``method="auto"``: target = ⌈μ + k_q·σ_C − 1e-9⌉ (:func:`distribution_target`), μ and σ_C
    the mean and spread of demand over the C days from
    :func:`~stockshift.core.forecast.auto.demand_forecast` (every day of ``sales``, not only
    the last W; ``learned`` its first candidate where the history allows it).
    """
    if method == "auto":
        fc = demand_forecast(
            sales,
            method="auto",
            window=window,
            cover_days=cover_days,
            group=inventory.product,
            review_days=review_days,
            learned=learned,
        )
        return distribution_targets(inventory, fc, service_level=service_level)
    rate, sigma, _ = forecast_rates(
        sales.units, sales.has_sales, method=method, window=window, cover_days=cover_days
    )
    target = target_stock(rate, sigma, cover_days=cover_days, service_level=service_level)
    surplus, need = surplus_and_need(inventory.position, target)
    return Targets(target, surplus, need, rate=rate)


def point_forecast(
    units: FloatArray, *, method: str, window: int, cover_days: int, service_level: float | None
) -> tuple[float, int, list[float]]:
    """One series' (rate r per day, target, daily forecast for the next C days), computed
    exactly as :func:`forecast_targets` computes a row's (the API's sales charts)."""
    sold = np.array([units.any()])
    rate, sigma, model = forecast_rates(
        units[None, :], sold, method=method, window=window, cover_days=cover_days
    )
    target = target_stock(rate, sigma, cover_days=cover_days, service_level=service_level)
    daily = [float(v) for v in model.predict(cover_days)[0]] if sold[0] else [0.0] * cover_days
    return float(rate[0]), max(int(target[0]), 0), daily


@dataclass(frozen=True, slots=True)
class SeriesForecast:
    """One series' ``--forecast auto`` forecast: the model chosen, the mean daily demand over
    the C cover days, the target, and σ_C, the spread of the C days' demand."""

    method: str
    rate: float
    target: int
    mean: float
    sigma: float


def auto_point_forecast(
    units: FloatArray, *, cover_days: int, service_level: float | None
) -> SeriesForecast:
    """One series' auto forecast and target, as :func:`forecast_targets` makes a row's.

    A plan pools the choice per product when its history has fewer than 3 origins; a single
    series cannot, so on such a short history its choice may differ from the plan's.
    """
    y = np.asarray(units, dtype=np.float64)[None, :]
    fc = only_sold(auto_forecast(y, horizon=cover_days), np.asarray(y.any(axis=1)))
    target = distribution_target(fc, service_level=service_level)
    return SeriesForecast(
        str(fc.method_names()[0]),
        float(fc.rate[0]),
        max(int(target[0]), 0),
        float(fc.mean[0]),
        float(fc.sigma[0]),
    )


def central_interval(fc: SeriesForecast, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the cover days' demand, μ ± z·σ_C with
    z = Φ⁻¹((1 + level)/2), the low end clipped at 0."""
    z = safety_z((1.0 + level) / 2.0)
    return max(fc.mean - z * fc.sigma, 0.0), fc.mean + z * fc.sigma
