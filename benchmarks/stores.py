"""Many stores in one process (``make bench-stores``): 20,000 and 50,000 stores x 200 products.

Issue 12's goal: 50,000 stores x 200 products planned in one process within 60 s and 4 GB,
with no store x store matrix (above 3,000 stores greedy walks each store's 32 nearest
candidates per cluster from BallTrees, core/neighbours.py, and a draw past them searches the
product's live sources in the kernel, core/planning/draws.py). Each case runs ``stockshift
plan --target cluster-mean --quiet --output plan.json`` as a child process, with and without
``--max-distance-km``; its CPU time (user + system, every thread) is the figure that does not
depend on the shared machine's load. A thread samples the child's RSS every 0.2 s and stops
it once it passes ``--guard-gb`` (the machine is shared: a case that would take all its memory is
recorded as stopped, with the time it ran, instead of being run to the end). The chains are
made by ``stockshift demo`` (full assortment, no sales) and cached in benchmarks/data/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psutil

from benchmarks.run import DATA, demo_case, machine, prepare, stockshift, write_doc

BEGIN = "<!-- many-stores benchmark: written by `make bench-stores` (benchmarks/stores.py) -->"
END = "<!-- end of many-stores benchmark -->"
PRODUCTS = 200
LIMIT_KM = 50.0
TARGET_SECONDS, TARGET_GB, GOAL_STORES = 60.0, 4.0, 50_000


@dataclass(frozen=True)
class Outcome:
    stores: int
    limit_km: float | None
    seconds: float
    cpu_seconds: float
    peak_gb: float
    stopped: bool
    load_before: float
    load: float


def run_case(exe: str, stores: int, limit_km: float | None, guard_gb: float) -> Outcome:
    case = demo_case(f"{stores}x{PRODUCTS}", stores, PRODUCTS, 0, "cluster-mean")
    folder, _ = prepare(case, exe)
    cmd = [exe, "plan", "--stores", str(folder / "stores.parquet")]
    cmd += ["--inventory", str(folder / "inventory.parquet"), "--target", "cluster-mean"]
    if limit_km is not None:
        cmd += ["--max-distance-km", str(limit_km)]
    cmd += ["--quiet", "--output", str(folder / "plan.json")]
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, stopped = 0, False
    watched = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, stopped
        while not done.wait(0.2):
            try:
                rss = watched.memory_info().rss
            except psutil.Error:
                return
            peak = max(peak, rss)
            if rss > guard_gb * 2**30:
                stopped = True
                proc.kill()
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    thread.join()
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and not stopped:
        assert proc.stderr is not None
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.read()}")
    peak = max(peak, usage.ru_maxrss * 1024)
    return Outcome(
        stores, limit_km, seconds, usage.ru_utime + usage.ru_stime, peak / 2**30, stopped,
        load_before, os.getloadavg()[0],
    )  # fmt: skip


def report(outcomes: list[Outcome], guard_gb: float) -> str:
    lines = [
        BEGIN,
        "## Many stores in one process (issue 12 part 4)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `make bench-stores`: `stockshift plan "
        f"--target cluster-mean` on `stockshift demo --stores N --products {PRODUCTS} --days 0 "
        "--assortment 1` (all stores in the 55 demo cities, so thousands share a city), as its "
        f"own process; peak is its RSS high-water mark. A case passing {guard_gb:g} GB is "
        "stopped (the machine is shared). Load is the 1-minute load average before and after "
        "the case: at load above 2 the wall time is an upper bound, the CPU time (all threads) "
        "the steadier figure; on an idle 2-core machine the wall time is at least half of it.",
        "",
        *machine(),
        "",
        "| stores | products | rows | --max-distance-km | wall (s) | CPU (s) | peak (GB) | load |"
        " result |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for o in outcomes:
        result = "done"
        if o.stopped:
            result = f"stopped at {guard_gb:g} GB"
        elif o.stores == GOAL_STORES:
            memory = "met" if o.peak_gb < TARGET_GB else "missed"
            wall = "met" if o.seconds < TARGET_SECONDS else "missed"
            cpu = "within" if o.cpu_seconds < TARGET_SECONDS else "above"
            result = f"4 GB {memory}; 60 s {wall} (CPU time {cpu} 60 s)"
        limit = "none" if o.limit_km is None else f"{o.limit_km:g}"
        lines.append(
            f"| {o.stores:,} | {PRODUCTS} | {o.stores * PRODUCTS:,} | {limit} | {o.seconds:.0f} | "
            f"{o.cpu_seconds:.0f} | {o.peak_gb:.2f} | {o.load_before:.1f}-{o.load:.1f} | {result} |"
        )
    lines.append(END)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Many-stores benchmark; writes benchmarks.md.")
    parser.add_argument("--stores", type=int, nargs="*", default=[20_000, 50_000])
    parser.add_argument("--limits", nargs="*", default=[str(LIMIT_KM), "none"])
    parser.add_argument("--guard-gb", type=float, default=8.0, help="stop a case above this")
    parser.add_argument("--no-doc", action="store_true", help="print, do not edit the doc")
    args = parser.parse_args(argv)
    exe = stockshift()
    DATA.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for stores in args.stores:
        for limit in args.limits:
            km = None if limit == "none" else float(limit)
            outcome = run_case(exe, stores, km, args.guard_gb)
            outcomes.append(outcome)
            print(outcome, flush=True)
    section = report(outcomes, args.guard_gb)
    if args.no_doc:
        print(section)
    else:
        write_doc(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
