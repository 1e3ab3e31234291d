"""``--forecast auto``: choose a model per series by rolling-origin evaluation on its history.

At several cut-offs (origins) c_k inside the history, every candidate is fitted on the days
before c_k and forecasts the total demand of the ``horizon`` days after it; the candidate with
the least squared error of those totals, Σ_k (A_k − F_k)², wins (not WAPE: on lumpy demand a
forecast of zero wins WAPE). The winner is refitted on all days for the forecast, and its
out-of-sample errors give the spread of horizon demand (σ, see :func:`spread`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stockshift.core.errors import ParameterError
from stockshift.core.forecast.engine import check_candidates, default_candidates, horizon_totals
from stockshift.core.forecast.models import make_model
from stockshift.core.types import FloatArray, Int32Array, IntArray

ORIGINS = 4  # rolling origins the choice is scored on
MIN_TRAIN = 14  # days of history the earliest origin keeps


@dataclass(frozen=True, slots=True)
class DemandForecast:
    """Per series: expected demand over the horizon, its spread, and the model that made it.

    ``mean[i]`` is E[D_i], D_i the demand of series i over the next ``horizon`` days;
    ``sigma[i]`` its standard deviation; ``methods[method[i]]`` names the model.
    """

    mean: FloatArray
    sigma: FloatArray
    method: Int32Array
    methods: tuple[str, ...]
    horizon: int

    @property
    def rate(self) -> FloatArray:
        """Mean daily demand over the horizon: E[D]/C."""
        out: FloatArray = self.mean / self.horizon
        return out

    def method_names(self) -> npt.NDArray[np.object_]:
        return np.asarray(self.methods, dtype=object)[self.method]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Horizon totals at rolling origins: what each model forecast and what then sold.

    ``cuts[k]`` is the origin (days of history used); ``actual[k, i]`` the demand of series i
    over days [cuts[k], cuts[k] + horizon); ``predicted[m, k, i]`` model m's forecast of it.
    """

    methods: tuple[str, ...]
    cuts: IntArray
    horizon: int
    actual: FloatArray
    predicted: FloatArray

    def errors(self) -> FloatArray:
        """e[m, k, i] = A_k,i − F_m,k,i."""
        out: FloatArray = self.actual[None, :, :] - self.predicted
        return out


