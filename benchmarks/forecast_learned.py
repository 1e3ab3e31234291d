"""The study behind ``auto``'s learned first candidate, ``blend-boosted``
(core/forecast/learned.py, shipped): does a global gradient-boosted model over lag features
(the M5 winners' approach) beat the blend (core/forecast/blend.py) on the Iowa data?
``python -m benchmarks.forecast_learned [--report]`` runs the shipped model alone, without
``auto``'s choice among candidates (benchmarks/forecast_accuracy.py measures ``auto``).

For cut-off T the model is trained on the 6 inner origins c_k = T − 28·(k + 1): features of
every store-item series that had sold before c_k, computed from days [0, c_k) only, and the
target A − B, A its demand over [c_k, c_k + 28) and B the blend's forecast (the model learns
the blend's residual; predicting A directly lost, +6.6 % against MA-182 on Casey's tune
dates). The forecast is max(B + model, 0) on series that had sold, 0 elsewhere. ``learned``
is handed the days before the cut-off only, so no later day can enter, as a feature or as a
target.

Measured 2026-11-26 before shipping (HistGradientBoostingRegressor, 100 iterations, learning
rate 0.05, min_samples_leaf 200, random_state 0; Σ squared error of the 28-day totals
against the best moving-average window over the same dates, total bias ΣF/ΣA − 1), with 30
features, three of them the store's demand over every product:

| chain | dates | learned | blend | learned bias | blend bias |
|---|---|--:|--:|--:|--:|
| Casey's | tune (Jan–May 2022) | −4.4 % vs MA-182 | −1.4 % | −8.5 % | +3.6 % |
| Casey's | report (Jun–Oct 2022) | −6.4 % vs MA-182 | −3.2 % | −3.8 % | −4.1 % |
| Hy-Vee | tune | +2.6 % vs MA-364 | +3.1 % | +2.4 % | +13.4 % |
| Hy-Vee | report | −9.2 % vs MA-364 | −8.0 % | −3.3 % | −0.9 % |

Shipped without the store columns: they sum over every product, so a product's forecast
would depend on the others even given the fitted model (the Dask engine plans runs of
products apart). Dropping them cost nothing measurable: on Casey's report dates, all
training rows, the model alone came to −5.9 % against MA-182 without them and −6.2 % with
them (per date −5.8/−7.1/−7.0/−6.3/−5.9 % cumulated, against −5.6/−7.2/−7.1/−6.6/−6.2 %);
200 iterations gave the same as 100 (early stopping ends sooner). The shipped model is
fitted once over the whole history and handed to every product's run (docs/architecture.md).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.forecast_accuracy import CUTOFFS, HORIZON, history_case
from benchmarks.forecast_tuning import TUNE
from benchmarks.run import SHARED_CANDIDATES, files, prepare, stockshift
from stockshift.core.forecast.learned import BLEND_COLUMN, features, fit_series
from stockshift.core.types import FloatArray, Int32Array, StrArray
from stockshift.io.readers import load_dataset

H = HORIZON


def learned(history: FloatArray, product: Int32Array, store: StrArray, ids: StrArray) -> FloatArray:
    """Every series' demand over the 28 days after ``history`` (days [0, cut)), from it alone
    by the shipped model (core/forecast/learned.py) without ``auto``'s choice: no day at or
    after the cut-off can enter, not even as an inner origin's target."""
    cut = history.shape[1]
    model = fit_series(history, product, ids, store, horizon=H, cuts=[cut])
    if model is None:
        raise SystemExit(f"{cut} days are too few for the learned model")
    out: FloatArray = model.totals(history, product, [cut])[0]
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="the report cut-offs, not tune")
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
        product = ds.inventory.product
        ids, store = ds.inventory.product_ids[product], ds.stores.ids[ds.inventory.store]
        _, label = np.unique(product, return_inverse=True)
        cuts = [int((np.datetime64(d) - first).astype(int)) for d in dates]
        se: dict[str, float] = {}
        sums = {"learned": 0.0, "blend": 0.0, "actual": 0.0}
        t0 = time.process_time()
        for cut in cuts:
            actual = y[:, cut : cut + H].sum(axis=1)
            sold = y[:, :cut].sum(axis=1) > 0
            b = np.where(sold, features(y[:, :cut], label, H)[:, BLEND_COLUMN], 0.0)
            preds = {"learned": learned(y[:, :cut], product, store, ids), "blend": b}
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
