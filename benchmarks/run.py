"""Planner benchmarks (``make bench``): plan time and peak memory, Parquet input to plan file.

Each case runs ``stockshift plan ... --quiet --output plan.json`` as a child process, so the
time includes interpreter start, imports, loading and writing, exactly as a user sees it,
and the peak memory is that child's own RSS high-water mark (``os.wait4`` in the small
launcher ``benchmarks.child``, so the runner's own memory is not counted). Data sets are
made by ``stockshift demo`` (and ``stockshift convert iowa`` on the real Iowa data when
/work/shared/data, or ../shared/data beside the checkout, exists) and cached in
benchmarks/data/. The results replace the planner section of docs/benchmarks.md; the
service section is left alone. A phase breakdown of the larger cases shows where time and
memory go.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- planner benchmarks: written by `make bench` (benchmarks/run.py) -->"
END = "<!-- end of planner benchmarks -->"
SHARED_CANDIDATES = (Path("/work/shared/data"), ROOT.parent / "shared" / "data")
TARGET_SECONDS, TARGET_MIB = 30.0, 4096.0
OPTIMAL_RATIO = 3.0
"""Issue 9: ``--policy optimal`` within this many times greedy's time on the same files."""
POLICY_PAIR = ("1kx1k-forecast", "1kx1k-forecast-optimal")


@dataclass(frozen=True)
class Case:
    """One benchmark: a data set (made by ``make``) and the plan options to run on it."""

    name: str
    folder: str
    make: list[str]
    target: str
    rows_note: str
    extra: list[str] = field(default_factory=list)
    phases: bool = False


@dataclass
class Result:
    case: Case
    seconds: list[float]
    peak_mib: list[float]
    inventory_rows: int
    sales_rows: int
    transfers: int
    warehouse_orders: int
    prepare_seconds: float
    load: float  # 1-minute load average when the case's runs ended


def demo_case(
    name: str,
    stores: int,
    products: int,
    days: int,
    target: str,
    *,
    phases: bool = False,
    extra: tuple[str, ...] = (),
) -> Case:
    folder = f"demo-{stores}x{products}x{days}"
    make = [
        "demo", "--stores", str(stores), "--products", str(products), "--days", str(days),
        "--assortment", "1", "--format", "parquet", "--seed", "0",
    ]  # fmt: skip
    note = f"{stores:,} stores × {products:,} products" + (
        f", {days} days of sales" if days else ""
    )
    if extra:
        note += f" (`{' '.join(extra)}`)"
    return Case(name, folder, make, target, note, list(extra), phases=phases)


def iowa_cases(shared: Path) -> list[Case]:
    iowa = shared / "iowa_liquor"
    stores = str(iowa / "iowa_liquor_stores.csv")
    full = str(iowa / "iowa_liquor_sales_daily_2021-01_2022-10.csv.gz")
    hyvee = str(iowa / "iowa_liquor_sales_daily_hyvee_2022.csv.gz")
    return [
        Case(
            "iowa-hyvee",
            "iowa-hyvee",
            [
                "convert",
                "iowa",
                "--stores",
                stores,
                "--sales",
                hyvee,
                "--chain",
                "HY-VEE",
                "--top-products",
                "200",
                "--format",
                "parquet",
            ],
            "forecast",
            "Iowa, Hy-Vee stores, 2022, top 200 items",
        ),
        Case(
            "iowa-all",
            "iowa-all",
            [
                "convert",
                "iowa",
                "--stores",
                stores,
                "--sales",
                full,
                "--top-products",
                "0",
                "--format",
                "parquet",
            ],
            "forecast",
            "Iowa, every store, 2021-01 to 2022-10, every item",
            phases=True,
        ),
    ]


def all_cases(shared: Path | None) -> list[Case]:
    cases = [
        demo_case("100x1k", 100, 1_000, 0, "cluster-mean"),
        demo_case("1kx1k", 1_000, 1_000, 0, "cluster-mean"),
        demo_case("1kx10k", 1_000, 10_000, 0, "cluster-mean", phases=True),
        demo_case("1kx1k-forecast", 1_000, 1_000, 56, "forecast", phases=True),
        # the same files planned by the optimal policy (issue 9: within 3x greedy's time)
        demo_case(
            "1kx1k-forecast-optimal", 1_000, 1_000, 56, "forecast", extra=("--policy", "optimal")
        ),
    ]
    return cases + (iowa_cases(shared) if shared is not None else [])


