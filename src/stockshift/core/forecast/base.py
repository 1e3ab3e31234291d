"""The forecaster interface, and the base of models that fit one series at a time.

A forecaster works on many daily series at once (rows are series, columns are days): it has
an ``alias``, ``fit(y) -> self``, ``predict(h)`` giving h daily values per series, and
``rate(cover_days)``: the mean daily demand over the next ``cover_days`` days.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType
from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray


def statsforecast_models() -> ModuleType:
    """``statsforecast.models``, imported when a model first fits: the import pulls in
    statsmodels, scipy.stats and dask.dataframe (about 1.5 s of CPU), which a plan on the
    default moving average never uses."""
    from statsforecast import models

    return models


class Forecaster(Protocol):
    alias: ClassVar[str]

    def fit(self, y: FloatArray) -> Forecaster: ...

    def predict(self, h: int) -> FloatArray: ...

    def rate(self, cover_days: int) -> FloatArray: ...


class PerSeries(ABC):
    """A model whose forecast is one flat daily level per series, fitted series by series.

    Every series covers the whole history, zero-filled as SPEC section 3 says (trimming the
    zeros before a series' first sale would make Croston's first interval one day and its
    forecast the whole first sale every day). A series that never sold forecasts 0 without a
    call. Levels are clipped at 0. Subclasses implement ``_level(y)`` on one float64 series.
    """

    alias: ClassVar[str] = ""

    def __init__(self) -> None:
        self.level_: FloatArray = np.zeros(0)

    @abstractmethod
    def _level(self, y: FloatArray) -> float:
        """The flat daily level of one float64 series that has sold at least once."""

    def fit(self, y: FloatArray) -> PerSeries:
        y = np.ascontiguousarray(y, dtype=np.float64)
        level = np.zeros(len(y))
        if y.shape[1]:
            rows = np.flatnonzero((y > 0).any(axis=1))
            level[rows] = self._levels(y, rows)
        self.level_ = np.maximum(np.nan_to_num(level, nan=0.0), 0.0)
        return self

    def _levels(self, y: FloatArray, rows: npt.NDArray[np.intp]) -> FloatArray:
        """The levels of the series ``rows`` of ``y`` (each has sold), one at a time."""
        return np.asarray([self._level(y[i]) for i in rows], dtype=np.float64)

    def predict(self, h: int) -> FloatArray:
        return np.repeat(self.level_[:, None], h, axis=1)

    def rate(self, cover_days: int) -> FloatArray:
        return self.level_
