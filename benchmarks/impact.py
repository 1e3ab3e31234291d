"""Backtests of every policy on the real Iowa data (docs/impact.md) and the goals of issue 9.

``python -m benchmarks.impact`` (part of ``make bench``):

1. converts two chains of the Iowa liquor data (Hy-Vee, Casey's; ``stockshift convert iowa``,
   top 200 items) into benchmarks/data/impact-*;
2. synthesises the stock on the morning of ``START`` for two regimes (:func:`regime_stock`)
   — the data has sales but no stock levels;
3. replays 8 weeks under warehouse, greedy, optimal and expected-benefit and writes the
   tables into docs/impact.md, and the goals (expected-benefit against warehouse and greedy,
   optimal against the LP optimum, the time of a 4-policy backtest) into docs/benchmarks.md.

``python -m benchmarks.impact inventory --chain hyvee --regime misplaced out.csv`` writes a
regime's inventory file, so that ``stockshift backtest`` can replay it from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.run import DATA, ROOT, measure, shared_data, stockshift
from stockshift.core.backtest import (
    BacktestResult,
    BacktestSettings,
    Review,
    allocation_problem,
    available_policies,
    prepare,
    review_day,
    run_backtest,
)
from stockshift.core.planning import optimal
from stockshift.core.types import Dataset, PlanParameters
from stockshift.io.backtestfile import backtest_document
from stockshift.io.readers import load_dataset

START = "2022-08-01"  # a Monday; 8 weeks to 2022-09-25, history from January
WEEKS = 8
SEED = 0
IMPACT_DOC = ROOT / "docs" / "impact.md"
BENCH_DOC = ROOT / "docs" / "benchmarks.md"
IMPACT_BEGIN = "<!-- impact tables: written by `make bench` (benchmarks/impact.py) -->"
IMPACT_END = "<!-- end of impact tables -->"
GOALS_BEGIN = "<!-- backtest goals: written by `make bench` (benchmarks/impact.py) -->"
GOALS_END = "<!-- end of backtest goals -->"
SLACK_PCT = 0.5  # expected-benefit may lose at most this much more than warehouse


@dataclass(frozen=True)
class Chain:
    name: str  # folder and command-line name
    title: str
    chain: str  # --chain of stockshift convert iowa
    sales_file: str
    since: str | None


CHAINS = (
    Chain("hyvee", "Hy-Vee", "HY-VEE", "iowa_liquor_sales_daily_hyvee_2022.csv.gz", None),
    Chain(
        "caseys",
        "Casey's",
        "CASEY'S",
        "iowa_liquor_sales_daily_2021-01_2022-10.csv.gz",
        "2022-01-01",
    ),
)


@dataclass(frozen=True)
class Regime:
    """How the stock on day 0 is synthesised, and how fast the warehouse is."""

    name: str
    title: str
    warehouse_lead_days: int
    cover_days: int  # review + warehouse lead: the order-up-to level
    misplaced: bool


REGIMES = (
    Regime("close", "stock close to demand, warehouse 7 days", 7, 14, misplaced=False),
    Regime("misplaced", "stock badly placed, slow warehouse (21 days)", 21, 28, misplaced=True),
)
REVIEW_DAYS, TRANSFER_LEAD_DAYS, WINDOW, SERVICE_LEVEL = 7, 1, 28, 0.9


def regime_stock(
    dataset: Dataset, regime: Regime, *, start: str = START, seed: int = SEED
) -> np.ndarray:
    """On hand per inventory row on the morning of ``start``, from the sales alone.

    Every row's level is its own target on day 0, ⌈r·C + z·σ·√C⌉ (SPEC section 3): r and σ
    the mean and standard deviation of its daily sales over the ``WINDOW`` days before
    ``start``, C the regime's cover days (review + warehouse lead time, an order-up-to
    level), z = Φ⁻¹(``SERVICE_LEVEL``). Then:

    - ``close``: every store holds its own level times a lognormal factor e^N(0, 0.3²),
      rounded — a well-run chain, mildly off;
    - ``misplaced``: the same levels per product, dealt to the product's stores in a random
      order (a seeded permutation per product), so stock sits where another store's demand is.
    """
    sales = dataset.sales
    assert sales is not None
    at = int((np.datetime64(start, "D") - sales.first_day) // np.timedelta64(1, "D"))
    history = sales.units[:, max(at - WINDOW, 0) : at]
    z = NormalDist().inv_cdf(SERVICE_LEVEL)
    c = regime.cover_days
    level = np.ceil(history.mean(axis=1) * c + z * history.std(axis=1) * np.sqrt(c) - 1e-9)
    rng = np.random.default_rng(seed)
    if not regime.misplaced:
        return np.rint(level * rng.lognormal(0.0, 0.3, len(level))).astype(np.int64)
    out = np.empty(len(level), dtype=np.int64)
    ptr = dataset.inventory.indptr
    for p in range(len(ptr) - 1):
        lo, hi = int(ptr[p]), int(ptr[p + 1])
        out[lo:hi] = level[lo:hi][rng.permutation(hi - lo)]
    return out


def convert(chain: Chain, exe: str, shared: Path) -> Path:
    """The chain's files (CSV), converted once into benchmarks/data/impact-<name>."""
    folder = DATA / f"impact-{chain.name}"
    if (folder / "sales.csv").exists():
        return folder
    iowa = shared / "iowa_liquor"
    cmd = [
        exe, "convert", "iowa", "--stores", str(iowa / "iowa_liquor_stores.csv"),
        "--sales", str(iowa / chain.sales_file), "--chain", chain.chain,
        "--top-products", "200", *(["--since", chain.since] if chain.since else []),
        str(folder),
    ]  # fmt: skip
    measure(cmd)
    return folder


