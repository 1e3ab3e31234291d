"""Service benchmarks: a plan read by 50 concurrent clients, and import + plan timings.

    .venv/bin/python -m benchmarks.load [--postgres-url URL] [--clients 50] [--seconds 20]

1. Load: a database holding a plan of 5,000 transfer lines is served by ``stockshift serve``
   (uvicorn, one process) on 127.0.0.1; 50 clients read ``GET /api/v1/plans/{id}`` in a loop
   for 20 s. Reports requests/s, p50/p99 latency and errors. Traffic stays on loopback and
   the loop stops by itself after the set time.
2. Import and plan: ``stockshift db import`` and ``stockshift db plan`` (children, timed as a
   user sees them) on the 1,000 stores x 1,000 products demo set with 28 days of sales, on
   SQLite and, when a PostgreSQL URL is given (or STOCKSHIFT_TEST_POSTGRES_URL is set), on a
   scratch schema of that server.

The results replace the "Service" section of docs/benchmarks.md; other sections are kept.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent / "stockshift"
HEADING = "## Service"


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    lines: int
    body_kib: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


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


async def hammer(base: str, path: str, key: str, clients: int, seconds: float) -> LoadResult:
    """``clients`` loops of GET for ``seconds``; every latency and error is counted."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    size = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors, size
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                r = await http.get(path)
                if r.status_code != 200:
                    errors += 1
                    continue
                size = len(r.content)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - start)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:
        lines = len((await http.get(path)).json()["transfers"])
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        took = time.perf_counter() - began
    latencies.sort()
    return LoadResult(
        clients=clients,
        seconds=took,
        requests=len(latencies),
        errors=errors,
        p50_ms=1000 * statistics.median(latencies) if latencies else float("nan"),
        p99_ms=1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        lines=lines,
        body_kib=size / 1024,
    )


def load_test(tmp: Path, clients: int, seconds: float) -> LoadResult:
    url = f"sqlite:///{tmp / 'load.db'}"
    data = demo(tmp / "load-data", 300, 200, 0)
    load_and_plan(url, data, "--target", "cluster-mean", "--max-transfers", "5000")
    _, out = cli("keys", "create", "--role", "viewer", url=url)
    key = out.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        return asyncio.run(hammer(base, "/api/v1/plans/1", key, clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


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


def write_section(body: str) -> None:
    """Replace the Service section of docs/benchmarks.md (to the next '## ' or the end)."""
    old = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = old.find(HEADING)
    if start < 0:
        new = old.rstrip() + "\n\n" + body
    else:
        nxt = old.find("\n## ", start + len(HEADING))
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stockshift-bench-") as tmp_name:
        tmp = Path(tmp_name)
        load = load_test(tmp, args.clients, args.seconds)
        print(f"load: {load}")
        data = demo(tmp / "k1", 1000, 1000, 28)
        rows: list[tuple[str, float, float, str]] = []
        i_s, p_s, out = load_and_plan(f"sqlite:///{tmp / 'k1.db'}", data)
        rows.append(("SQLite", i_s, p_s, out))
        print(rows[-1])
        if args.postgres_url:
            schema, url = postgres_schema(args.postgres_url)
            try:
                i_s, p_s, out = load_and_plan(url, data)
                rows.append(("PostgreSQL", i_s, p_s, out))
                print(rows[-1])
            finally:
                drop_schema(args.postgres_url, schema)
        big: list[tuple[str, float, str]] = []
        if not args.skip_ten_million:
            data = demo(tmp / "k10", 1000, 10_000, 0)
            big.append(("SQLite", *import_only(f"sqlite:///{tmp / 'k10.db'}", data)))
            print(big[-1])
            if args.postgres_url:
                schema, url = postgres_schema(args.postgres_url)
                try:
                    big.append(("PostgreSQL", *import_only(url, data)))
                    print(big[-1])
                finally:
                    drop_schema(args.postgres_url, schema)
    body = render(load, rows, big)
    print(body)
    if not args.no_write:
        write_section(body)


def render(
    load: LoadResult,
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
        f"### Reading a plan: {load.clients} concurrent clients for {load.seconds:.0f} s",
        "",
        f"`GET /api/v1/plans/{{id}}` on a plan of {load.lines:,} transfer lines "
        f"({load.body_kib:,.0f} KiB of JSON), `stockshift serve` (one uvicorn process, "
        "SQLite) on 127.0.0.1, clients in one asyncio process on the same machine.",
        "",
        "| requests | requests/s | p50 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|",
        f"| {load.requests:,} | {load.rps:,.1f} | {load.p50_ms:,.0f} | {load.p99_ms:,.0f} "
        f"| {load.errors} |",
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
