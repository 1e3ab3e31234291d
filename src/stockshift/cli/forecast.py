"""``stockshift forecast``: rates and targets per store and product, and how accurate each
forecasting method has been on held-out windows of the user's own history."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import numpy.typing as npt
import pandas as pd
import typer
from rich.table import Table

from stockshift.cli.app import app, check_output, console, fail, load, run
from stockshift.cli.options import (
    CoverOpt,
    ForecastOpt,
    InventoryOpt,
    SalesOpt,
    ServiceOpt,
    StoresOpt,
    WindowOpt,
)
from stockshift.core.errors import ParameterError
from stockshift.core.parameters import validate_parameters
from stockshift.core.types import Dataset, PlanParameters, Targets
from stockshift.io.csvcells import write_frame

if TYPE_CHECKING:  # the forecasters are imported when the command runs (cli/main.py)
    from stockshift.core.forecast import DemandForecast
    from stockshift.core.forecast.accuracy import Accuracy

PNG_SERIES = 6
PNG_DAYS = 120


@app.command("forecast")
def forecast_command(
    stores: StoresOpt = None,
    inventory: InventoryOpt = None,
    sales: SalesOpt = None,
    forecast: ForecastOpt = "moving-average",
    window: WindowOpt = 28,
    cover_days: CoverOpt = 7,
    service_level: ServiceOpt = None,
    holdout_windows: Annotated[
        int,
        typer.Option(
            "--holdout-windows",
            help="Newest windows of --cover-days days held out to score every method.",
        ),
    ] = 2,
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, help="Rows of the rate/target table to print (0: none)."),
    ] = 20,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write every store/product rate and target here.")
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Draw history, forecast and interval of a few series here."),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", help="Processes that fit the models (default: one per core)."),
    ] = 0,
    all_methods: Annotated[
        bool,
        typer.Option(
            "--all-methods",
            help="Score every model in the accuracy table (Croston, TSB, IMAPA, ...), not only "
            "auto's candidates and the baselines; several times slower.",
        ),
    ] = False,
) -> None:
    """Forecast demand per store and product, and score every method on held-out windows."""
    from stockshift.core.forecast import auto_forecast, evaluate, select
    from stockshift.core.forecast.accuracy import held_out
    from stockshift.core.forecast.auto import ORIGINS, fit_learned, only_sold
    from stockshift.core.forecast.engine import default_candidates, scored_candidates
    from stockshift.core.targets import distribution_targets, forecast_targets
    from stockshift.io.planfile import atomic_write

    check_output(csv, "--csv")
    check_output(png, "--png", (".png", ".svg", ".pdf"))
    if sales is None:
        fail("forecast needs --sales sales.csv (daily units per store and product)")
    if holdout_windows < 1:
        fail(f"--holdout-windows {holdout_windows}: must be at least 1")
    if jobs < 0:
        fail(f"--jobs {jobs}: must be at least 1 (or 0 for one per core)")
    run(
        lambda: validate_parameters(
            PlanParameters(
                forecast=forecast,  # type: ignore[arg-type]
                window=window,
                cover_days=cover_days,
                service_level=service_level,
            )
        )
    )
    dataset = run(lambda: load(None, stores, inventory, sales, sales_days=None))
    s = dataset.sales
    assert s is not None
    group = dataset.inventory.product
    names = scored_candidates(len(s.units), every_model=all_methods)
    among = default_candidates(len(s.units))
    n_jobs = jobs or os.cpu_count() or 1
    ids = (dataset.inventory.product_ids[group], dataset.stores.ids[dataset.inventory.store])
    learned = run(
        lambda: fit_learned(
            s.units, group, *ids, horizon=cover_days, n_origins=ORIGINS + holdout_windows
        )
    )
    ev = run(
        lambda: evaluate(
            s.units,
            horizon=cover_days,
            candidates=names,
            n_origins=ORIGINS + holdout_windows,
            n_jobs=n_jobs,
            group=group,
            learned=learned,
        )
    )
    auto_fc = only_sold(select(ev, n_origins=ORIGINS, group=group, among=among), s.has_sales)
    if learned is None:  # too few days to hold windows out for it, maybe enough for a plan's
        plan_learned = fit_learned(s.units, group, *ids, horizon=cover_days)
        if plan_learned is not None:
            fc = auto_forecast(
                s.units, horizon=cover_days, group=group, n_jobs=n_jobs, learned=plan_learned
            )
            auto_fc = only_sold(fc, s.has_sales)
    if forecast == "auto":
        t = run(
            lambda: distribution_targets(dataset.inventory, auto_fc, service_level=service_level)
        )
    else:
        t = run(
            lambda: forecast_targets(
                dataset.inventory,
                s,
                method=forecast,
                window=window,
                cover_days=cover_days,
                service_level=service_level,
            )
        )
    frame = _frame(dataset, t)
    console.print(
        f"Sales from {s.last_day - (s.total_days - 1)} to {s.last_day} ({s.total_days} days); "
        f"method {forecast}"
        + (f", window {window}" if forecast != "auto" else "")
        + f", cover {cover_days} days"
        + (f", service level {service_level}" if service_level else "")
    )
    if limit > 0:
        table = Table(
            *frame.columns,
            title=f"Rate and target (first {min(limit, len(frame))} of {len(frame)})",
        )
        for row in frame.head(limit).itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        console.print(table)
    if len(ev.cuts) == 0:
        console.print(
            f"No held-out window: {s.total_days} days of sales are too few for windows of "
            f"{cover_days} days; auto falls back to moving-average-28."
        )
    else:
        scores, _ = held_out(
            ev, windows=holdout_windows, n_origins=ORIGINS, group=group, among=among
        )
        console.print(_accuracy_table(scores, min(holdout_windows, len(ev.cuts)), cover_days))
    console.print(_share_table(auto_fc, s.has_sales))
    if csv is not None:
        atomic_write(csv, lambda fh: write_frame(frame, fh))
        console.print(f"Rates and targets written to {csv}")
    if png is not None:
        shown = run(lambda: _write_png(png, dataset, auto_fc, service_level))
        console.print(f"{shown} series drawn in {png}")


def _cell(v: object) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _frame(dataset: Dataset, t: Targets) -> pd.DataFrame:
    inv = dataset.inventory
    frame = pd.DataFrame(
        {
            "store_id": dataset.stores.ids[inv.store],
            "product_id": inv.product_ids[inv.product],
            "on_hand": inv.on_hand,
            "rate_per_day": np.round(t.rate if t.rate is not None else 0.0, 4),
            "target": t.target.astype(np.int64),
            "surplus": t.surplus,
            "need": t.need,
        }
    )
    if t.sigma is not None and t.method is not None:
        frame["sigma"] = np.round(t.sigma, 4)
        frame["method"] = t.method
    return frame


def _accuracy_table(scores: list[Accuracy], windows: int, cover: int) -> Table:
    from stockshift.core.forecast.accuracy import AUTO

    table = Table(
        "method",
        "MSE",
        "MAE",
        "bias",
        "RMSSE",
        title=f"Demand over {cover} days on the last {windows} held-out window(s), all series",
        caption="MSE/MAE of each window's total demand; bias (ΣF − ΣA)/ΣA; RMSSE √(MSE / "
        "MSE of seasonal-naive). auto chooses per series on windows before each one.",
    )
    best = min((sc for sc in scores if sc.method != AUTO), key=lambda sc: sc.mse)
    for sc in scores:
        mark = "  <- lowest" if sc is best else ""
        table.add_row(
            sc.method,
            f"{sc.mse:.3f}{mark}",
            f"{sc.mae:.3f}",
            "n/a" if sc.bias is None else f"{sc.bias:+.1%}",
            "n/a" if sc.rmsse is None else f"{sc.rmsse:.3f}",
        )
    return table


def _share_table(fc: DemandForecast, sold: npt.NDArray[np.bool_]) -> Table:
    counts = Counter(fc.method_names()[sold].tolist())
    total = max(sum(counts.values()), 1)
    table = Table("method", "series", "share", title="auto's choice (series that sold)")
    for name, n in counts.most_common():
        table.add_row(str(name), str(n), f"{n / total:.1%}")
    return table


def _write_png(
    path: Path, dataset: Dataset, fc: DemandForecast, service_level: float | None
) -> int:
    """The best-selling series: daily history, the auto forecast's mean daily demand over the
    cover days and its central interval at the service level (80 % without one)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stockshift.core.targets import safety_z

    s = dataset.sales
    if s is None or len(s.units) == 0:
        raise ParameterError("--png: no series to draw")
    inv = dataset.inventory
    level = service_level or 0.8
    z = safety_z(1 - (1 - level) / 2)
    rows = np.argsort(-s.units.sum(axis=1), kind="stable")[:PNG_SERIES]
    fig, axes = plt.subplots(len(rows), 1, figsize=(8, 2.2 * len(rows)), dpi=110, squeeze=False)
    days = min(PNG_DAYS, s.units.shape[1])
    h = fc.horizon
    for ax, i in zip(axes[:, 0], rows, strict=True):
        ax.bar(np.arange(-days, 0), s.units[i, -days:], width=1.0, color="#999999", label="sales")
        lo = max(fc.mean[i] - z * fc.sigma[i], 0.0) / h
        hi = (fc.mean[i] + z * fc.sigma[i]) / h
        ax.fill_between([0, h], lo, hi, color="#56B4E9", alpha=0.4, label=f"{level:.0%} interval")
        ax.plot([0, h], [fc.rate[i]] * 2, color="#0072B2", label="forecast (mean per day)")
        ax.set_title(
            f"store {dataset.stores.ids[inv.store[i]]}, product "
            f"{inv.product_ids[inv.product[i]]}: {fc.method_names()[i]}",
            fontsize=9,
        )
        ax.set_ylabel("units/day")
    axes[0, 0].legend(fontsize=7, loc="upper left")
    axes[-1, 0].set_xlabel("days from the last day of sales")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return len(rows)
