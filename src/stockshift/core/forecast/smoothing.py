"""Exponential smoothing from Nixtla's statsforecast: SES (fixed and optimised α), AutoETS.

Each model fits one series at a time by calling statsforecast's own numpy-level functions
(``statsforecast.models._ses`` and friends); :class:`PerSeries` loops over the rows.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt

from stockshift.core.forecast.base import PerSeries, statsforecast_models
from stockshift.core.types import FloatArray


class SimpleExponentialSmoothing(PerSeries):
    """ŷ = ℓ_T with ℓ_t = α·y_t + (1 − α)·ℓ_{t−1}, α fixed (statsforecast ``_ses``)."""

    alias: ClassVar[str] = "ses"

    def __init__(self, alpha: float = 0.1) -> None:
        super().__init__()
        self.alpha = alpha

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._ses(y, 1, False, self.alpha)["mean"][0])


class SimpleExponentialSmoothingOptimized(PerSeries):
    """SES with α chosen in [0.01, 0.99] by in-sample squared error (``_ses_optimized``)."""

    alias: ClassVar[str] = "ses-optimized"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._ses_optimized(y, 1, False)["mean"][0])

    def _levels(self, y: FloatArray, rows: npt.NDArray[np.intp]) -> FloatArray:
        """``_level`` of each row, compiled for blocks of series (the same numbers)."""
        from stockshift.core.forecast.golden import ses_optimized_levels

        return ses_optimized_levels(y, rows)


class AutoETS(PerSeries):
    """statsforecast's AutoETS without seasonality (error and trend chosen by AICc).

    Costs about a millisecond a series, two orders of magnitude more than SES, so it is a
    model one asks for (``candidates``), not one ``auto`` tries by default. A daily level is
    the mean of its ``h``-day path, which may trend.
    """

    alias: ClassVar[str] = "auto-ets"

    def __init__(self, horizon: int = 28) -> None:
        super().__init__()
        self.horizon = horizon

    def _level(self, y: FloatArray) -> float:
        if y.size < 4:
            return float(y.mean())
        try:
            mean = statsforecast_models().AutoETS(model="ZZN").forecast(y=y, h=self.horizon)["mean"]
        except Exception:  # statsforecast raises on series it cannot fit (e.g. too few points)
            return float(y.mean())
        return float(np.mean(mean))