def stockshift() -> str:
    """The ``stockshift`` script of the interpreter running this (the project's venv)."""
    beside = Path(sys.executable).with_name("stockshift")
    found = str(beside) if beside.exists() else shutil.which("stockshift")
    if found is None:
        raise SystemExit("stockshift is not installed: run `make setup` first")
    return found


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd`` as a child; its wall seconds, its own peak RSS in MiB, and its stdout.

    The command is started by ``benchmarks.child``, a small launcher, so that its RSS
    high-water mark is its own and not inherited from this runner (see that module).
    """
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as result,
    ):
        launcher = [sys.executable, "-m", "benchmarks.child", result.name]
        proc = subprocess.run([*launcher, *cmd], stdout=out, stderr=err, cwd=ROOT, check=False)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read()}")
        measured = json.loads(result.read())
        return float(measured["seconds"]), float(measured["peak_mib"]), out.read()


def files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in folder.glob("*.parquet")}


def source_digest() -> str:
    """A digest of the code that makes the data sets, so a cached set is rebuilt after a change."""
    digest = hashlib.sha256()
    src = ROOT / "src" / "stockshift"
    for path in (*sorted((src / "demo").glob("*.py")), src / "io" / "iowa.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(case: Case, exe: str) -> tuple[Path, float]:
    """Make the case's data set unless benchmarks/data already holds it for this command.

    Returns the folder and the seconds the command took (remembered with the data set).
    """
    folder = DATA / case.folder
    stamp = folder / "command.json"
    key = {"command": case.make, "source": source_digest()}
    if stamp.exists():
        made = json.loads(stamp.read_text())
        if {k: made.get(k) for k in key} == key:
            return folder, float(made["seconds"])
    if folder.exists():
        shutil.rmtree(folder)
    seconds, _, _ = measure([exe, *case.make, str(folder)])
    stamp.write_text(json.dumps({**key, "seconds": seconds}))
    return folder, seconds


def plan_command(exe: str, case: Case, data: dict[str, Path], output: Path) -> list[str]:
    cmd = [exe, "plan", "--stores", str(data["stores"]), "--inventory", str(data["inventory"])]
    if case.target == "forecast":
        cmd += ["--sales", str(data["sales"])]
    return [*cmd, "--target", case.target, *case.extra, "--quiet", "--output", str(output)]


def count_rows(path: Path | None) -> int:
    if path is None:
        return 0
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def run_case(case: Case, exe: str, repeat: int) -> Result:
    folder, prepare_seconds = prepare(case, exe)
    data = files(folder)
    output = folder / "plan.json"
    seconds, peaks = [], []
    for _ in range(repeat):
        s, peak, _ = measure(plan_command(exe, case, data, output))
        seconds.append(s)
        peaks.append(peak)
    plan = json.loads(output.read_text())
    return Result(
        case,
        seconds,
        peaks,
        count_rows(data.get("inventory")),
        count_rows(data.get("sales")),
        plan["summary"]["transfers"],
        len(plan["warehouse_orders"]),
        prepare_seconds,
        os.getloadavg()[0],
    )


def phase_breakdown(case: Case) -> list[dict[str, float | str]]:
    data = files(DATA / case.folder)
    cmd = [sys.executable, "-m", "benchmarks.phases", "--stores", str(data["stores"])]
    cmd += ["--inventory", str(data["inventory"]), "--target", case.target]
    if case.target == "forecast":
        cmd += ["--sales", str(data["sales"])]
    cmd += ["--output", str(DATA / case.folder / "plan-phases.json")]
    _, _, out = measure(cmd)
    phases: list[dict[str, float | str]] = json.loads(out)["phases"]
    return phases


def machine() -> list[str]:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kib = int(fh.readline().split()[1])
    import numba
    import pandas
    import pyarrow

    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- RAM: {mem_kib / 1024**2:.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}; load average "
        f"{os.getloadavg()[0]:.1f} when the run ended (other work on the machine slows it)",
        f"- Python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pandas.__version__}, pyarrow {pyarrow.__version__}, numba {numba.__version__}",
    ]


def report(results: list[Result], breakdowns: dict[str, list[dict[str, float | str]]]) -> str:
    lines = [
        BEGIN,
        "## Planner",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `make bench`. Each plan runs as its own "
        "process (`stockshift plan ... --quiet --output plan.json`) from Parquet files, so the "
        "time includes start-up, imports, loading, validation, clustering (auto: K-Means "
        "elbow over k = 1..10), targets, allocation and writing the plan file. Peak memory is "
        "that process's RSS high-water mark. Time is the median and the best of the runs, "
        "memory the largest. The numba kernels are compiled once before timing (they are "
        "cached on disk).",
        "",
        *machine(),
        "",
        "| case | data | target | inventory rows | sales rows | transfers | warehouse orders"
        " | time (s), median | best | peak memory (MiB) | runs | load |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r.case.name} | {r.case.rows_note} | {r.case.target} | {r.inventory_rows:,} | "
            f"{r.sales_rows:,} | {r.transfers:,} | {r.warehouse_orders:,} | "
            f"{statistics.median(r.seconds):.1f} | {min(r.seconds):.1f} | "
            f"{max(r.peak_mib):,.0f} | {len(r.seconds)} | {r.load:.1f} |"
        )
    big = next((r for r in results if r.case.name == "1kx10k"), None)
    if big is not None:
        t, m = statistics.median(big.seconds), max(big.peak_mib)
        verdict = "meets" if t < TARGET_SECONDS and m < TARGET_MIB else "misses"
        lines += [
            "",
            f"Target: the 10-million-row plan in under {TARGET_SECONDS:.0f} s and 4 GB. "
            f"Measured {t:.1f} s and {m:,.0f} MiB: it {verdict} the target.",
        ]
    lines += policy_ratio(results)
    if breakdowns:
        names = list(breakdowns)
        lines += [
            "",
            "### Where the time goes",
            "",
            "One run of each case in-process (`python -m benchmarks.phases`): `imports` is what "
            "every `stockshift` command imports, the phases after it are those `build_plan` "
            "reports, and `plan file` is JSON encoding and writing. Seconds, and in brackets "
            "the RSS high-water mark in MiB when the phase ended. Interpreter start-up is the "
            "rest of the difference to the table above.",
            "",
            "| phase | " + " | ".join(names) + " |",
            "|---|" + "--:|" * len(names),
        ]
        order = [str(p["phase"]) for p in breakdowns[names[0]]]
        for phase in order:
            cells = []
            for name in names:
                hit = [p for p in breakdowns[name] if p["phase"] == phase]
                cells.append(
                    f"{float(hit[0]['seconds']):.2f} ({float(hit[0]['peak_mib']):,.0f})"
                    if hit
                    else ""
                )
            lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    lines += ["", "Making the data sets (not part of the plan time):", ""]
    lines += [
        f"- {r.case.name}: `stockshift {' '.join(_short(a) for a in r.case.make)}` "
        f"took {r.prepare_seconds:.1f} s"
        for r in {r.case.folder: r for r in reversed(results)}.values()
    ]
    lines.append(END)
    return "\n".join(lines)


def policy_ratio(results: list[Result]) -> list[str]:
    """The optimal policy's time against greedy's on the same files (issue 9's goal)."""
    by_name = {r.case.name: r for r in results}
    if not all(name in by_name for name in POLICY_PAIR):
        return []
    greedy, optimal = (by_name[name] for name in POLICY_PAIR)
    median = statistics.median(optimal.seconds) / statistics.median(greedy.seconds)
    best = min(optimal.seconds) / min(greedy.seconds)
    verdict = "meets" if median <= OPTIMAL_RATIO else "misses"
    return [
        "",
        f"Goal (issue 9): `stockshift plan --policy optimal` within {OPTIMAL_RATIO:.0f}× the "
        f"default greedy plan's wall time, the whole command on the same files "
        f"({POLICY_PAIR[0]} and {POLICY_PAIR[1]}). Measured {median:.2f}× on the medians "
        f"({statistics.median(optimal.seconds):.1f} s against "
        f"{statistics.median(greedy.seconds):.1f} s) and {best:.2f}× on the best runs: it "
        f"{verdict} the goal (load average {greedy.load:.1f} and {optimal.load:.1f} when "
        "each ended; above 2 every process waits for a core, so both times are upper bounds).",
    ]


def _short(arg: str) -> str:
    return Path(arg).name if "/" in arg else arg


def write_doc(section: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace one section of docs/benchmarks.md (the planner's by default), keeping every
    other section."""
    if DOC.exists():
        text = DOC.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n\n## Service\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def shared_data() -> Path | None:
    return next((p for p in SHARED_CANDIDATES if (p / "iowa_liquor").exists()), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Planner benchmarks; writes docs/benchmarks.md.")
    parser.add_argument("--only", nargs="*", help="run only these cases (names in the table)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median time)")
    parser.add_argument("--no-doc", action="store_true", help="print, do not edit the doc")
    args = parser.parse_args(argv)
    exe = stockshift()
    cases = [c for c in all_cases(shared_data()) if not args.only or c.name in args.only]
    DATA.mkdir(parents=True, exist_ok=True)
    warm = demo_case("warm-up", 20, 20, 0, "cluster-mean")
    run_case(warm, exe, 1)  # compiles and caches the numba kernels outside the timings
    results, breakdowns = [], {}
    for case in cases:
        result = run_case(case, exe, args.repeat)
        results.append(result)
        print(
            f"{case.name:>16}: {statistics.median(result.seconds):6.1f} s, "
            f"{max(result.peak_mib):8,.0f} MiB peak, {result.transfers:,} transfers",
            flush=True,
        )
        if case.phases:
            breakdowns[case.name] = phase_breakdown(case)
            for p in breakdowns[case.name]:
                print(f"{'':>18}{p['phase']:<12} {float(p['seconds']):6.2f} s", flush=True)
    section = report(results, breakdowns)
    if args.no_doc:
        print(section)
    else:
        write_doc(section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