def rolling_cuts(n_days: int, horizon: int, n_origins: int = ORIGINS) -> IntArray:
    """Origins c_k = T − h − k·s, k = 0..K−1, newest first.

    The step s is the horizon (windows that do not overlap) when the history allows it,
    otherwise as long as keeps ``MIN_TRAIN`` days before the earliest origin (at least 1).
    Fewer origins when even that does not fit; none when T − h < MIN_TRAIN.
    """
    room = n_days - horizon - MIN_TRAIN
    if room < 0 or n_origins < 1:
        return np.zeros(0, np.int64)
    step = horizon if n_origins == 1 else min(horizon, max(room // (n_origins - 1), 1))
    count = min(n_origins, room // step + 1)
    return np.asarray([n_days - horizon - k * step for k in range(count)], np.int64)


def evaluate(
    y: FloatArray,
    *,
    horizon: int,
    cuts: IntArray,
    candidates: Sequence[str],
    n_jobs: int = 1,
) -> Evaluation:
    """Fit every candidate at every origin and compare with what sold over the horizon."""
    y = np.asarray(y, dtype=np.float64)
    pred = horizon_totals(y, candidates, horizon=horizon, cuts=list(cuts), n_jobs=n_jobs)
    return Evaluation(tuple(candidates), cuts, horizon, actuals(y, cuts, horizon), pred)


def actuals(y: FloatArray, cuts: IntArray, horizon: int) -> FloatArray:
    """out[k, i]: demand of series i over days [cuts[k], cuts[k] + horizon)."""
    if len(cuts) == 0:
        return np.zeros((0, len(y)))
    csum = np.concatenate([np.zeros((len(y), 1)), np.cumsum(y, axis=1)], axis=1)
    return np.stack([csum[:, c + horizon] - csum[:, c] for c in cuts])


def choose(
    evaluation: Evaluation, origins: IntArray, group: Int32Array | None = None
) -> tuple[Int32Array, FloatArray]:
    """Per series: the candidate with the least Σ_k e² over ``origins`` (indices into cuts),
    and that candidate's root mean squared error there.

    With ``group`` (e.g. the product of each series) the squared errors are pooled over the
    group before choosing, so every series of a group takes the group's best model.
    """
    e2 = evaluation.errors()[:, origins, :] ** 2  # (M, K, n)
    sse = e2.sum(axis=1)  # (M, n)
    if group is not None and sse.shape[1]:
        n_groups = int(group.max()) + 1
        pooled = np.stack([np.bincount(group, weights=s, minlength=n_groups) for s in sse])
        sse_choice = pooled[:, group]
    else:
        sse_choice = sse
    method = np.argmin(sse_choice, axis=0).astype(np.int32)
    k = max(len(origins), 1)
    rmse = np.sqrt(sse[method, np.arange(sse.shape[1])] / k)
    return method, rmse


def spread(rmse: FloatArray, mean: FloatArray, horizon: int) -> FloatArray:
    """σ of horizon demand: the chosen model's out-of-sample RMSE of horizon totals.

    RMSE over a few origins can be 0 by chance (a series that sold nothing in its windows but
    sells now); σ is at least √mean, the spread of a Poisson count with that mean.
    """
    out: FloatArray = np.maximum(rmse, np.sqrt(np.maximum(mean, 0.0)))
    return out


def auto_forecast(
    y: FloatArray,
    *,
    horizon: int,
    candidates: Sequence[str] | None = None,
    n_origins: int = ORIGINS,
    group: Int32Array | None = None,
    n_jobs: int = 1,
) -> tuple[DemandForecast, Evaluation]:
    """Choose a model per series (per ``group`` when the history is too short), forecast.

    Returns the forecast (fitted on every day) and the evaluation it was chosen on.
    """
    if horizon < 1:
        raise ParameterError(f"--cover-days {horizon}: must be at least 1 day")
    names = tuple(candidates) if candidates is not None else default_candidates(len(y))
    check_candidates(names)
    y = np.asarray(y, dtype=np.float64)
    n_days = y.shape[1]
    cuts = rolling_cuts(n_days, horizon, n_origins)
    full = [n_days, *cuts.tolist()]
    pred = horizon_totals(y, names, horizon=horizon, cuts=full, n_jobs=n_jobs)
    held = Evaluation(names, cuts, horizon, actuals(y, cuts, horizon), pred[:, 1:, :])
    if len(cuts) == 0:
        # no origin fits: the SPEC's default, moving average 28, and a Poisson spread
        method = np.zeros(len(y), np.int32)
        rmse = np.zeros(len(y))
        names_out = names if names[0] == "moving-average-28" else ("moving-average-28", *names)
        mean = make_model("moving-average", 28).fit(y).rate(horizon) * horizon
        return DemandForecast(mean, spread(rmse, mean, horizon), method, names_out, horizon), held
    step = int(cuts[0] - cuts[1]) if len(cuts) > 1 else horizon
    pooled = group if (group is not None and (len(cuts) < 3 or 2 * step < horizon)) else None
    method, rmse = choose(held, np.arange(len(cuts)), pooled)
    mean = pred[method, 0, np.arange(len(y))]
    return DemandForecast(mean, spread(rmse, mean, horizon), method, names, horizon), held


def point_forecast(y: FloatArray, *, method: str, window: int, horizon: int) -> DemandForecast:
    """SPEC section 3's forecast as a distribution: E[D] = r·C, σ_D = σ·√C (σ of the last W
    days, ddof 0), so that target = ⌈E[D] + z·σ_D − 1e-9⌉ is the SPEC's target exactly."""
    y = np.asarray(y, dtype=np.float64)
    tail = y[:, max(y.shape[1] - window, 0) :]
    rate = make_model(method, window).fit(tail).rate(horizon)
    sd = tail.std(axis=1) if tail.shape[1] else np.zeros(len(y))
    return DemandForecast(
        rate * horizon, sd * math.sqrt(horizon), np.zeros(len(y), np.int32), (method,), horizon
    )
