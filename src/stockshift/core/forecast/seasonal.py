"""Seasonal naive (weekly): the next weeks repeat the last one, statsforecast's ``SeasonalNaive``.

The model is one index expression, so it runs over every series at once; the tests check it
against ``statsforecast.models.SeasonalNaive`` series by series.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from stockshift.core.types import FloatArray


class SeasonalNaive:
    """ŷ_{T+j} = y_{T+j−m·⌈j/m⌉}, m = 7 days; a series shorter than m repeats what it has."""

    alias: ClassVar[str] = "seasonal-naive"

    def __init__(self, season_length: int = 7) -> None:
        self.season_length = season_length
        self.last_: FloatArray = np.zeros((0, season_length))

    def fit(self, y: FloatArray) -> SeasonalNaive:
        y = np.asarray(y, dtype=np.float64)
        m = min(self.season_length, y.shape[1])
        self.last_ = y[:, y.shape[1] - m :] if m else np.zeros((len(y), 0))
        return self

    def predict(self, h: int) -> FloatArray:
        m = self.last_.shape[1]
        if m == 0:
            return np.zeros((len(self.last_), h))
        out: FloatArray = self.last_[:, np.arange(h) % m]
        return out

    def rate(self, cover_days: int) -> FloatArray:
        out: FloatArray = self.predict(cover_days).mean(axis=1)
        return out
