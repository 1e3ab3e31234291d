"""``blend-boosted``: the blend (core/forecast/blend.py) corrected by a gradient-boosted model
of its residual, fitted once over every series of the history (the M5 winners' approach).

For horizon h and a cut-off c (days of history), series i gets features x_i(c) computed from
days [0, c) alone (:func:`features`: the blend's members and the blend B_i(c), moving
averages over 7 to 364 days, last year's demand around the same dates, recency and
frequency of sales, and its product's aggregates over its stores) and the forecast

    F_i(c) = max(B_i(c) + g_c(x_i(c)), 0)   on series that had sold before c (else 0),

g_c a scikit-learn ``HistGradientBoostingRegressor`` (:data:`PARAMS`) fitted on the
:data:`ORIGINS` training origins o_k = c − h·(k + 1), k = 0..5, each at least
:func:`min_cut` days into the history: one row per series that had sold before o_k, its
features x_i(o_k) and target A_i(o_k) − B_i(o_k), A the demand over [o_k, o_k + h). Every
target window ends at or before c, so no day at or after c enters g_c or F(c).

``auto`` needs F at the cut-off T and at each of its rolling origins (its choice, the spread
and the calibration are scored on out-of-sample windows), so :class:`BoostedBlend` holds one
g_c per such c, each fitted on the origins before its c. It is fitted once, over the whole
history, before any product is planned, and handed to every run: a series' features read
its own days and its product's (never another product's), so given the fitted model a
product's forecast does not depend on which products are forecast with it, and the Dask
engine's runs forecast what one process forecasts. The training matrix is built in a
canonical order (product id, store id, origin, newest first) and, above :data:`MAX_ROWS`
rows, subsampled by a hash of (store id, product id, origin), so that every engine fits the
same model from the same history whatever order its rows come in.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from stockshift.core.forecast.blend import PRIOR, members
from stockshift.core.forecast.yearly import YEAR, WindowSums, is_prefix
from stockshift.core.types import FloatArray, GroupArray, IntArray, StrArray

NAME = "blend-boosted"
#: Training origins per fitted model (the study: benchmarks/forecast_learned.py).
ORIGINS = 6
PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.05,
    "min_samples_leaf": 200,
    "random_state": 0,
}
#: Rows a model is fitted on at most; above, a deterministic hash subsample (module doc).
MAX_ROWS = 500_000
BLEND_COLUMN = 4  # features()' column holding the blend's forecast B
#: Threads that compute the features of several cut-offs, or fit several models, at once.
THREADS = 2
T = TypeVar("T")
R = TypeVar("R")


def one_thread() -> Any:
    """scikit-learn's OpenMP threads limited to one per fit: on a busy machine two OpenMP
    threads took 7× the CPU time of one (they spin waiting for each other), and one
    thread's sums come in one order whatever the machine; the fits of several cut-offs run
    side by side instead (:func:`in_threads`)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, "openmp")


