"""How the yearly-seasonal moving average's constants were chosen (``python -m
benchmarks.forecast_tuning``): every variant on *tune* cut-offs (January to May 2022) and on
the *report* cut-offs of benchmarks/forecast_accuracy.py, Iowa Hy-Vee and Casey's from
2021-01-04 (top 300 items). Printed as a Markdown table; docs/benchmarks.md quotes it.

Each cell is the change in Σ squared error of the 28-day totals against the 182-day moving
average on the same dates, and the total bias ΣF/ΣA − 1 on the report dates. Only the tune
columns may be used to choose; the report columns say how the choice held up.

``--blend`` scores instead the stacked forecast (core/forecast/blend.py): its weights per
product shrunk toward the prior by several amounts, the prior alone, and the members alone;
and prints, per tune date, the weights NNLS gives when pooled over the whole chain (the prior
is their mean over both chains' tune dates, scaled to sum to 1).

``--choice`` scores instead variants of ``auto``'s choice among its candidates (the margin,
pooling per product, a series quiet in every origin window keeping the first candidate) on
2022-04-01, 2022-05-02 (tune) and the report dates; slow: a full evaluation per date.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import stockshift.core.forecast.auto as auto_module
from benchmarks.forecast_accuracy import CUTOFFS, HORIZON, history_case
from benchmarks.run import SHARED_CANDIDATES, files, prepare, stockshift
from stockshift.core.forecast import blend
from stockshift.core.forecast.auto import Evaluation, evaluate, select
from stockshift.core.forecast.engine import STANDARD
from stockshift.core.forecast.yearly import YearlySeasonalMovingAverage
from stockshift.core.types import FloatArray, Int32Array
from stockshift.io.readers import load_dataset

TUNE = ("2022-01-03", "2022-02-01", "2022-03-01", "2022-04-01", "2022-05-02")
Method = Callable[[FloatArray, Int32Array], FloatArray]


def moving_average(window: int) -> Method:
    return lambda y, group: y[:, -window:].mean(axis=1) * HORIZON


def seasonal(window: int = 182, **kw: float) -> Method:
    def fit(y: FloatArray, group: Int32Array) -> FloatArray:
        model = YearlySeasonalMovingAverage(HORIZON, window, **kw)  # type: ignore[arg-type]
        out: FloatArray = model.fit_grouped(y, group).rate(HORIZON) * HORIZON
        return out

    return fit


VARIANTS: dict[str, Method] = {
    "moving average 182": moving_average(182),
    "moving average 364": moving_average(364),
    "dormant only (λ = 0)": seasonal(weight=0.0),
    "season λ 0.5, clip 0.4, no dormant": seasonal(dormant_origins=0),
    "season λ 0.5, clip 0.4 (shipped)": seasonal(),
    "season λ 0.75, clip 0.4": seasonal(weight=0.75),
    "season λ 1, clip 0.4": seasonal(weight=1.0),
    "season λ 0.5, clip 0.7": seasonal(clip=0.7),
    "season λ 0.5, clip 0.4, min base 56": seasonal(min_base=56),
    "season λ 0.5, clip 0.4, base 91": seasonal(base=91),
    "season λ 0.5, clip 0.4, window 364": seasonal(364),
}


def blended(shrink: float) -> Method:
    def fit(y: FloatArray, group: Int32Array) -> FloatArray:
        out: FloatArray = blend.Blend(HORIZON, shrink=shrink).fit_grouped(y, group).rate_
        return out * HORIZON

    return fit


BLEND: dict[str, Method] = {
    "moving average 364": moving_average(364),
    "season λ 0.5, clip 0.4, window 364": seasonal(364),
    **{f"blend, weights per product, shrink {s:g}": blended(s) for s in (0.1, 1.0, 10.0)},
    f"blend, the prior {blend.PRIOR} alone (shipped)": blended(float("inf")),
}


def pooled_weights(y: FloatArray, group: Int32Array) -> FloatArray:
    """The blend's weights fitted by NNLS on the inner origins, pooled over every series."""
    _, label = np.unique(group, return_inverse=True)
    t, h = y.shape[1], HORIZON
    cuts = [t - h * (k + 1) for k in range(blend.ORIGINS) if t - h * (k + 1) >= blend.MIN_DAYS]
    x = np.concatenate([blend.members(y[:, :c], label, h) for c in cuts])
    a = np.concatenate([y[:, c : c + h].sum(axis=1) for c in cuts])
    return blend.weights(x, a, np.asarray(blend.PRIOR), 0.0)


