"""The database path against the files: ``db plan`` beside ``stockshift plan`` on the same
data, and ``db import`` of ten million stock rows (issue 11 part 6).

    .venv/bin/python -m benchmarks.dbpath [--postgres-url URL] [--skip-ten-million]

Every command runs as a child process, start-up included, as a user sees it, one after the
other so that they share the machine's load (recorded with the results). The data are
``stockshift demo`` sets made once in benchmarks/data (git ignores it). The results replace
the "Database path" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.load import drop_schema, postgres_schema

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent / "stockshift"
HEADING = "## Database path"


def run(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([str(BIN), *args], capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"stockshift {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took, " ".join(done.stdout.split())


def demo(stores: int, products: int, days: int, seed: int = 0) -> Path:
    folder = DATA / f"demo-{stores}x{products}x{days}"
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


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("STOCKSHIFT_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-ten-million", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="Print, do not edit the docs.")
    args = parser.parse_args()
    data = demo(1000, 1000, 56)
    rows: list[tuple[str, float, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="stockshift-dbpath-") as tmp:
        plan_s, _ = run("plan", *files(data), "--quiet", "--output", f"{tmp}/plan.json")
        targets = [("SQLite", f"sqlite:///{tmp}/k1.db", None)]
        if args.postgres_url:
            schema, url = postgres_schema(args.postgres_url)
            targets.append(("PostgreSQL", url, schema))
        for name, url, schema in targets:
            try:
                run("db", "upgrade", "--database-url", url)
                import_s, _ = run("db", "import", *files(data), "--database-url", url)
                db_s, out = run("db", "plan", "--database-url", url)
                rows.append((name, import_s, plan_s, db_s, out))
                print(rows[-1], load())
            finally:
                if schema is not None:
                    drop_schema(args.postgres_url, schema)
        big: tuple[float, str] | None = None
        if args.postgres_url and not args.skip_ten_million:
            data10 = demo(1000, 10_000, 0, seed=1)
            schema, url = postgres_schema(args.postgres_url)
            try:
                run("db", "upgrade", "--database-url", url)
                big = run("db", "import", *files(data10), "--database-url", url)
                print(big, load())
            finally:
                drop_schema(args.postgres_url, schema)
    body = render(rows, big, load())
    print(body)
    if not args.no_write:
        old = DOC.read_text()
        start = old.find(HEADING)
        if start < 0:
            new = old.rstrip() + "\n\n" + body
        else:
            nxt = old.find("\n## ", start + len(HEADING))
            new = old[:start] + body + (old[nxt + 1 :] if nxt >= 0 else "")
        DOC.write_text(new.rstrip() + "\n")


def render(
    rows: list[tuple[str, float, float, float, str]], big: tuple[float, str] | None, avg: str
) -> str:
    lines = [
        HEADING,
        "",
        "Written by `.venv/bin/python -m benchmarks.dbpath` (benchmarks/dbpath.py) on "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}; load average {avg} (1, 5, 15 min) when it ended —"
        " the machine is shared; the commands ran one after the other (`plan` first, once).",
        "",
        "`stockshift demo --stores 1000 --products 1000 --days 56 --assortment 1 --seed 0` "
        "(Parquet). `plan` is `stockshift plan` on the files (plan file written); `db plan` "
        "the same default plan on the database after `db import`, its 303,774 lines stored.",
        "",
        "| database | `db import` s | `plan` s | `db plan` s | ratio | `db plan` printed |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {n} | {i:.1f} | {p:.1f} | {d:.1f} | {d / p:.2f} | {out} |" for n, i, p, d, out in rows
    ]
    if big is not None:
        lines += [
            "",
            "`db import` of `stockshift demo --stores 1000 --products 10000 --days 0 "
            f"--assortment 1 --seed 1` on PostgreSQL: **{big[0]:.1f} s** ({big[1]})",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
