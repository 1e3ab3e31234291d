"""Service benchmarks: API load on a 5,000-line plan, and import + plan timings.

    .venv/bin/python -m benchmarks.load [--part all|api|service] [--postgres-url URL]
        [--clients 50] [--seconds 20] [--workers 1 2] [--plan-every 3]

1. API load (``--part api``, benchmarks/apiload.py): a database holding a plan of 5,000
   transfer lines is served by ``stockshift serve --workers N`` on 127.0.0.1; 50 clients
   read pages, the whole plan, the health check (the floor), and a mix with a new plan every
   few seconds. Reports requests/s, p50/p99 latency, errors and the load average. Traffic
   stays on loopback and each run stops by itself after the set time. Written to the
   "API load" section of docs/benchmarks.md.
2. Import and plan (``--part service``): ``stockshift db import`` and ``stockshift db plan``
   (children, timed as a user sees them) on the 1,000 stores x 1,000 products demo set with
   28 days of sales, on SQLite and, when a PostgreSQL URL is given (or
   STOCKSHIFT_TEST_POSTGRES_URL is set), on a scratch schema of that server.

The results replace their sections of docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks import apidoc, apiload

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent / "stockshift"
HEADING = "## Service"


def cli(*args: str, url: str) -> tuple[float, str]:
    """Run ``stockshift ARGS --database-url URL``; returns (seconds, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN), *args, "--database-url", url], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"stockshift {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout


