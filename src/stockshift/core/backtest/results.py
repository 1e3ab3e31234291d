"""From the replays' exact figures to SPEC section 10's result, the same whichever engine
replayed them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from stockshift.core.backtest.network import Setup
from stockshift.core.backtest.settings import (
    WAREHOUSE,
    BacktestResult,
    BacktestSettings,
    PolicyResult,
    WeekResult,
)
from stockshift.core.backtest.tally import Tally
from stockshift.core.types import FloatArray


def backtest_result(
    setup: Setup, tallies: Mapping[str, Tally], *, stores: int, products: int, rows: int
) -> BacktestResult:
    """Each policy's figures, lost sales against ``warehouse`` (which ``tallies`` holds)."""
    raw = {name: policy_result(setup, name, tally) for name, tally in tallies.items()}
    base = raw[WAREHOUSE].lost
    results = []
    for r in raw.values():
        if base > 0:
            pct: float | None = 100.0 * (r.lost - base) / base
        else:
            pct = 0.0 if r.lost == 0 else None
        results.append(replace(r, lost_vs_warehouse_pct=pct))
    settings = setup.settings
    assert settings.start is not None
    return BacktestResult(
        settings=settings,
        params=setup.params,
        start=settings.start,
        end=settings.start + np.timedelta64(settings.days - 1, "D"),
        stores=stores,
        products=products,
        rows=rows,
        clusters=setup.clustering.k,
        policies=tuple(results),
    )


def policy_result(setup: Setup, name: str, tally: Tally) -> PolicyResult:
    """One policy's totals and weeks (``lost_vs_warehouse_pct`` is left to the caller)."""
    daily, per_review, start_stock, end_stock, pipeline = tally.floats()
    settings = setup.settings
    assert settings.start is not None
    demand, sold, lost = (float(daily[i].sum()) for i in range(3))
    return PolicyResult(
        policy=name,
        demand=demand,
        sold=sold,
        lost=lost,
        fill_rate=sold / demand if demand > 0 else None,
        warehouse_units=float(per_review[0].sum()),
        transfer_units=round(float(per_review[1].sum())),
        transfer_lines=int(per_review[2].sum()),
        unit_km=float(per_review[3].sum()),
        average_stock=float(daily[3].mean()),
        lost_vs_warehouse_pct=None,
        start_stock=start_stock,
        end_stock=end_stock,
        pipeline=pipeline,
        weeks=_weeks(settings, settings.start, daily, per_review),
    )


def _weeks(
    settings: BacktestSettings, start: np.datetime64, daily: FloatArray, per_review: FloatArray
) -> tuple[WeekResult, ...]:
    by_week = daily.reshape(4, settings.weeks, 7)
    rev = per_review.reshape(4, settings.weeks, 7).sum(axis=2)
    return tuple(
        WeekResult(
            week=w + 1,
            start=start + np.timedelta64(7 * w, "D"),
            demand=float(by_week[0, w].sum()),
            sold=float(by_week[1, w].sum()),
            lost=float(by_week[2, w].sum()),
            warehouse_units=float(rev[0, w]),
            transfer_units=round(float(rev[1, w])),
            transfer_lines=int(rev[2, w]),
            unit_km=float(rev[3, w]),
            average_stock=float(by_week[3, w].mean()),
        )
        for w in range(settings.weeks)
    )
