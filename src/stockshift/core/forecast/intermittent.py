"""Intermittent-demand models from Nixtla's statsforecast: Croston, SBA, TSB, ADIDA, IMAPA.

Store-level retail demand is mostly zeros and then a case; these models forecast the size
of a demand and the interval (or probability) between demands separately. Each calls
statsforecast's numpy-level function on one series; :class:`PerSeries` loops over the rows.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt

from stockshift.core.forecast.base import PerSeries, statsforecast_models
from stockshift.core.types import FloatArray


class CrostonClassic(PerSeries):
    """ŷ = ẑ / p̂: SES (α = 0.1) of demand sizes ẑ over SES of inter-demand intervals p̂."""

    alias: ClassVar[str] = "croston"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._croston_classic(y, 1, False)["mean"][0])


class CrostonSBA(PerSeries):
    """Syntetos-Boylan approximation: Croston × (1 − α/2) = 0.95, removing Croston's bias."""

    alias: ClassVar[str] = "croston-sba"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._croston_sba(y, 1, False)["mean"][0])


class CrostonOptimized(PerSeries):
    """Croston with α of sizes and of intervals each optimised in [0.1, 0.3]."""

    alias: ClassVar[str] = "croston-optimized"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._croston_optimized(y, 1, False)["mean"][0])


class TSB(PerSeries):
    """Teunter-Syntetos-Babai: ŷ = p̂·ẑ, SES of the demand probability (α_p) every day and of
    demand sizes (α_d) on demand days, so a product that stops selling decays to zero."""

    alias: ClassVar[str] = "tsb"

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1) -> None:
        super().__init__()
        self.alpha_d, self.alpha_p = alpha_d, alpha_p

    def _level(self, y: FloatArray) -> float:
        return float(
            statsforecast_models()._tsb(y, 1, False, self.alpha_d, self.alpha_p)["mean"][0]
        )


class ADIDA(PerSeries):
    """Aggregate-disaggregate: SES on sums over the mean inter-demand interval, spread back.

    ``_levels`` is statsforecast's ``_adida`` with the aggregation level k of every series
    computed at once: the intervals between its nonzero days sum to the day after the last
    one, a whole number, so their mean is (last + 1)/count exactly and k = round(mean) as
    ``_adida`` rounds it; each series then takes one ``chunk_forecast(y, k)/k``, the same
    numbers at a ninth of the time (``_adida`` spent it finding the intervals).
    """

    alias: ClassVar[str] = "adida"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._adida(y, 1, False)["mean"][0])

    def _levels(self, y: FloatArray, rows: npt.NDArray[np.intp]) -> FloatArray:
        ses = statsforecast_models()._ses_lib
        nonzero = y != 0
        count = nonzero.sum(axis=1)[rows]
        end = (y.shape[1] - np.argmax(nonzero[:, ::-1], axis=1))[rows]  # the day after the last
        out = np.zeros(len(rows))
        for j, i in enumerate(rows):
            k = round(float(end[j]) / float(count[j]))
            out[j] = ses.chunk_forecast(y[i], k) / k
        return out


class IMAPA(PerSeries):
    """Mean of optimised-SES forecasts at every aggregation level 1..mean interval."""

    alias: ClassVar[str] = "imapa"

    def _level(self, y: FloatArray) -> float:
        return float(statsforecast_models()._imapa(y, 1, False)["mean"][0])