#: ``auto``'s choice: (margin, pooled per product, a challenger must beat the first at every
#: origin, origins); a series quiet in every origin window keeps the first candidate.
GRID = (
    (1.0, False, False, 4), (0.3, False, False, 4), (0.5, False, False, 4), (0.7, False, False, 4),
    (0.3, False, True, 4), (0.5, False, True, 4), (0.3, True, False, 4), (0.5, True, False, 4),
    (0.7, True, False, 4), (0.3, True, True, 4), (0.5, False, False, 8), (0.5, False, True, 8),
    (0.5, True, False, 8),
)  # fmt: skip
SHIPPED = (auto_module.MARGIN, auto_module.PER_PRODUCT, auto_module.EVERY_ORIGIN, 4)


def _name(margin: float, pooled: bool, every: bool, origins: int) -> str:
    return (
        f"margin {margin:g}, per {'product' if pooled else 'series'}"
        + (", every origin" if every else "")
        + (f", {origins} origins" if origins != auto_module.ORIGINS else "")
        + (" (always the blend)" if margin >= 1 else "")
        + (" (shipped)" if (margin, pooled, every, origins) == SHIPPED else "")
    )


CHOICES: dict[str, tuple[float, bool, bool, bool, int]] = {
    _name(m, p, e, k): (m, p, True, e, k) for m, p, e, k in GRID
}
CHOICE_ORIGINS = 8  # evaluated once per date; a variant with fewer uses the newest ones
_EVALUATIONS: dict[tuple[int, ...], Evaluation] = {}


def evaluation(y: FloatArray, group: Int32Array) -> Evaluation:
    """The candidates' rolling-origin evaluation, shared by every choice variant of a date."""
    key = (*y.shape, int(y.sum()))
    if key not in _EVALUATIONS:
        _EVALUATIONS.clear()
        _EVALUATIONS[key] = evaluate(
            y, horizon=HORIZON, candidates=STANDARD, group=group, n_origins=CHOICE_ORIGINS
        )
    return _EVALUATIONS[key]


def choice(margin: float, pooled: bool, quiet: bool, every: bool, origins: int) -> Method:
    """``auto`` with the choice made as the variant says (the module's switches set for the
    call and put back)."""

    def fit(y: FloatArray, group: Int32Array) -> FloatArray:
        ev = evaluation(y, group)
        saved = (
            auto_module.MARGIN,
            auto_module.EVERY_ORIGIN,
            auto_module.pooled_by_group,
            auto_module.choose,
        )
        plain = auto_module.choose

        def choose(
            e: Evaluation, origins: np.ndarray, grp: Int32Array | None = None, among: None = None
        ) -> tuple[Int32Array, FloatArray]:
            if not quiet and grp is None:  # one group a series: the same argmin, no rule
                grp = np.arange(e.actual.shape[1], dtype=np.int32)
            return plain(e, origins, grp, among)

        auto_module.MARGIN, auto_module.EVERY_ORIGIN = margin, every
        auto_module.pooled_by_group = lambda n: pooled or n < 3  # type: ignore[assignment]
        auto_module.choose = choose  # type: ignore[assignment]
        try:
            fc = select(ev, group=group, n_origins=origins)
        finally:
            (
                auto_module.MARGIN,
                auto_module.EVERY_ORIGIN,
                auto_module.pooled_by_group,
                auto_module.choose,
            ) = saved
        kept = fc.method == 0
        print(
            f"  margin {margin}, pooled {pooled}, every {every}, {origins} origins: "
            f"{1 - kept[y.sum(axis=1) > 0].mean():.1%} of the sold series not the first",
            file=sys.stderr,
        )
        out: FloatArray = np.where(y.sum(axis=1) > 0, fc.mean, 0.0)
        return out

    return fit


