"""One store/product's forecast for the charts, computed as SPEC section 3 computes targets."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from stockshift.core.forecast import make_model
from stockshift.core.targets import safety_z

EPS = 1e-9


def point_forecast(
    units: np.ndarray[Any, np.dtype[np.float64]],
    *,
    method: str,
    window: int,
    cover_days: int,
    service_level: float | None,
) -> tuple[float, int, list[float]]:
    """(rate r per day, target ⌈r·C + z·σ·√C − 1e-9⌉, daily forecast for the next C days).

    ``units``: the zero-filled daily series; r and σ use its last W = ``window`` days.
    """
    y = units[None, max(len(units) - window, 0) :]
    model = make_model(method, window).fit(y)
    sold = bool(units.any())
    rate = float(model.rate(cover_days)[0]) if sold else 0.0
    sigma = float(y.std()) if sold and y.shape[1] else 0.0
    z = safety_z(service_level)
    target = math.ceil(rate * cover_days + z * sigma * math.sqrt(cover_days) - EPS)
    daily = [float(v) for v in model.predict(cover_days)[0]] if sold else [0.0] * cover_days
    return rate, max(target, 0), daily
