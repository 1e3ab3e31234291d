"""statsforecast's optimised simple exponential smoothing (``_ses_optimized``: α by golden
section on [0.01, 0.99], then the level), compiled for a block of series at once.

statsforecast runs its C++ ``golden_section_ses`` one series at a time: each step of the
section smooths the whole series again, one day after the other, so a series costs ~60
passes over its days with a chain of dependent multiplications (1.2 s for 21,000 series of
610 days, `auto`'s largest cost). Here the same steps run for a block of series side by side,
days outer and series inner, which the compiler vectorises across series; every series
takes its own branch of the section and stops where statsforecast's loop stops (|b − a| <
1e-12, or a tie), and every sum is formed in statsforecast's order, with no fused
multiply-add: the same α and level to the bit (tests/core/test_forecast_models.py).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from stockshift.core.jit import kernel
from stockshift.core.types import FloatArray

GOLDEN = (math.sqrt(5.0) + 1.0) / 2.0
LOWER, UPPER = 0.01, 0.99  # statsforecast's bounds of α for ``_ses_optimized``
BLOCK = 256  # series smoothed side by side


@kernel(nogil=True)
def _sse(xt: FloatArray, alpha: FloatArray, active: npt.NDArray[np.bool_], out: FloatArray) -> None:
    """out[k] = Σ_i (x_ik − f_ik)² with f_0k = x_0k, f_ik = α_k·x_{i−1,k} + (1 − α_k)·f_{i−1,k}
    (statsforecast's ``ses_sse``), for the active series k of ``xt`` (days × series)."""
    n, s = xt.shape
    f = xt[0].copy()
    complement = 1.0 - alpha
    sse = np.zeros(s)
    for i in range(1, n):
        for k in range(s):
            f[k] = alpha[k] * xt[i - 1, k] + complement[k] * f[k]
            e = xt[i, k] - f[k]
            sse[k] += e * e
    for k in range(s):
        if active[k]:
            out[k] = sse[k] if n >= 2 else 0.0


@kernel(nogil=True)
def _block(xt: FloatArray, lower: float, upper: float, golden: float) -> FloatArray:
    """The level of each series (column) of ``xt`` (days × series): statsforecast's
    ``golden_section_ses`` then ``ses_forecast``, series by series in lockstep."""
    n, s = xt.shape
    a, b = np.full(s, lower), np.full(s, upper)
    c = b - (b - a) / golden
    d = a + (b - a) / golden
    active = np.ones(s, np.bool_)
    fc, fd, new, alpha = np.zeros(s), np.zeros(s), np.zeros(s), np.zeros(s)
    at_c = np.zeros(s, np.bool_)
    _sse(xt, c, active, fc)
    _sse(xt, d, active, fd)
    while True:
        stepping = False
        for k in range(s):
            if not active[k]:
                continue
            if not abs(b[k] - a[k]) >= 1e-12:
                active[k] = False
            elif fc[k] < fd[k]:
                b[k], d[k], fd[k] = d[k], c[k], fc[k]
                c[k] = b[k] - (b[k] - a[k]) / golden
                alpha[k], at_c[k], stepping = c[k], True, True
            elif fd[k] < fc[k]:
                a[k], c[k], fc[k] = c[k], d[k], fd[k]
                d[k] = a[k] + (b[k] - a[k]) / golden
                alpha[k], at_c[k], stepping = d[k], False, True
            else:
                active[k] = False
        if not stepping:
            break
        _sse(xt, alpha, active, new)
        for k in range(s):
            if active[k]:
                if at_c[k]:
                    fc[k] = new[k]
                else:
                    fd[k] = new[k]
    best = (b + a) / 2.0
    complement = 1.0 - best
    f = xt[0].copy()
    for i in range(1, n):
        for k in range(s):
            f[k] = best[k] * xt[i - 1, k] + complement[k] * f[k]
    out = np.empty(s)
    for k in range(s):
        out[k] = best[k] * xt[n - 1, k] + complement[k] * f[k] if n >= 2 else xt[0, k]
    return out


def ses_optimized_levels(y: FloatArray, rows: npt.NDArray[np.intp]) -> FloatArray:
    """``_ses_optimized(y[i], 1, False)["mean"][0]`` for every i of ``rows`` (y has days)."""
    out = np.empty(len(rows))
    for lo in range(0, len(rows), BLOCK):
        xt = np.ascontiguousarray(y[rows[lo : lo + BLOCK]].T)
        out[lo : lo + BLOCK] = _block(xt, LOWER, UPPER, GOLDEN)
    return out
