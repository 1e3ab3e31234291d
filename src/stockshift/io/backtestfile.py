"""The backtest's outputs: the result file (``stockshift.backtest/1``), per-week CSV, chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from stockshift.core.backtest import BacktestResult, PolicyResult
from stockshift.io.csvcells import write_frame
from stockshift.io.planfile import atomic_write

SCHEMA = "stockshift.backtest/1"


def _r(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def parameters_dict(result: BacktestResult) -> dict[str, Any]:
    s, p = result.settings, result.params
    return {
        "start": str(result.start),
        "end": str(result.end),
        "weeks": s.weeks,
        "review_days": s.review_days,
        "warehouse_lead_days": s.warehouse_lead_days,
        "transfer_lead_days": s.transfer_lead_days,
        "policies": [r.policy for r in result.policies],
        "forecast": p.forecast,
        "window": p.window,
        "cover_days": p.cover_days,
        "service_level": p.service_level,
        "clusters": p.clusters,
        "max_distance_km": p.max_distance_km,
        "pack_size": p.pack_size,
        "min_transfer_units": p.min_transfer_units,
        "seed": p.seed,
        "sale_value": p.sale_value,
        "cost_per_unit_km": p.cost_per_unit_km,
        "cost_per_line": p.cost_per_line,
        "min_benefit": p.min_benefit,
    }


def policy_dict(r: PolicyResult) -> dict[str, Any]:
    return {
        "policy": r.policy,
        "demand": _r(r.demand),
        "sold": _r(r.sold),
        "lost": _r(r.lost),
        "fill_rate": None if r.fill_rate is None else _r(r.fill_rate, 6),
        "lost_vs_warehouse_pct": (
            None if r.lost_vs_warehouse_pct is None else _r(r.lost_vs_warehouse_pct, 3)
        ),
        "warehouse_units": _r(r.warehouse_units),
        "transfer_units": r.transfer_units,
        "transfer_lines": r.transfer_lines,
        "unit_km": _r(r.unit_km, 2),
        "average_stock": _r(r.average_stock, 2),
        "start_stock": _r(r.start_stock),
        "end_stock": _r(r.end_stock),
        "pipeline": _r(r.pipeline),
        "weeks": [
            {
                "week": w.week,
                "start": str(w.start),
                "demand": _r(w.demand),
                "sold": _r(w.sold),
                "lost": _r(w.lost),
                "warehouse_units": _r(w.warehouse_units),
                "transfer_units": w.transfer_units,
                "transfer_lines": w.transfer_lines,
                "unit_km": _r(w.unit_km, 2),
                "average_stock": _r(w.average_stock, 2),
            }
            for w in r.weeks
        ],
    }


def backtest_document(result: BacktestResult) -> dict[str, Any]:
    """SPEC section 10's result file as a dict; extra keys: network size and weeks."""
    return {
        "schema": SCHEMA,
        "parameters": parameters_dict(result),
        "network": {
            "stores": result.stores,
            "products": result.products,
            "rows": result.rows,
            "clusters": result.clusters,
        },
        "policies": [policy_dict(r) for r in result.policies],
    }


def weeks_frame(result: BacktestResult) -> pd.DataFrame:
    """One row per policy and week, with cumulative lost sales (the chart's series)."""
    rows = []
    for r in result.policies:
        cum = 0.0
        for w in r.weeks:
            cum += w.lost
            rows.append(
                {
                    "policy": r.policy,
                    "week": w.week,
                    "week_start": str(w.start),
                    "demand": _r(w.demand),
                    "sold": _r(w.sold),
                    "lost": _r(w.lost),
                    "cumulative_lost": _r(cum),
                    "fill_rate": _r(w.sold / w.demand, 6) if w.demand > 0 else None,
                    "warehouse_units": _r(w.warehouse_units),
                    "transfer_units": w.transfer_units,
                    "transfer_lines": w.transfer_lines,
                    "unit_km": _r(w.unit_km, 2),
                    "average_stock": _r(w.average_stock, 2),
                }
            )
    return pd.DataFrame(rows)


def write_backtest(result: BacktestResult, path: Path) -> None:
    text = json.dumps(backtest_document(result), indent=1)
    atomic_write(path, lambda fh: fh.write(text + "\n"))


def write_weeks_csv(result: BacktestResult, path: Path) -> None:
    frame = weeks_frame(result)
    atomic_write(path, lambda fh: write_frame(frame, fh))


COLOURS = {
    "warehouse": "#7f7f7f",
    "greedy": "#D55E00",
    "optimal": "#0072B2",
    "expected-benefit": "#009E73",
}


def write_chart(result: BacktestResult, path: Path) -> None:
    """Cumulative lost sales by week per policy (left) and unit-km per policy (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    for r in result.policies:
        weeks = [w.week for w in r.weeks]
        cum = pd.Series([w.lost for w in r.weeks]).cumsum()
        left.plot(weeks, cum, marker="o", label=r.policy, color=COLOURS.get(r.policy))
    left.set_xlabel("week")
    left.set_ylabel("cumulative lost sales (units)")
    left.set_title("Lost sales")
    left.legend()
    names = [r.policy for r in result.policies]
    right.bar(names, [r.unit_km for r in result.policies],
              color=[COLOURS.get(n, "#333333") for n in names])  # fmt: skip
    right.set_ylabel("unit-km moved")
    right.set_title("Transfer effort")
    fig.suptitle(f"Backtest {result.start} – {result.end}, {result.stores} stores")
    fig.tight_layout()
    atomic_write(path, lambda fh: fig.savefig(fh, format="png"), binary=True)
    plt.close(fig)
