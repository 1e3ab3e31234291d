"""Exact sums: figures of runs of products add up to the figures of all, bit for bit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stockshift.core.backtest.tally import exact_sum

values = st.lists(
    st.one_of(
        st.integers(0, 10**6).map(float),
        st.floats(0, 1e9, allow_nan=False),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.sampled_from([0.1, 0.2, 0.3, 1e-300, 5e-324, 2.0**60]),
    ),
    max_size=60,
)


@given(values)
def test_exact_sum_is_the_rational_sum(xs: list[float]) -> None:
    assert exact_sum(np.array(xs, dtype=np.float64)) == sum((Fraction(x) for x in xs), Fraction(0))


@given(values, st.lists(st.integers(0, 60), max_size=4))
def test_sums_of_parts_add_up_to_the_sum_of_the_whole(xs: list[float], cuts: list[int]) -> None:
    x = np.array(xs, dtype=np.float64)
    parts = np.split(x, sorted(c for c in cuts if c <= len(x)))
    assert sum((exact_sum(p) for p in parts), Fraction(0)) == exact_sum(x)


def test_whole_numbers_sum_as_floats_do() -> None:
    """The common case (whole units) gives what a float sum gives: no figure changes."""
    x = np.arange(100_000, dtype=np.float64)
    assert float(exact_sum(x)) == float(x.sum())
    assert float(exact_sum(np.array([0.1, 0.2, 0.3]))) == 0.6  # float sum: 0.6000000000000001
