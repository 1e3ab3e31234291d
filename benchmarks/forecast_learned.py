"""A study, not shipped: does a global gradient-boosted model over lag features (the M5
winners' approach) beat the blend (core/forecast/blend.py) on the Iowa data?
``python -m benchmarks.forecast_learned [--report]``.

For cut-off T the model is trained on the ``origins`` inner origins c_k = T − 28·(k + 1):
features of every store-item series that had sold before c_k, computed from days [0, c_k)
only, and the target A − B, A its demand over [c_k, c_k + 28) and B the blend's forecast
(the model learns the blend's residual; predicting A directly lost, +6.6 % against MA-182
on Casey's tune dates). The forecast is max(B + model, 0) on series that had sold, 0
elsewhere, as ``auto`` (benchmarks/forecast_accuracy.py). ``learned`` is handed the days
before the cut-off only, so no later day can enter, as a feature or as a target.

Measured 2026-11-26 (HistGradientBoostingRegressor, 100 iterations, learning rate 0.05,
min_samples_leaf 200, random_state 0; 6 origins; Σ squared error of the 28-day totals
against the best moving-average window over the same dates, total bias ΣF/ΣA − 1):

| chain | dates | learned | blend | learned bias | blend bias |
|---|---|--:|--:|--:|--:|
| Casey's | tune (Jan–May 2022) | −4.4 % vs MA-182 | −1.4 % | −8.5 % | +3.6 % |
| Casey's | report (Jun–Oct 2022) | −6.4 % vs MA-182 | −3.2 % | −3.8 % | −4.1 % |
| Hy-Vee | tune | +2.6 % vs MA-364 | +3.1 % | +2.4 % | +13.4 % |
| Hy-Vee | report | −9.2 % vs MA-364 | −8.0 % | −3.3 % | −0.9 % |

Not productised: the model is trained across products (and the store features sum across
products), so a product's forecast would depend on the others, which the Dask engine's
per-product runs and tests/core/test_forecast_blend.py forbid; it needs a model fitted once
on the whole history and passed to every run, or per-product training.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from benchmarks.forecast_accuracy import CUTOFFS, HORIZON, history_case
from benchmarks.forecast_tuning import TUNE
from benchmarks.run import SHARED_CANDIDATES, files, prepare, stockshift
from stockshift.core.forecast import blend
from stockshift.core.types import FloatArray, Int32Array
from stockshift.io.readers import load_dataset

H = HORIZON
PARAMS = {"max_iter": 100, "learning_rate": 0.05, "min_samples_leaf": 200, "random_state": 0}


def features(y: FloatArray, product: Int32Array, store: Int32Array) -> FloatArray:
    """One row per series at cut-off t = y.shape[1], from y alone (days [0, t))."""
    n, t = y.shape
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(y, axis=1)], axis=1)
    days = np.concatenate([np.zeros((n, 1)), np.cumsum(y > 0, axis=1)], axis=1)

    def over(lo: int, hi: int, m: FloatArray = csum) -> FloatArray:
        lo, hi = max(lo, 0), max(min(hi, t), 0)
        return m[:, hi] - m[:, lo] if hi > lo else np.zeros(n)

    _, plab = np.unique(product, return_inverse=True)
    _, slab = np.unique(store, return_inverse=True)
    nan = np.full(n, np.nan)
    mem = blend.members(y, plab, H)
    cols = [*mem.T, mem @ np.asarray(blend.PRIOR)]  # the blend's members and the blend (B)
    cols += [over(t - w, t) / min(w, t) * H for w in (7, 28, 56, 91, 182, 364)]
    ly = t - 364  # last year: the same 28 days, the next 28, the 91 before
    cols += [over(ly, ly + H) if ly >= 0 else nan, over(ly + H, ly + 2 * H) if ly >= 0 else nan]
    cols.append(over(ly - 91, ly) / 91 * H if ly >= 91 else nan)
    last = np.where(y > 0, np.arange(t)[None, :], -1).max(axis=1)
    first = np.where(y.sum(axis=1) > 0, np.argmax(y > 0, axis=1), -1)
    cols += [np.where(last >= 0, t - last, np.nan), np.where(first >= 0, t - first, np.nan)]
    cols += [over(t - w, t, days) for w in (28, 91, 364)]
    nz = over(t - 364, t, days)
    cols.append(np.where(nz > 0, over(t - 364, t) / np.maximum(nz, 1), np.nan))
    active = np.bincount(plab, weights=(over(t - 364, t) > 0).astype(float))
    cols.append(active[plab])  # the product: stores selling it, its rates per store
    for w in (28, 91, 364):
        cols.append(
            (np.bincount(plab, weights=over(t - w, t)) / min(w, t) * H / np.maximum(active, 1))[
                plab
            ]
        )
    if ly >= 91:
        after = np.bincount(plab, weights=over(ly, ly + H))
        before = np.bincount(plab, weights=over(ly - 91, ly)) * H / 91
        recent = np.bincount(plab, weights=over(t - 91, t)) * 364 / 91
        year = np.bincount(plab, weights=over(t - 364, t))
        cols += [np.log((after + 1) / (before + 1))[plab], np.log((recent + 1) / (year + 1))[plab]]
    else:
        cols += [nan, nan]
    cols += [np.bincount(slab, weights=over(t - w, t))[slab] / min(w, t) * H for w in (28, 91, 364)]
    year_p = np.bincount(plab, weights=over(t - 364, t))[plab]
    cols.append(over(t - 364, t) / np.maximum(year_p, 1))  # the series' share of its product
    x = np.stack(cols, axis=1)
    x[:, np.isnan(x).all(axis=0)] = -1.0  # sklearn cannot bin an all-NaN column
    return x


BLEND_COLUMN = 4  # features()' column holding the blend's forecast


def learned(
    history: FloatArray, product: Int32Array, store: Int32Array, origins: int
) -> FloatArray:
    """Every series' demand over the 28 days after ``history`` (days [0, cut)), from it alone:
    no day at or after the cut-off can enter, not even as an inner origin's target."""
    y_all, cut = history, history.shape[1]
    xs, targets = [], []
    for k in range(origins):
        c = cut - H * (k + 1)
        if c < 2 * H:
            break
        assert c + H <= cut  # a whole target window inside the history (slices would clip)
        sold = y_all[:, :c].sum(axis=1) > 0
        x = features(y_all[:, :c], product, store)[sold]
        xs.append(x)
        targets.append(y_all[sold, c : c + H].sum(axis=1) - x[:, BLEND_COLUMN])
    now = features(y_all[:, :cut], product, store)
    model = HistGradientBoostingRegressor(**PARAMS).fit(np.concatenate(xs), np.concatenate(targets))
    sold = y_all[:, :cut].sum(axis=1) > 0
    out: FloatArray = np.where(
        sold, np.maximum(now[:, BLEND_COLUMN] + model.predict(now), 0.0), 0.0
    )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="the report cut-offs, not tune")
    parser.add_argument("--origins", type=int, default=6)
    args = parser.parse_args(argv)
    shared = next((p for p in SHARED_CANDIDATES if p.exists()), None)
    if shared is None:
        raise SystemExit("the Iowa data (/work/shared/data) was not found")
    dates = CUTOFFS if args.report else TUNE
    for chain in ("HY-VEE", "CASEY'S"):
        folder, _ = prepare(history_case(shared, chain), stockshift())
        data = files(Path(folder))
        ds = load_dataset(stores=data["stores"], inventory=data["inventory"], sales=data["sales"])
        assert ds.sales is not None
        y, first = ds.sales.units, ds.sales.first_day
        product, store = ds.inventory.product, ds.inventory.store
        cuts = [int((np.datetime64(d) - first).astype(int)) for d in dates]
        se: dict[str, float] = {}
        sums = {"learned": 0.0, "blend": 0.0, "actual": 0.0}
        t0 = time.process_time()
        for cut in cuts:
            actual = y[:, cut : cut + H].sum(axis=1)
            sold = y[:, :cut].sum(axis=1) > 0
            b = np.where(sold, features(y[:, :cut], product, store)[:, BLEND_COLUMN], 0.0)
            preds = {"learned": learned(y[:, :cut], product, store, args.origins), "blend": b}
            for w in (28, 56, 91, 182, 364):
                preds[f"MA-{w}"] = y[:, cut - w : cut].mean(axis=1) * H
            for name, f in preds.items():
                se[name] = se.get(name, 0.0) + float(((actual - f) ** 2).sum())
            for name, total in (("learned", preds["learned"]), ("blend", b), ("actual", actual)):
                sums[name] += float(total.sum())
        best = min((k for k in se if k.startswith("MA-")), key=lambda k: se[k])
        gain = {k: f"{se[k] / se[best] - 1:+.1%}" for k in ("learned", "blend")}
        bias = {k: f"{sums[k] / sums['actual'] - 1:+.1%}" for k in ("learned", "blend")}
        print(
            f"{chain} {'report' if args.report else 'tune'}: against {best} learned "
            f"{gain['learned']}, blend {gain['blend']}; total bias learned {bias['learned']}, "
            f"blend {bias['blend']}; {time.process_time() - t0:.0f} s CPU"
        )


if __name__ == "__main__":
    main()
