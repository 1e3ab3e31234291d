"""Where a plan's time and memory go: one run, timed phase by phase, in this process.

``python -m benchmarks.phases --stores S --inventory I [--sales F] [--target T] [--policy P]
--output P``
prints one JSON object: per phase (imports, loading, clustering, targets, distances, allocation,
plan file: JSON encoding and writing) the wall seconds and the RSS high-water mark in MiB
when it ended. The phases inside ``build_plan`` are the ones its progress callback
names, so this measures the real pipeline, not a copy of it. Run it as a child process
so the high-water marks belong to one plan only.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

STEP_NAMES = {
    "clustering stores": "clustering",
    "computing targets": "targets",
    "computing distances": "distances",
    "allocating": "allocation",
}


def peak_mib() -> float:
    """This process's RSS high-water mark so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    """Records (phase, seconds, peak MiB) each time a new phase starts."""

    def __init__(self, first: str) -> None:
        self.phases: list[dict[str, float | str]] = []
        self.name = first
        self.start = time.perf_counter()

    def next(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append(
            {"phase": self.name, "seconds": round(now - self.start, 3), "peak_mib": peak_mib()}
        )
        self.name, self.start = name, now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, required=True)
    parser.add_argument("--inventory", type=Path, required=True)
    parser.add_argument("--sales", type=Path)
    parser.add_argument("--target", choices=["cluster-mean", "forecast"])
    parser.add_argument("--window", type=int, default=28)
    parser.add_argument("--policy", default="greedy", help="greedy, optimal or expected-benefit")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    timer = Timer("imports")
    from stockshift.cli import main as _cli  # noqa: F401  (what every command imports)
    from stockshift.core.pipeline import build_plan
    from stockshift.core.types import PlanParameters
    from stockshift.io.planfile import write_plan
    from stockshift.io.readers import load_dataset

    timer.next("loading")
    dataset = load_dataset(
        stores=args.stores,
        inventory=args.inventory,
        sales=args.sales,
        sales_days=args.window if args.sales else None,
    )
    params = PlanParameters(target=args.target, window=args.window, policy=args.policy)
    plan = build_plan(dataset, params, progress=lambda step: timer.next(STEP_NAMES[step]))
    timer.next("plan file")
    write_plan(plan, args.output)
    timer.next("done")
    json.dump({"phases": timer.phases, "transfers": plan.n_transfers}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