def load(folder: Path) -> Dataset:
    return load_dataset(
        stores=folder / "stores.csv",
        inventory=folder / "inventory.csv",
        sales=folder / "sales.csv",
        sales_days=None,
    )


def with_stock(dataset: Dataset, on_hand: np.ndarray) -> Dataset:
    return replace(dataset, inventory=replace(dataset.inventory, on_hand=on_hand))


def settings_for(
    regime: Regime, policies: tuple[str, ...]
) -> tuple[PlanParameters, BacktestSettings]:
    params = PlanParameters(
        target="forecast",
        window=WINDOW,
        cover_days=regime.cover_days,
        service_level=SERVICE_LEVEL,
    )
    settings = BacktestSettings(
        start=np.datetime64(START, "D"),
        weeks=WEEKS,
        review_days=REVIEW_DAYS,
        warehouse_lead_days=regime.warehouse_lead_days,
        transfer_lead_days=TRANSFER_LEAD_DAYS,
        policies=policies,
    )
    return params, settings


def cli_command(chain: Chain, regime: Regime, policies: tuple[str, ...]) -> str:
    return (
        f"stockshift backtest --stores impact-{chain.name}/stores.csv "
        f"--inventory {chain.name}-{regime.name}.csv --sales impact-{chain.name}/sales.csv "
        f"--start {START} --weeks {WEEKS} --review-days {REVIEW_DAYS} "
        f"--warehouse-lead-days {regime.warehouse_lead_days} "
        f"--transfer-lead-days {TRANSFER_LEAD_DAYS} --window {WINDOW} "
        f"--cover-days {regime.cover_days} --service-level {SERVICE_LEVEL} "
        f"--policies {','.join(policies)}"
    )


