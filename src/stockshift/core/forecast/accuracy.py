"""Accuracy of every candidate and of the auto choice on held-out windows of the history.

Scores are on horizon totals (what a target must cover), pooled over series and windows:
MSE = mean (A − F)², MAE = mean |A − F|, bias = (ΣF − ΣA)/ΣA, and RMSSE = √(MSE / MSE of the
weekly seasonal naive) — below 1 beats repeating last week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stockshift.core.forecast.auto import ORIGINS, Evaluation, select
from stockshift.core.types import FloatArray, Int32Array

AUTO = "auto"
REFERENCE = "seasonal-naive"


@dataclass(frozen=True, slots=True)
class Accuracy:
    method: str
    mse: float
    mae: float
    bias: float | None  # None when nothing sold in the windows
    rmsse: float | None  # None without the seasonal naive or when it is exact


def held_out(
    evaluation: Evaluation,
    *,
    windows: int,
    n_origins: int = ORIGINS,
    group: Int32Array | None = None,
    among: Sequence[str] | None = None,
) -> tuple[list[Accuracy], FloatArray]:
    """Scores on the newest ``windows`` origins; ``auto`` is chosen for each window only on
    the windows before it, as it would have been on that day.

    ``auto`` chooses ``among`` these candidates (default: all that were evaluated). Returns
    one row per candidate and a last row ``auto``, and the auto forecasts (windows, n).
    """
    ev = evaluation
    w = min(windows, len(ev.cuts))
    actual = ev.actual[:w]
    chosen = [select(ev, window=j, n_origins=n_origins, group=group, among=among) for j in range(w)]
    auto = np.stack([fc.mean for fc in chosen]) if w else np.zeros((0, actual.shape[1]))
    rows = [(name, ev.predicted[m, :w]) for m, name in enumerate(ev.methods)]
    rows.append((AUTO, auto))
    total = float(actual.sum())
    mse = {name: float(((actual - f) ** 2).mean()) if actual.size else 0.0 for name, f in rows}
    ref = mse.get(REFERENCE)
    out = [
        Accuracy(
            name,
            mse[name],
            float(np.abs(actual - f).mean()) if actual.size else 0.0,
            (float(f.sum()) - total) / total if total > 0 else None,
            float(np.sqrt(mse[name] / ref)) if ref else None,
        )
        for name, f in rows
    ]
    return out, auto