def score(
    y_all: FloatArray,
    first: np.datetime64,
    group: Int32Array,
    dates: Sequence[str],
    variants: dict[str, Method],
) -> dict[str, tuple[float, float, float]]:
    """Per variant: Σ squared error over ``dates``, ΣF and ΣA."""
    out = dict.fromkeys(variants, (0.0, 0.0, 0.0))
    for date in dates:
        cut = int((np.datetime64(date) - first).astype(int))
        y = y_all[:, :cut]
        actual = y_all[:, cut : cut + HORIZON].sum(axis=1)
        for name, method in variants.items():
            f = method(y, group)
            se, fs, acts = out[name]
            out[name] = (se + float(((actual - f) ** 2).sum()), fs + f.sum(), acts + actual.sum())
        print(
            f"{date}: { ({k: round(v[0]) for k, v in out.items()}) }", file=sys.stderr, flush=True
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--choice", action="store_true", help="score auto's choice variants")
    parser.add_argument("--blend", action="store_true", help="score the blend's variants")
    parser.add_argument(
        "--chain", choices=("HY-VEE", "CASEY'S"), action="append", help="one chain (default both)"
    )
    args = parser.parse_args(argv)
    base = {"moving average 182": moving_average(182)}
    variants = {**base, **{k: choice(*v) for k, v in CHOICES.items()}} if args.choice else VARIANTS
    if args.blend:
        variants = {**base, **BLEND}
    tune_dates = TUNE[3:] if args.choice else TUNE
    shared = next((p for p in SHARED_CANDIDATES if p.exists()), None)
    if shared is None:
        raise SystemExit("the Iowa data (/work/shared/data) was not found")
    exe = stockshift()
    header = "| variant |"
    rule = "|---|"
    columns: list[dict[str, str]] = []
    for chain in args.chain or ("HY-VEE", "CASEY'S"):
        case = history_case(shared, chain)
        folder, _ = prepare(case, exe)
        data = files(Path(folder))
        ds = load_dataset(stores=data["stores"], inventory=data["inventory"], sales=data["sales"])
        assert ds.sales is not None
        y, first, group = ds.sales.units, ds.sales.first_day, ds.inventory.product
        if args.blend:
            for date in tune_dates:
                cut = int((np.datetime64(date) - first).astype(int))
                w = pooled_weights(y[:, :cut], group)
                print(f"{chain} {date}: pooled weights {np.round(w, 3).tolist()}", file=sys.stderr)
        tune = score(y, first, group, tune_dates, variants)
        t0 = tune["moving average 182"][0]
        for name in variants:
            print(f"{chain} tune {name}: {tune[name][0] / t0 - 1:+.2%}", file=sys.stderr)
        report = score(y, first, group, CUTOFFS, variants)
        r0 = report["moving average 182"][0]
        columns.append(
            {
                name: f"{tune[name][0] / t0 - 1:+.1%} | {report[name][0] / r0 - 1:+.1%} | "
                f"{report[name][1] / report[name][2] - 1:+.1%}"
                for name in variants
            }
        )
        header += f" {chain} tune | {chain} report | {chain} bias |"
        rule += "--:|--:|--:|"
        print(f"{chain}: done", file=sys.stderr)
    print(header)
    print(rule)
    for name in variants:
        print(f"| {name} | " + " | ".join(c[name] for c in columns) + " |")


if __name__ == "__main__":
    main()
