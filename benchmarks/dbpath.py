"""The database path against the files: ``db plan`` beside ``stockshift plan`` on the same
data, where ``db plan``'s time goes, and ``db import`` of ten million stock rows (issue 11
part 6).

    .venv/bin/python -m benchmarks.dbpath [--postgres-url URL] [--repeat 2] [--skip-ten-million]

Every command runs as a child process, start-up included, as a user sees it; ``plan`` and
``db plan`` alternate ``--repeat`` times so that they share the machine's load, and the best
of each is compared. Beside each time: the command's own CPU (user + system; a database
server's work is not in it) and the load average when it ended. Then one ``db plan`` more
is taken apart in-process: the snapshot read from the database, planning, and storing the
lines. The data are ``stockshift demo`` sets made once in benchmarks/data (git ignores it).
The results replace the "Database path" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.load import drop_schema, postgres_schema, scratch_postgres, write_section

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent / "stockshift"
HEADING = "## Database path"
DEMO = "stockshift demo --stores 1000 --products 1000 --days 28 --assortment 1 --seed 1"


@dataclass(frozen=True, slots=True)
class Timed:
    wall: float
    cpu: float  # the child's user + system seconds
    load: float  # 1-minute load average when it ended
    out: str


def run(*args: str) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(BIN), *args], capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"stockshift {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Timed(took, cpu, os.getloadavg()[0], " ".join(done.stdout.split()))


def demo(stores: int, products: int, days: int, seed: int = 1) -> Path:
    folder = DATA / f"demo-{stores}x{products}x{days}-s{seed}"
    if not (folder / "inventory.parquet").exists():
        size = ["--stores", str(stores), "--products", str(products), "--days", str(days)]
        run("demo", *size, "--assortment", "1", "--format", "parquet", "--seed", str(seed),
            str(folder))  # fmt: skip
    return folder


def files(data: Path) -> list[str]:
    out = ["--stores", str(data / "stores.parquet"), "--inventory", str(data / "inventory.parquet")]
    if (data / "sales.parquet").exists():
        out += ["--sales", str(data / "sales.parquet")]
    return out


def phases(url: str) -> dict[str, float]:
    """One more default plan on ``url``, in this process: seconds to read the snapshot, to
    plan alone, and to plan and store the plan (its lines, orders and header) as ``db
    plan`` does, a run of products' lines stored while the next is planned; each with this
    process's CPU seconds (``<phase>_cpu``; a database server's work is not in it)."""
    from stockshift.core.pipeline import build_plan, sales_days
    from stockshift.core.types import PlanParameters
    from stockshift.db.dataset import snapshot_dataset
    from stockshift.db.engine import make_engine, session_factory
    from stockshift.db.plans import create_plan, store_planned

    engine = make_engine(url)
    sessions = session_factory(engine)
    params = PlanParameters()
    took: dict[str, float] = {}

    @contextmanager
    def timed(name: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.process_time()
        yield
        took[name] = time.perf_counter() - start
        took[f"{name}_cpu"] = time.process_time() - cpu

    with timed("snapshot"), sessions() as session:
        dataset = snapshot_dataset(session, window=sales_days(params), with_sales=True)
    with timed("plan"):
        build_plan(dataset, params)
    with sessions() as session:
        plan_id = create_plan(session, parameters=asdict(params), key_id=None).id
    with timed("store"), sessions() as session:
        plan = store_planned(
            session,
            plan_id=plan_id,
            store_ids=dataset.stores.ids,
            make=lambda on_run: build_plan(dataset, params, on_run=on_run),
        )
    took["lines"] = float(plan.n_transfers)
    engine.dispose()
    return took


@dataclass
class Row:
    name: str
    imported: Timed
    plans: list[Timed]
    db_plans: list[Timed]
    phases: dict[str, float]

    def best(self, runs: list[Timed]) -> Timed:
        return min(runs, key=lambda t: t.wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("STOCKSHIFT_TEST_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=2, help="plan / db plan pairs per database")
    parser.add_argument("--skip-ten-million", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="Print, do not edit the docs.")
    args = parser.parse_args()
    data = demo(1000, 1000, 28)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="stockshift-dbpath-") as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/k1.db", None)]
        if args.postgres_url:
            schema, url = postgres_schema(args.postgres_url)
            targets.append(("PostgreSQL", url, schema))
        for name, url, schema in targets:
            try:
                run("db", "upgrade", "--database-url", url)
                imported = run("db", "import", *files(data), "--database-url", url)
                row = Row(name, imported, [], [], {})
                for _ in range(args.repeat):
                    row.plans.append(
                        run("plan", *files(data), "--quiet", "--output", f"{tmp}/plan.json")
                    )
                    row.db_plans.append(run("db", "plan", "--database-url", url))
                    print(name, row.plans[-1], row.db_plans[-1], flush=True)
                row.phases = phases(url)
                print(name, row.phases, flush=True)
                rows.append(row)
            finally:
                if schema is not None:
                    drop_schema(args.postgres_url, schema)
        big: Timed | None = None
        if args.postgres_url and not args.skip_ten_million:
            data10 = demo(1000, 10_000, 0)
            with scratch_postgres(args.postgres_url) as url:
                run("db", "upgrade", "--database-url", url)
                big = run("db", "import", *files(data10), "--database-url", url)
                print(big, flush=True)
    body = render(rows, big)
    print(body)
    if not args.no_write:
        write_section(body)


def _t(t: Timed) -> str:
    return f"{t.wall:.1f} ({t.cpu:.1f}, {t.load:.1f})"


def _p(row: Row, phase: str) -> str:
    return f"{row.phases[phase]:.1f} ({row.phases[phase + '_cpu']:.1f})"


def render(rows: list[Row], big: Timed | None) -> str:
    loads = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        HEADING,
        "",
        "Written by `.venv/bin/python -m benchmarks.dbpath` (benchmarks/dbpath.py, part of "
        f"`make bench`) on {os.cpu_count()} cores ({platform.processor() or platform.machine()}),"
        f" Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f"; load average {loads} (1, 5, 15 min) when it ended. The machine is shared: each "
        "time is followed by the command's own CPU seconds and the 1-minute load average when "
        "it ended, as *wall (CPU, load)*; at a load above the 2 cores every wall time is an "
        "upper bound.",
        "",
        f"`{DEMO}` (Parquet). `plan` is `stockshift plan` on the files (plan file written); "
        "`db plan` the same default plan on the database after `db import`, its lines stored. "
        "They alternate, and the ratio is of the best of each.",
        "",
        "| database | `db import` s | `plan` s, each run | `db plan` s, each run | ratio "
        "| `db plan` printed |",
        "|---|---|---|---|---:|---|",
    ]
    for r in rows:
        ratio = r.best(r.db_plans).wall / r.best(r.plans).wall
        lines.append(
            f"| {r.name} | {_t(r.imported)} | {'; '.join(_t(t) for t in r.plans)} "
            f"| {'; '.join(_t(t) for t in r.db_plans)} | {ratio:.2f} | {r.db_plans[-1].out} |"
        )
    lines += [
        "",
        "One more `db plan` in-process (no start-up), seconds as *wall (this process's CPU)*; "
        "on PostgreSQL the server's work is not in the CPU. `db plan` stores a run of products' "
        "lines while it plans the next: planning and storing are timed together, and planning "
        "alone beside it:",
        "",
        "| database | snapshot read | planning alone | planning and storing | lines stored |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {_p(r, 'snapshot')} | {_p(r, 'plan')} | {_p(r, 'store')} "
        f"| {r.phases['lines']:,.0f} |"
        for r in rows
    ]
    if big is not None:
        lines += [
            "",
            "`db import` of `stockshift demo --stores 1000 --products 10000 --days 0 "
            f"--assortment 1 --seed 1` on PostgreSQL: **{_t(big)} s** ({big.out})",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
