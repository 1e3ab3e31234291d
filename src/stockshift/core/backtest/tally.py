"""A replay's figures kept exact, so that figures of runs of products add up, bit for bit, to
the figures of all of them (``--engine dask``): a float sum depends on its order, an exact
one does not. Figures are rounded to float once, in :meth:`Tally.floats`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray

ObjectArray = npt.NDArray[np.object_]

DAILY = ("demand", "sold", "lost", "stock")
"""Per day: demand, sold, lost, and stock (on hand after the day's sales plus the pipeline)."""
REVIEWS = ("warehouse_units", "transfer_units", "lines", "unit_km")
"""Per review day (0 on other days): warehouse units ordered, units moved, lines, unit-km."""

_SMALL = 2.0**52  # integers whose magnitudes sum below this add up exactly as floats
_HALF = 26  # a 53-bit mantissa is summed as two halves, so int64 sums cannot overflow


def exact_sum(values: FloatArray) -> Fraction:
    """Σ values with no rounding: a float64 is m·2^e with an integer m of 53 bits, so the sum
    is the integer Σ m·2^(e − e_min) times 2^e_min (whole numbers, the common case, are
    summed directly: every partial sum of them is exact)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    if not len(x):
        return Fraction(0)
    if float(np.abs(x).sum()) < _SMALL and np.array_equal(x, np.trunc(x)):
        return Fraction(int(x.sum()))
    mantissa, exponent = np.frexp(x)
    m = (mantissa * 2.0**53).astype(np.int64)  # exact: 53 significant bits
    e = exponent.astype(np.int64) - 53
    low = int(e.min())
    total = 0
    for ev in np.unique(e).tolist():
        mine = m[e == ev]
        hi, lo = int((mine >> _HALF).sum()), int((mine & ((1 << _HALF) - 1)).sum())
        total += ((hi << _HALF) + lo) << (ev - low)
    return Fraction(total << low) if low >= 0 else Fraction(total, 1 << -low)


def zeros(days: int) -> ObjectArray:
    out: ObjectArray = np.full((4, days), Fraction(0), dtype=object)
    return out


@dataclass(frozen=True, slots=True)
class Tally:
    """One policy's exact figures over some products: ``daily`` (:data:`DAILY` × days),
    ``reviews`` (:data:`REVIEWS` × days), the stock at the start and end and the units
    still in the pipeline at the end. Tallies of disjoint products add up."""

    daily: ObjectArray
    reviews: ObjectArray
    start_stock: Fraction
    end_stock: Fraction
    pipeline: Fraction

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.daily + other.daily,
            self.reviews + other.reviews,
            self.start_stock + other.start_stock,
            self.end_stock + other.end_stock,
            self.pipeline + other.pipeline,
        )

    def floats(self) -> tuple[FloatArray, FloatArray, float, float, float]:
        """Every figure rounded to the nearest float, once."""
        as_float: Any = np.vectorize(float, otypes=[np.float64])
        return (
            as_float(self.daily),
            as_float(self.reviews),
            float(self.start_stock),
            float(self.end_stock),
            float(self.pipeline),
        )
