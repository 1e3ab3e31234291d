"""A stacked forecast: a fixed non-negative combination of cheap members.

Choosing one model per series from four noisy origins loses to a fixed good model, while a
combination of forecasts does about as well as its best member or better in squared error.
So for series i of product p, cut-off T (days of history) and horizon h:

    F_i = Σ_m w_pm · F_mi,      w_p ≥ 0,

the members F_m being the yearly-seasonal moving averages of 91, 182 and 364 days
(core/forecast/yearly.py: each a moving average times its product's season, dormant series
taking the product's dormant demand) and the product's mean demand per store that sold in
the last 364 days (the sparse series' pooled estimate). The weights of product p minimise

    Σ_{k, i ∈ p} (A_ki − Σ_m w_m F_mki)² + μ_p · ‖w − w₀‖²,      w ≥ 0,

over the ``origins`` inner origins c_k = T − h·(k + 1) (members fitted on days [0, c_k),
A_ki what series i sold over [c_k, c_k + h)), every one before T: no day after the cut-off
is read. μ_p = ``shrink`` · tr(XᵀX)/M pulls them toward :data:`PRIOR` (M members).

What ships is the prior alone (``shrink`` = ∞): :data:`PRIOR` is the NNLS fit of the same
sum pooled over every series of a chain, at the tune cut-offs (January to May 2022) of both
Iowa chains, averaged and scaled to sum to 1 (``python -m benchmarks.forecast_tuning
--blend``). Refitting per product lost on those dates: NNLS on one product's stores is noisy
(Hy-Vee +1 to +18 points of squared error against the prior for ``shrink`` 10 to 0) and,
its regressors being noisy, shrinks the forecast (Casey's total bias −5 to −8 % for
``shrink`` 3 to 0.1, where it gained 1 point against the prior). Pooling
over the chain at run time would make a product's forecast depend on the others (the Dask
engine plans runs of products apart), and did no better than the prior.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from stockshift.core.forecast.yearly import YEAR, WindowSums, YearlySeasonalMovingAverage
from stockshift.core.types import FloatArray, GroupArray

WINDOWS = (91, 182, 364)  # the seasonal moving averages, then the product's mean per store
#: The members' weights (module docstring): NNLS pooled over each Iowa chain at its tune
#: cut-offs, the mean of both chains' scaled to sum to 1.
PRIOR = (0.12, 0.34, 0.48, 0.06)
SHRINK = float("inf")  # the prior alone: refits per product lost on the tune cut-offs
ORIGINS = 8
MIN_DAYS = 28  # an inner origin keeps at least this many days before it


def members(
    y: FloatArray, label: GroupArray, horizon: int, sums: WindowSums | None = None
) -> FloatArray:
    """out[i, m]: member m's forecast of series i's demand over the next ``horizon`` days;
    ``sums`` the window sums of the matrix whose first days ``y`` is (the same forecasts,
    sooner when several cut-offs of one history share it)."""
    n, t = y.shape
    cols = [
        YearlySeasonalMovingAverage(horizon, w).fit_grouped(y, label, sums).rate_ * horizon
        for w in WINDOWS
    ]
    n_groups = int(label.max()) + 1 if n else 0
    last = y[:, max(t - YEAR, 0) :]
    total = sums.on(y)(t - YEAR, t) if sums is not None else last.sum(axis=1)
    active = (total > 0).astype(np.float64)
    per_store = np.bincount(label, weights=total, minlength=n_groups) / np.maximum(
        np.bincount(label, weights=active, minlength=n_groups), 1.0
    )
    cols.append(active * per_store[label] * horizon / max(last.shape[1], 1))
    return np.stack(cols, axis=1)


def weights(x: FloatArray, a: FloatArray, prior: FloatArray, shrink: float) -> FloatArray:
    """argmin_w≥0 ‖a − x·w‖² + μ‖w − prior‖², μ = shrink · tr(xᵀx)/M (the prior when x is
    all zeros: no member forecast anything, the data cannot say)."""
    from scipy.optimize import nnls  # only the weights' study fits; a forecast does not

    m = x.shape[1]
    scale = float((x * x).sum()) / m
    if scale <= 0.0 or not np.isfinite(shrink):
        return prior.copy()
    root = np.sqrt(shrink * scale)
    out, _ = nnls(np.vstack([x, root * np.eye(m)]), np.concatenate([a, root * prior]))
    return np.asarray(out, dtype=np.float64)


class Blend:
    """F_i = Σ_m w_pm · F_mi (module docstring), weights fitted per group."""

    alias: ClassVar[str] = "blend"

    def __init__(
        self,
        horizon: int,
        *,
        origins: int = ORIGINS,
        prior: tuple[float, ...] = PRIOR,
        shrink: float = SHRINK,
    ) -> None:
        self.horizon = horizon
        self.origins = origins
        self.prior = np.asarray(prior, dtype=np.float64)
        self.shrink = shrink
        self.rate_: FloatArray = np.zeros(0)
        self.weights_: FloatArray = np.zeros((0, len(prior)))

    def fit(self, y: FloatArray) -> Blend:
        """Every series its own group (no product known)."""
        return self.fit_grouped(y, np.arange(len(y)))

    def fit_grouped(
        self, y: FloatArray, group: GroupArray, sums: WindowSums | None = None
    ) -> Blend:
        """``sums``: the window sums of a matrix whose first days ``y`` is (:func:`members`)."""
        y = np.asarray(y, dtype=np.float64)
        n, t = y.shape
        h = self.horizon
        _, label = np.unique(np.asarray(group), return_inverse=True)
        label = label.reshape(-1)
        n_groups = int(label.max()) + 1 if n else 0
        now = members(y, label, h, sums)
        cuts = [t - h * (k + 1) for k in range(self.origins) if t - h * (k + 1) >= MIN_DAYS]
        if not np.isfinite(self.shrink):
            cuts = []  # the prior whatever the origins say: no need to fit them
        xs = [members(y[:, :c], label, h, sums) for c in cuts]
        acts = [y[:, c : c + h].sum(axis=1) for c in cuts]
        self.weights_ = np.tile(self.prior, (n_groups, 1))
        if cuts:
            x_all = np.concatenate(xs)
            a_all = np.concatenate(acts)
            rows = np.tile(label, len(cuts))
            order = np.argsort(rows, kind="stable")
            bounds = np.searchsorted(rows[order], np.arange(n_groups + 1))
            for g in range(n_groups):
                pick = order[bounds[g] : bounds[g + 1]]
                self.weights_[g] = weights(x_all[pick], a_all[pick], self.prior, self.shrink)
        self.rate_ = (now * self.weights_[label]).sum(axis=1) / h if n else np.zeros(0)
        return self

    def predict(self, h: int) -> FloatArray:
        return np.repeat(self.rate_[:, None], h, axis=1)

    def rate(self, cover_days: int) -> FloatArray:
        return self.rate_