def in_threads(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """[fn(item) for item in items], run by up to :data:`THREADS` threads (numpy and the
    trees' Cython release the GIL); each result is what one thread alone computes."""
    workers = min(len(items), THREADS, os.cpu_count() or 1)
    if workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def min_cut(horizon: int) -> int:
    """The earliest training origin: two horizons and at least 8 weeks of history."""
    return max(2 * horizon, 56)


def training_cuts(cut: int, horizon: int) -> list[int] | None:
    """The :data:`ORIGINS` training origins of a model for cut-off ``cut``, newest first, or
    None when the history before ``cut`` holds fewer (too short to learn from)."""
    out = [cut - horizon * (k + 1) for k in range(ORIGINS)]
    return out if out[-1] >= min_cut(horizon) else None


def available(cuts: Sequence[int], horizon: int) -> bool:
    """Whether every cut-off of ``cuts`` has its training origins."""
    return bool(cuts) and all(training_cuts(c, horizon) is not None for c in cuts)


def _labels(group: GroupArray) -> npt.NDArray[np.intp]:
    _, label = np.unique(np.asarray(group), return_inverse=True)
    out: npt.NDArray[np.intp] = label.reshape(-1)
    return out


def features(y: FloatArray, label: npt.NDArray[np.intp], horizon: int) -> FloatArray:
    """One row per series at cut-off t = y.shape[1], from y alone (days [0, t)); ``label``
    the product of each row (0..P−1). Missing values (no sale yet, no year ago) are NaN."""
    y = np.asarray(y, dtype=np.float64)
    return History(y, label, horizon).at(y.shape[1])


class History:
    """The demand y (series × days) of one history and what :func:`features` at several of
    its cut-offs share, each computed once: the running sums of demand and of selling days,
    each series' last sale before every day and its first sale, the members' window sums
    (:class:`~stockshift.core.forecast.yearly.WindowSums`), and the features of every
    cut-off asked for. Features at t read days [0, t) alone and are, to the bit, those of
    ``features(y[:, :t], label, horizon)`` (a running sum's first t days are the prefix's
    running sum; tests/core/test_forecast_learned.py)."""

    def __init__(self, y: FloatArray, label: npt.NDArray[np.intp], horizon: int) -> None:
        n, t = y.shape
        self.y, self.label, self.horizon = y, label, horizon
        self.sums = WindowSums(y)
        self.csum = np.concatenate([np.zeros((n, 1)), np.cumsum(y, axis=1)], axis=1)
        self.days = np.concatenate(
            [np.zeros((n, 1), np.int32), np.cumsum(y > 0, axis=1, dtype=np.int32)], axis=1
        )
        day = np.where(y > 0, np.arange(t, dtype=np.int32), np.int32(-1))
        self.last = np.maximum.accumulate(day, axis=1) if t else day
        self.first = np.argmax(y > 0, axis=1) if t else np.zeros(n, np.intp)
        self._memo: dict[int, FloatArray] = {}

    def computed(self) -> set[int]:
        """The cut-offs whose features were computed."""
        return set(self._memo)

    def sold(self, t: int) -> npt.NDArray[np.bool_]:
        """The series that sold before day t (their demand over [0, t) is positive)."""
        out: npt.NDArray[np.bool_] = self.sums(0, t) > 0
        return out

    def at(self, t: int) -> FloatArray:
        """:func:`features` at cut-off t, computed once."""
        out = self._memo.get(t)
        if out is None:  # threads may both compute a cut-off: the same rows, kept once
            out = self._memo.setdefault(t, self._features(t))
        return out

    def _features(self, t: int) -> FloatArray:
        y, label, h = self.y[:, :t], self.label, self.horizon
        n = len(y)
        n_groups = int(label.max()) + 1 if n else 0

        def over(lo: int, hi: int, m: npt.NDArray[Any] = self.csum) -> FloatArray:
            lo, hi = max(lo, 0), max(min(hi, t), 0)
            out: FloatArray = m[:, hi] - m[:, lo] if hi > lo else np.zeros(n)
            return out

        def per_product(values: FloatArray) -> FloatArray:
            return np.bincount(label, weights=values, minlength=n_groups).astype(np.float64)

        nan = np.full(n, np.nan)
        mem = members(y, label, h, self.sums)
        cols = [*mem.T, mem @ np.asarray(PRIOR)]  # the blend's members and the blend (B)
        cols += [over(t - w, t) / min(w, t) * h for w in (7, 28, 56, 91, 182, 364)]
        ly = t - YEAR  # last year: the same h days, the next h, the 91 before
        cols += [
            over(ly, ly + h) if ly >= 0 else nan,
            over(ly + h, ly + 2 * h) if ly >= 0 else nan,
        ]
        cols.append(over(ly - 91, ly) / 91 * h if ly >= 91 else nan)
        last = self.last[:, t - 1] if t else np.full(n, -1)
        first = np.where(self.sold(t), self.first, -1) if t else np.full(n, -1)
        cols += [np.where(last >= 0, t - last, np.nan), np.where(first >= 0, t - first, np.nan)]
        cols += [over(t - w, t, self.days) for w in (28, 91, 364)]
        nz = over(t - 364, t, self.days)
        cols.append(np.where(nz > 0, over(t - 364, t) / np.maximum(nz, 1), np.nan))
        active = per_product((over(t - 364, t) > 0).astype(np.float64))
        cols.append(active[label])  # the product: stores selling it, its rates per store
        for w in (28, 91, 364):
            rate = per_product(over(t - w, t)) / min(w, t) * h / np.maximum(active, 1)
            cols.append(rate[label])
        if ly >= 91:
            after = per_product(over(ly, ly + h))
            before = per_product(over(ly - 91, ly)) * h / 91
            recent = per_product(over(t - 91, t)) * 364 / 91
            year = per_product(over(t - 364, t))
            cols += [
                np.log((after + 1) / (before + 1))[label],
                np.log((recent + 1) / (year + 1))[label],
            ]
        else:
            cols += [nan, nan]
        year_p = per_product(over(t - 364, t))[label]
        cols.append(over(t - 364, t) / np.maximum(year_p, 1))  # the series' share of its product
        return np.stack(cols, axis=1)


@dataclass(frozen=True, slots=True)
class TrainingRows:
    """Rows of the training matrix from some series (one run of products, or all): each a
    series that had sold before origin ``origin``, its ids, features and target A − B."""

    product_id: StrArray
    store_id: StrArray
    origin: IntArray
    x: FloatArray
    target: FloatArray


def origins_for(cuts: Sequence[int], horizon: int) -> list[int]:
    """Every training origin the models for ``cuts`` need, newest first."""
    found = {o for c in cuts for o in training_cuts(c, horizon) or []}
    return sorted(found, reverse=True)


def training_rows(
    y: FloatArray,
    group: GroupArray,
    ids: tuple[StrArray, StrArray],
    *,
    horizon: int,
    cuts: Sequence[int],
    history: History | None = None,
) -> TrainingRows:
    """The training rows of the series ``y`` (their product ``group``, their product and
    store ids per row) for the models of ``cuts``: features from days [0, o) and the demand
    over [o, o + h). ``history``: the :class:`History` of this ``y`` to compute them in
    (to share its cut-offs' features with the forecasts; a new one without)."""
    product_id, store_id = ids
    y = np.asarray(y, dtype=np.float64)
    known = history if history is not None else History(y, _labels(group), horizon)

    def at(o: int) -> tuple[StrArray, StrArray, IntArray, FloatArray, FloatArray]:
        sold = known.sold(o)
        x = known.at(o)[sold]
        a = y[sold, o : o + horizon].sum(axis=1)
        origin = np.full(int(sold.sum()), o, np.int64)
        return product_id[sold], store_id[sold], origin, x, a - x[:, BLEND_COLUMN]

    return _join(in_threads(at, origins_for(cuts, horizon)), n_features(horizon))


def n_features(horizon: int) -> int:
    return int(features(np.zeros((1, 1)), np.zeros(1, np.intp), horizon).shape[1])


def _join(
    parts: Sequence[tuple[StrArray, StrArray, IntArray, FloatArray, FloatArray]], width: int
) -> TrainingRows:
    if not parts:
        e = np.zeros(0, dtype=object)
        return TrainingRows(e, e, np.zeros(0, np.int64), np.zeros((0, width)), np.zeros(0))
    return TrainingRows(*(np.concatenate(list(cols)) for cols in zip(*parts, strict=True)))


def _hash(rows: TrainingRows) -> npt.NDArray[np.uint64]:
    """A 64-bit hash per row of (store id, product id, origin), from its values alone."""
    key = np.fromiter(
        (
            (zlib.crc32(str(s).encode()) << 32) | zlib.crc32(str(p).encode())
            for s, p in zip(rows.store_id, rows.product_id, strict=True)
        ),
        np.uint64,
        len(rows.origin),
    )
    z = key ^ (rows.origin.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    with np.errstate(over="ignore"):  # splitmix64's finaliser
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: npt.NDArray[np.uint64] = z ^ (z >> np.uint64(31))
    return out


def canonical(parts: Sequence[TrainingRows], cap: int = MAX_ROWS) -> TrainingRows:
    """The rows of every part in one order, whichever part each came from: by product id,
    store id, then origin newest first; each origin's rows beyond ``cap`` / origins dropped
    by hash (the same rows whatever the order or the runs)."""
    rows = _join(
        [(r.product_id, r.store_id, r.origin, r.x, r.target) for r in parts if len(r.origin)],
        parts[0].x.shape[1] if parts else 0,
    )
    if len(rows.origin) > cap:
        keep = _hash(rows) < np.uint64(int(cap / len(rows.origin) * 2.0**64))
        rows = TrainingRows(*(v[keep] for v in _fields(rows)))
    _, p = np.unique(rows.product_id.astype(str), return_inverse=True)
    _, s = np.unique(rows.store_id.astype(str), return_inverse=True)
    order = np.lexsort((-rows.origin, s.reshape(-1), p.reshape(-1)))
    return TrainingRows(*(v[order] for v in _fields(rows)))


def _fields(rows: TrainingRows) -> tuple[Any, ...]:
    return (rows.product_id, rows.store_id, rows.origin, rows.x, rows.target)


@dataclass(frozen=True, slots=True)
class Known:
    """Features of the series of one matrix y (the one a model was fitted on) at some
    cut-offs: c → (the series that sold before c, the features of every series)."""

    y: FloatArray
    label: npt.NDArray[np.intp]
    at: dict[int, tuple[npt.NDArray[np.bool_], FloatArray]]

    def of(self, y: FloatArray, label: npt.NDArray[np.intp]) -> bool:
        """Whether ``y`` is this matrix (the same memory, which the core never changes in
        place) with the same products: the features here are then those of ``y``."""
        same = y.shape == self.y.shape and is_prefix(y, self.y)
        return same and np.array_equal(label, self.label)


@dataclass(frozen=True, slots=True)
class BoostedBlend:
    """The fitted g_c of every cut-off c it was fitted for (module docstring), and the
    features at those c of the matrix it was fitted on when it has them (:func:`fit_series`:
    forecasting that matrix reads them instead of computing them again)."""

    horizon: int
    models: dict[int, Any]  # days of history → HistGradientBoostingRegressor
    known: Known | None = field(default=None, compare=False, repr=False)

    def covers(self, cuts: Sequence[int]) -> bool:
        return all(c in self.models for c in cuts)

    def totals(self, y: FloatArray, group: GroupArray, cuts: Sequence[int]) -> FloatArray:
        """out[k, i]: F_i(cuts[k]), series i's demand over the h days after cuts[k]."""
        y = np.asarray(y, dtype=np.float64)
        label = _labels(group)
        out = np.zeros((len(cuts), len(y)))
        known = self.known.at if self.known is not None and self.known.of(y, label) else {}
        history = History(y, label, self.horizon) if any(c not in known for c in cuts) else None

        def at(k: int) -> None:
            c = cuts[k]
            if c in known:
                sold, x = known[c]
            else:
                assert history is not None
                sold, x = history.sold(c), history.at(c)
            if sold.any():
                x = x[sold]
                with one_thread():
                    f = x[:, BLEND_COLUMN] + self.models[c].predict(x)
                out[k, sold] = np.maximum(f, 0.0)

        in_threads(at, range(len(cuts)))
        return out


def fit(parts: Sequence[TrainingRows], *, horizon: int, cuts: Sequence[int]) -> BoostedBlend | None:
    """g_c for every c of ``cuts`` from the training rows of every series (:func:`canonical`);
    None when a cut-off lacks its origins or its rows."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    if not available(cuts, horizon):
        return None
    rows = canonical(parts)
    uses = [np.isin(rows.origin, np.asarray(training_cuts(c, horizon), np.int64)) for c in cuts]
    if not all(use.any() for use in uses):
        return None

    def one(use: npt.NDArray[np.bool_]) -> Any:
        x = rows.x[use].copy()
        x[:, np.isnan(x).all(axis=0)] = -1.0  # a column never known: constant, not all-NaN
        with one_thread():  # per thread: OpenMP's thread count is a setting of each thread
            return HistGradientBoostingRegressor(**PARAMS).fit(x, rows.target[use])

    models = in_threads(one, uses)
    return BoostedBlend(horizon, dict(zip(cuts, models, strict=True)))


def fit_series(
    y: FloatArray,
    group: GroupArray,
    product_id: StrArray,
    store_id: StrArray,
    *,
    horizon: int,
    cuts: Sequence[int],
) -> BoostedBlend | None:
    """:func:`fit` on one matrix holding every series (one process); the model keeps the
    features at ``cuts`` of it (the training origins' among them: one computation each)."""
    if not available(cuts, horizon):
        return None
    y = np.asarray(y, dtype=np.float64)
    label = _labels(group)
    history = History(y, label, horizon)
    rows = training_rows(
        y, group, (product_id, store_id), horizon=horizon, cuts=cuts, history=history
    )
    model = fit([rows], horizon=horizon, cuts=cuts)
    if model is None:
        return None
    in_threads(history.at, [c for c in cuts if c not in history.computed()])
    known = Known(y, label, {c: (history.sold(c), history.at(c)) for c in cuts})
    return replace(model, known=known)