def demo(folder: Path, stores: int, products: int, days: int) -> Path:
    subprocess.run(
        [str(BIN), "demo", "--stores", str(stores), "--products", str(products), "--days",
         str(days), "--assortment", "1", "--format", "parquet", "--seed", "1", str(folder)],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder


def load_and_plan(url: str, data: Path, *plan_args: str) -> tuple[float, float, str]:
    """Time ``db import`` and ``db plan``; returns both times and what they printed."""
    cli("db", "upgrade", url=url)
    import_s, imported = cli(
        "db", "import", "--stores", str(data / "stores.parquet"),
        "--inventory", str(data / "inventory.parquet"),
        *(["--sales", str(data / "sales.parquet")] if (data / "sales.parquet").exists() else []),
        url=url,
    )  # fmt: skip
    plan_s, out = cli("db", "plan", *plan_args, url=url)
    return import_s, plan_s, " ".join(f"{imported} {out}".split())


def import_only(url: str, data: Path) -> tuple[float, str]:
    cli("db", "upgrade", url=url)
    took, out = cli(
        "db", "import", "--stores", str(data / "stores.parquet"),
        "--inventory", str(data / "inventory.parquet"), url=url,
    )  # fmt: skip
    return took, " ".join(out.split())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_load(tmp: Path, args: argparse.Namespace) -> str:
    """The API load runs of benchmarks/apiload.py; returns their section of the docs."""
    url = f"sqlite:///{tmp / 'load.db'}"
    data = demo(tmp / "load-data", 300, 200, 0)
    load_and_plan(url, data, "--target", "cluster-mean", "--max-transfers", "5000")
    viewer = cli("keys", "create", "--role", "viewer", url=url)[1].strip().splitlines()[-1]
    planner = cli("keys", "create", "--role", "planner", url=url)[1].strip().splitlines()[-1]
    engine = create_engine(url)
    with engine.connect() as conn:
        lines = conn.execute(text("SELECT count(*) FROM transfers WHERE plan_id = 1")).scalar()
        products = list(conn.execute(text("SELECT DISTINCT product_id FROM transfers")).scalars())
        stores = list(conn.execute(text("SELECT DISTINCT to_store FROM transfers")).scalars())
    engine.dispose()
    runs = apiload.run_all(
        bin_path=BIN, url=url, viewer=viewer, planner=planner, port=free_port(),
        workers=args.workers, clients=args.clients, seconds=args.seconds,
        mixed_seconds=args.mixed_seconds,
        plan_every=args.plan_every, products=products, stores=stores,
    )  # fmt: skip
    return apidoc.render(runs, plan_every=args.plan_every, lines=int(lines or 0))


def postgres_schema(url: str) -> tuple[str, str]:
    schema = f"stockshift_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """The URL of a new schema on ``url``'s database, dropped with its tables on exit."""
    schema, scratch = postgres_schema(url)
    try:
        yield scratch
    finally:
        drop_schema(url, schema)


def write_section(body: str) -> None:
    """Replace the section of docs/benchmarks.md that ``body``'s first line heads (to the
    next '## ' heading or '<!-- ' marker of another generated section, or the end), or add it
    at the end."""
    old = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    heading = body.splitlines()[0]
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip() + "\n\n" + body
    else:
        ends = [old.find(m, start + len(heading)) for m in ("\n## ", "\n<!-- ")]
        nxt = min((e for e in ends if e >= 0), default=-1)
        new = old[:start] + body + (old[nxt + 1 :] if nxt >= 0 else "")
    DOC.write_text(new.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--postgres-url", default=os.environ.get("STOCKSHIFT_TEST_POSTGRES_URL"))
    parser.add_argument("--no-write", action="store_true", help="Print, do not edit the docs.")
    parser.add_argument(
        "--skip-ten-million", action="store_true", help="Leave out the 10M-row import."
    )
    parser.add_argument("--part", choices=("all", "api", "service"), default="all")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="serve --workers values to run."
    )
    parser.add_argument(
        "--plan-every", type=float, default=3.0, help="Seconds between plans in the mixed load."
    )
    parser.add_argument(
        "--mixed-seconds", type=float, default=60.0, help="Length of the mixed load run."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stockshift-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.part in ("all", "api"):
            body = api_load(tmp, args)
            print(body)
            if not args.no_write:
                write_section(body)
        if args.part in ("all", "service"):
            service(tmp, args)


def service(tmp: Path, args: argparse.Namespace) -> None:
    """Import and plan timings on SQLite and PostgreSQL: the Service section."""
    data = demo(tmp / "k1", 1000, 1000, 28)
    rows: list[tuple[str, float, float, str]] = []
    i_s, p_s, out = load_and_plan(f"sqlite:///{tmp / 'k1.db'}", data)
    rows.append(("SQLite", i_s, p_s, out))
    print(rows[-1])
    if args.postgres_url:
        with scratch_postgres(args.postgres_url) as url:
            i_s, p_s, out = load_and_plan(url, data)
            rows.append(("PostgreSQL", i_s, p_s, out))
            print(rows[-1])
    big: list[tuple[str, float, str]] = []
    if not args.skip_ten_million:
        data = demo(tmp / "k10", 1000, 10_000, 0)
        big.append(("SQLite", *import_only(f"sqlite:///{tmp / 'k10.db'}", data)))
        print(big[-1])
        if args.postgres_url:
            with scratch_postgres(args.postgres_url) as url:
                big.append(("PostgreSQL", *import_only(url, data)))
                print(big[-1])
    body = render(rows, big)
    print(body)
    if not args.no_write:
        write_section(body)


def render(
    rows: list[tuple[str, float, float, str]],
    big: list[tuple[str, float, str]],
) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        HEADING,
        "",
        "Written by `.venv/bin/python -m benchmarks.load` (benchmarks/load.py) on "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}.",
        "",
        "### Import and plan: 1,000 stores x 1,000 products, 28 days of sales",
        "",
        "The demo set (Parquet, `stockshift demo --stores 1000 --products 1000 --days 28 "
        "--assortment 1 --seed 1`); each command timed as a child process, start-up "
        "included. `db import` validates the files as `stockshift plan` does, then loads "
        "them (COPY on PostgreSQL, executemany on SQLite). `db plan` is the default plan "
        "(forecast target, automatic clusters) on the stock in the database, stored with "
        "its lines. The machine was shared with other work while this ran.",
        "",
        "| database | `db import` s | `db plan` s | what they printed |",
        "|---|---:|---:|---|",
    ]
    for name, i_s, p_s, out in rows:
        lines.append(f"| {name} | {i_s:.1f} | {p_s:.1f} | {out} |")
    if big:
        lines += [
            "",
            "### Import: 1,000 stores x 10,000 products (10 million stock rows)",
            "",
            "`stockshift db import` of `stockshift demo --stores 1000 --products 10000 --days 0 "
            "--assortment 1 --seed 1` (Parquet), validation included.",
            "",
            "| database | `db import` s | what it printed |",
            "|---|---:|---|",
        ]
        lines += [f"| {name} | {took:.1f} | {out} |" for name, took, out in big]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