def table(result: BacktestResult) -> list[str]:
    lines = [
        "| policy | lost sales | vs warehouse | fill rate | average stock | warehouse units "
        "| transfer units | lines | unit-km | km per unit |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in result.policies:
        pct = r.lost_vs_warehouse_pct
        per_unit = r.unit_km / r.transfer_units if r.transfer_units else 0.0
        lines.append(
            f"| {r.policy} | {r.lost:,.0f} | "
            f"{'—' if r.policy == 'warehouse' else ('n/a' if pct is None else f'{pct:+.1f} %')} | "
            f"{100 * (r.fill_rate or 0):.1f} % | {r.average_stock:,.0f} | "
            f"{r.warehouse_units:,.0f} | {r.transfer_units:,} | {r.transfer_lines:,} | "
            f"{r.unit_km:,.0f} | {per_unit:.1f} |"
        )
    return lines


def lp_unit_km(review: Review, network: Any, products: np.ndarray) -> tuple[float, float]:
    """Units and unit-km of the transport LP (scipy HiGHS) on the review's surplus and need,
    summed over ``products``: first the most units, then the least unit-km among them."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    inv = network.dataset.inventory
    units_total = km_total = 0.0
    for p in products:
        lo, hi = int(inv.indptr[p]), int(inv.indptr[p + 1])
        src = np.flatnonzero(review.surplus[lo:hi] > 0) + lo
        dst = np.flatnonzero(review.need[lo:hi] > 0) + lo
        if len(src) == 0 or len(dst) == 0:
            continue
        d = network.dist[np.ix_(inv.store[src], inv.store[dst])].ravel()
        n_s, n_d = len(src), len(dst)
        rows = np.r_[np.repeat(np.arange(n_s), n_d), n_s + np.tile(np.arange(n_d), n_s)]
        cols = np.r_[np.arange(n_s * n_d), np.arange(n_s * n_d)]
        a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_s + n_d, n_s * n_d)).tocsr()
        b = np.r_[review.surplus[src], review.need[dst]].astype(float)
        most = linprog(-np.ones(n_s * n_d), A_ub=a, b_ub=b, method="highs")
        flow = -most.fun
        least = linprog(
            d, A_ub=a, b_ub=b, A_eq=np.ones((1, n_s * n_d)), b_eq=[flow], method="highs"
        )
        units_total += flow
        km_total += least.fun
    return units_total, km_total


def optimal_vs_lp(dataset: Dataset, regime: Regime, sample: int = 60) -> dict[str, float]:
    """The first review of the regime: optimal's units and unit-km against the LP's, on a
    seeded sample of products."""
    params, settings = settings_for(regime, ("warehouse", "optimal"))
    network = prepare(dataset, params, settings)
    sales = dataset.sales
    assert sales is not None
    at = int((network.start - sales.first_day) // np.timedelta64(1, "D"))
    on_hand = dataset.inventory.on_hand.astype(np.float64)
    review = review_day(network, sales, at, 0, on_hand, on_hand.copy())
    n_products = len(dataset.inventory.indptr) - 1
    rng = np.random.default_rng(SEED)
    products = np.sort(rng.choice(n_products, size=min(sample, n_products), replace=False))
    alloc = optimal.plan(allocation_problem(review, network))
    mine = np.isin(alloc.product, products)
    units = float(alloc.quantity[mine].sum())
    km = float((alloc.quantity[mine] * alloc.distance_km[mine]).sum())
    lp_units, lp_km = lp_unit_km(review, network, products)
    return {"products": len(products), "units": units, "unit_km": km, "lp_units": lp_units,
            "lp_unit_km": lp_km}  # fmt: skip


def write_section(path: Path, begin: str, end: str, body: list[str], title: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else f"# {title}\n\n"
    section = "\n".join([begin, *body, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def run_all(args: argparse.Namespace) -> int:
    shared = shared_data()
    if shared is None:
        print("no Iowa data (/work/shared/data or ../shared/data): nothing to do")
        return 0
    exe = stockshift()
    policies = tuple(available_policies())
    out = DATA / "impact"
    out.mkdir(parents=True, exist_ok=True)
    impact = [
        f"Measured {datetime.now(UTC).date()} by `python -m benchmarks.impact` (part of "
        f"`make bench`): {WEEKS} weeks from {START}, review every {REVIEW_DAYS} days, "
        f"transfers {TRANSFER_LEAD_DAYS} day, targets from the {WINDOW} days before each "
        f"review with safety stock for a {SERVICE_LEVEL:.0%} service level, no distance "
        "limit, clusters `auto`.",
        "",
    ]
    results: dict[tuple[str, str], BacktestResult] = {}
    for chain in CHAINS:
        folder = convert(chain, exe, shared)
        base = load(folder)
        for regime in REGIMES:
            on_hand = regime_stock(base, regime)
            dataset = with_stock(base, on_hand)
            inv_csv = out / f"{chain.name}-{regime.name}.csv"
            write_inventory(dataset, inv_csv)
            params, settings = settings_for(regime, policies)
            began = time.perf_counter()
            result = run_backtest(dataset, params, settings)
            seconds = time.perf_counter() - began
            results[chain.name, regime.name] = result
            (out / f"{chain.name}-{regime.name}.json").write_text(
                json.dumps(backtest_document(result), indent=1)
            )
            print(f"{chain.title}, {regime.name}: {seconds:.1f} s", flush=True)
            for line in table(result):
                print("  " + line, flush=True)
            impact += [
                f"### {chain.title} — {regime.title}",
                "",
                f"{result.stores} stores, {result.products} products, {result.rows:,} "
                f"store-product rows, {result.clusters} clusters; {on_hand.sum():,} units on "
                f"hand on day 0, cover {regime.cover_days} days, warehouse "
                f"{regime.warehouse_lead_days} days.",
                "",
                *table(result),
                "",
                f"`{cli_command(chain, regime, policies)}`",
                "",
            ]
    write_section(IMPACT_DOC, IMPACT_BEGIN, IMPACT_END, impact, "Impact")
    goals = goal_lines(results, policies, exe, shared)
    write_section(BENCH_DOC, GOALS_BEGIN, GOALS_END, goals, "Benchmarks")
    print("\n".join(goals))
    return 0


def goal_lines(
    results: dict[tuple[str, str], BacktestResult],
    policies: tuple[str, ...],
    exe: str,
    shared: Path,
) -> list[str]:
    lines = [
        "## Backtest goals (issue 9)",
        "",
        f"Measured {datetime.now(UTC).date()} by `python -m benchmarks.impact`; the tables "
        "are in docs/impact.md.",
        "",
        "| chain, regime | goal | measured | met |",
        "|---|---|---|---|",
    ]
    eb = "expected-benefit"
    for (chain, regime), res in results.items():
        name = f"{chain}, {regime}"
        wh = res.policy("warehouse")
        if eb in policies:
            r = res.policy(eb)
            ok = r.lost <= wh.lost * (1 + SLACK_PCT / 100)
            lines.append(
                f"| {name} | {eb} loses ≤ warehouse + {SLACK_PCT} % | "
                f"{r.lost:,.0f} vs {wh.lost:,.0f} ({r.lost_vs_warehouse_pct:+.2f} %) | "
                f"{'yes' if ok else '**no**'} |"
            )
            if regime == "misplaced":
                g = res.policy("greedy")
                cut_eb, cut_g = wh.lost - r.lost, wh.lost - g.lost
                ok = cut_eb >= 2 * cut_g and cut_eb > 0 and r.unit_km < g.unit_km
                lines.append(
                    f"| {name} | {eb} cuts lost sales ≥ 2× greedy's cut, fewer unit-km | "
                    f"cut {cut_eb:,.0f} vs greedy {cut_g:,.0f}; unit-km {r.unit_km:,.0f} vs "
                    f"{g.unit_km:,.0f} | {'yes' if ok else '**no**'} |"
                )
        else:
            lines.append(f"| {name} | {eb} | not available in this version | **no** |")
    folder = DATA / "impact-hyvee"
    base = load(folder)
    for regime in REGIMES:
        check = optimal_vs_lp(with_stock(base, regime_stock(base, regime)), regime)
        gap = check["unit_km"] - check["lp_unit_km"]
        ok = (
            check["units"] == check["lp_units"]
            and abs(gap) <= 1e-6 * max(check["lp_unit_km"], 1) + 0.5
        )
        lines.append(
            f"| hyvee, {regime.name}, first review, {check['products']} sampled products "
            f"| optimal's unit-km = LP optimum | units {check['units']:,.0f} vs LP "
            f"{check['lp_units']:,.0f}; unit-km {check['unit_km']:,.2f} vs LP "
            f"{check['lp_unit_km']:,.2f} | {'yes' if ok else '**no**'} |"
        )
    wall, cpu = time_cli(exe, policies)
    lines.append(
        f"| hyvee (175 stores × 200 products), close | 8-week backtest, all policies, ≤ 60 s "
        f"on 2 cores | {cpu:.1f} s CPU, {wall:.1f} s wall (`stockshift backtest`, the whole "
        f"command, on a shared machine) | {'yes' if cpu <= 60 else '**no**'} in CPU time |"
    )
    lines += [
        "",
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f} when the run ended (other work on the machine "
        "slows it).",
    ]
    return lines


def time_cli(exe: str, policies: tuple[str, ...]) -> tuple[float, float]:
    """Wall and CPU seconds of the whole ``stockshift backtest`` command (start-up, loading,
    every policy), measured by ``benchmarks.child``."""
    regime = REGIMES[0]
    inv = DATA / "impact" / f"hyvee-{regime.name}.csv"
    folder = DATA / "impact-hyvee"
    cmd = [
        exe, "backtest", "--stores", str(folder / "stores.csv"), "--inventory", str(inv),
        "--sales", str(folder / "sales.csv"), "--start", START, "--weeks", str(WEEKS),
        "--warehouse-lead-days", str(regime.warehouse_lead_days),
        "--cover-days", str(regime.cover_days), "--window", str(WINDOW),
        "--service-level", str(SERVICE_LEVEL), "--policies", ",".join(policies),
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("r", suffix=".json") as result:
        launcher = [sys.executable, "-m", "benchmarks.child", result.name]
        subprocess.run([*launcher, *cmd], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        measured = json.loads(result.read())
    return float(measured["seconds"]), float(measured["cpu"])


def write_inventory(dataset: Dataset, path: Path) -> None:
    inv = dataset.inventory
    pd.DataFrame(
        {
            "store_id": dataset.stores.ids[inv.store],
            "product_id": inv.product_ids[inv.product],
            "on_hand": inv.on_hand,
        }
    ).to_csv(path, index=False)


def inventory_command(args: argparse.Namespace) -> int:
    shared = shared_data()
    if shared is None:
        raise SystemExit("no Iowa data (/work/shared/data or ../shared/data)")
    chain = next(c for c in CHAINS if c.name == args.chain)
    regime = next(r for r in REGIMES if r.name == args.regime)
    base = load(convert(chain, stockshift(), shared))
    write_inventory(with_stock(base, regime_stock(base, regime, seed=args.seed)), args.out)
    print(f"wrote {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Backtests on the Iowa data (docs/impact.md).")
    sub = parser.add_subparsers(dest="command")
    inv = sub.add_parser("inventory", help="write a regime's synthesised inventory file")
    inv.add_argument("--chain", choices=[c.name for c in CHAINS], required=True)
    inv.add_argument("--regime", choices=[r.name for r in REGIMES], required=True)
    inv.add_argument("--seed", type=int, default=SEED)
    inv.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "inventory":
        return inventory_command(args)
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
