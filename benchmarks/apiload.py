"""API load: 50 concurrent clients on a 5,000-line plan, served by ``stockshift serve``.

    .venv/bin/python -m benchmarks.load --part api [--clients 50] [--seconds 20]
        [--mixed-seconds 60] [--workers 1 2] [--plan-every 3]

A SQLite database holding a plan of 5,000 lines (300 stores x 200 products, cluster-mean)
is served on 127.0.0.1 with ``--workers N`` for each N given. Against each, for the set
time, ``clients`` asyncio clients in one process run one scenario at a time:

- ``floor``: ``GET /api/v1/health``, the cost of HTTP and the event loop alone;
- ``paged``: ``GET /plans/1/transfers`` pages of 100 lines, each client with its own sort
  and filter (none, a product, a store and direction), following ``next_cursor`` for up to
  five pages then starting over;
- ``whole``: ``GET /plans/1`` with ``Accept-Encoding: gzip`` (the body is read, not
  inflated: inflating is the client's cost, not the server's);
- ``mixed``: half the clients page, half read the whole plan, while a planner starts a new
  plan (cluster-mean, up to 5,000 lines) every ``--plan-every`` seconds, for
  ``--mixed-seconds``; plans that finish are counted with their time from request to
  ``completed``.

Latency is from sending the request to the last byte of the answer; errors are any answer
but 200 or any transport error. The load average is read before and after each run.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import time
import zlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from benchmarks import rawhttp

T = TypeVar("T")


@dataclass
class Run:
    name: str
    workers: int
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    load_before: float
    load_after: float
    body_kib: float = 0.0
    plans: list[float] = field(default_factory=list)  # seconds from POST to completed
    plans_started: int = 0
    refused: int = 0  # plans refused with 429 (the plan queue was full): by design, not errors
    why: dict[str, int] = field(default_factory=dict)  # errors by status or exception
    server: list[float] = field(default_factory=list)  # the server's own time per answer
    client_cpu: float = 0.0  # CPU seconds the load generator (this process) used
    server_cpu: float = 0.0  # CPU seconds the server's processes used (plan workers included)
    loads: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1, 5, 15 min load average after

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def server_pct(self, q: float) -> float:
        if not self.server:
            return float("nan")
        ordered = sorted(self.server)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies) if self.latencies else float("nan")


def _load() -> float:
    return os.getloadavg()[0]


class Pager:
    """One client's walk through the plan's pages: its own sort and filter."""

    SORTS = ("seq", "-quantity", "distance_km", "product_id", "-to_store")

    def __init__(self, seed: int, products: list[str], stores: list[str]) -> None:
        rng = random.Random(seed)
        self.params: dict[str, str | int] = {"limit": 100, "sort": rng.choice(self.SORTS)}
        kind = seed % 3
        if kind == 1:
            self.params["product_id"] = rng.choice(products)
        elif kind == 2:
            self.params["store_id"] = rng.choice(stores)
            self.params["direction"] = rng.choice(("in", "out"))
        self.cursor: str | None = None
        self.depth = 0

    def next_params(self) -> dict[str, str | int]:
        if self.cursor is None or self.depth >= 5:
            self.cursor, self.depth = None, 0
            return self.params
        return {**self.params, "cursor": self.cursor}

    def saw(self, next_cursor: str | None) -> None:
        self.cursor = next_cursor
        self.depth += 1


HEAD_BYTES = 1024  # a page's fields before its items: total, limit, sort, next_cursor
CURSOR = re.compile(rb'"next_cursor":(null|"([^"]*)")')


def next_cursor(body: bytes) -> str | None:
    """A page's ``next_cursor``, read from the start of the (gzipped) body: the fields come
    before the items, so only the first KiB is inflated and nothing is parsed as JSON, which
    cost the clients a good part of the CPU they share with the server. The whole body is
    parsed when the head does not hold it."""
    gzipped = body[:2] == b"\x1f\x8b"
    head = (
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, HEAD_BYTES)
        if gzipped
        else body[:HEAD_BYTES]
    )
    found = CURSOR.search(head)
    if found is None:
        cursor: str | None = json.loads(gzip.decompress(body) if gzipped else body)["next_cursor"]
        return cursor
    return None if found[1] == b"null" else found[2].decode()


SERVER: list[float] = []  # the server's own time per answer (Server-Timing), seconds
WHY: dict[str, int] = {}  # errors by status or exception name
REFUSED: list[int] = []  # plans refused with 429


def _error(why: str) -> None:
    WHY[why] = WHY.get(why, 0) + 1


async def _timed(conn: rawhttp.Connection, target: str) -> tuple[float, int, bytes]:
    """(seconds, status, raw body) of one GET, the body read to its last byte; the server's
    own time goes to :data:`SERVER`."""
    start = time.perf_counter()
    answer = await conn.get(target)
    took = time.perf_counter() - start
    timing = answer.headers.get("server-timing", "")
    if timing.startswith("app;dur="):
        SERVER.append(float(timing.removeprefix("app;dur=")) / 1000)
    return took, answer.status, answer.body


async def _drive(
    base: str,
    key: str,
    clients: int,
    seconds: float,
    roles: list[str],
    products: list[str],
    stores: list[str],
    planner_key: str | None,
    plan_every: float,
) -> tuple[list[float], int, float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    size = 0
    plans: list[float] = []
    started = 0
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "gzip"}
    host, port = base.removeprefix("http://").split(":")

    async def client(i: int) -> None:
        nonlocal errors, size
        pager = Pager(i, products, stores)
        conn = rawhttp.Connection(host, int(port), headers)
        while time.perf_counter() < deadline:
            role = roles[i % len(roles)]
            try:
                if role == "floor":
                    took, status, _ = await _timed(conn, "/api/v1/health")
                elif role == "whole":
                    took, status, body = await _timed(conn, "/api/v1/plans/1")
                    size = len(body)
                else:
                    query = urlencode(pager.next_params())
                    took, status, body = await _timed(conn, f"/api/v1/plans/1/transfers?{query}")
                    if status == 200:
                        pager.saw(next_cursor(body))
            except rawhttp.HTTPError as exc:
                errors += 1
                _error(str(exc))
                continue
            if status != 200:
                errors += 1
                _error(str(status))
                continue
            latencies.append(took)
        conn.close()

    async def planner(http: httpx.AsyncClient) -> None:
        nonlocal started, errors
        assert planner_key is not None
        auth = {"Authorization": f"Bearer {planner_key}"}
        pending: dict[int, float] = {}
        next_at = time.perf_counter()
        while time.perf_counter() < deadline:
            now = time.perf_counter()
            if now >= next_at:
                next_at = now + plan_every
                r = await http.post(
                    "/api/v1/plans",
                    json={"target": "cluster-mean", "max_transfers": 5000},
                    headers=auth,
                )
                if r.status_code == 201:
                    pending[r.json()["plan_id"]] = now
                    started += 1
                elif r.status_code == 429:
                    REFUSED.append(1)
                else:
                    errors += 1
                    _error(f"POST /plans {r.status_code}")
            for plan_id, began in list(pending.items()):
                r = await http.get(f"/api/v1/plans/{plan_id}/summary", headers=auth)
                status = r.json().get("status")
                if status != "running":
                    pending.pop(plan_id)
                    if status == "completed":
                        plans.append(time.perf_counter() - began)
                    else:
                        errors += 1
                        _error(f"plan {status}")
            await asyncio.sleep(0.25)

    tasks = [client(i) for i in range(clients)]
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        if planner_key is not None:
            tasks.append(planner(http))
        await asyncio.gather(*tasks)
    return latencies, errors, size / 1024, plans, started


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on uvloop when it is installed (less CPU per request for the clients)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        return asyncio.run(coro)
    return uvloop.run(coro)


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += used.get(p, 0.0)
        todo += [c for c, parent in parents.items() if parent == p]
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(bin_path: Path, url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(bin_path), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("stockshift serve did not start within 120 s")


def run_all(
    *,
    bin_path: Path,
    url: str,
    viewer: str,
    planner: str,
    port: int,
    workers: list[int],
    clients: int,
    seconds: float,
    mixed_seconds: float,
    plan_every: float,
    products: list[str],
    stores: list[str],
) -> list[Run]:
    scenarios: list[tuple[str, list[str], bool]] = [
        ("floor", ["floor"], False),
        ("paged", ["paged"], False),
        ("whole", ["whole"], False),
        ("mixed", ["paged", "whole"], True),
    ]
    runs: list[Run] = []
    for n in workers:
        server = serve(bin_path, url, port, n)
        try:
            base = f"http://127.0.0.1:{port}"
            # warm every worker's plan cache and connection pool before timing
            _run(_drive(base, viewer, clients, 3, ["paged", "whole"], products, stores, None, 0))
            for name, roles, plans in scenarios:
                before = _load()
                SERVER.clear()
                WHY.clear()
                REFUSED.clear()
                took = mixed_seconds if plans else seconds
                cpu_before, server_before = _own_cpu(), _tree_cpu(server.pid)
                lat, errors, kib, done, started = _run(
                    _drive(
                        base, viewer, clients, took, roles, products, stores,
                        planner if plans else None, plan_every,
                    )
                )  # fmt: skip
                run = Run(name, n, clients, took, lat, errors, before, _load(), kib, done)
                run.client_cpu = _own_cpu() - cpu_before
                run.server_cpu = _tree_cpu(server.pid) - server_before
                run.loads = os.getloadavg()
                run.plans_started = started
                run.server = list(SERVER)
                run.refused = len(REFUSED)
                run.why = dict(WHY)
                runs.append(run)
                print(
                    f"workers={n} {name}: {run.requests} requests, p50 {run.p50:.0f} ms, "
                    f"p99 {run.pct(0.99):.0f} ms (server {run.server_pct(0.99):.0f}), "
                    f"errors {errors} {run.why}, plans {len(done)}/{started} "
                    f"({run.refused} refused), "
                    f"client CPU {run.client_cpu / took:.0%}, server CPU "
                    f"{run.server_cpu / took:.0%}, load {before:.1f}->{run.load_after:.1f}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=60)
    return runs


GOALS = {"paged": 100.0, "whole": 300.0, "mixed": 250.0}
WHAT = {
    "floor": "`GET /health`",
    "paged": "`GET /plans/1/transfers`, 100 lines a page",
    "whole": "`GET /plans/1`, gzip",
    "mixed": "pages and whole plan, a new plan every {every:g} s",
}


def render(runs: list[Run], *, plan_every: float, lines: int) -> str:
    cpu = platform.processor() or platform.machine()
    first = runs[0]
    out = [
        "## API load",
        "",
        "Written by `.venv/bin/python -m benchmarks.load --part api` (benchmarks/apiload.py) "
        f"on {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. The machine is shared with "
        "other sessions running tests; the 1-minute load average before and after each run "
        "is in the table (2 cores: anything above 2 means every process waits for a core)"
        + (
            f"; server and clients ran at nice {os.nice(0)} (`nice -n N python -m "
            "benchmarks.load ...`)."
            if os.nice(0) != 0
            else "."
        ),
        "",
        f"A plan of {lines:,} lines (300 stores x 200 products, cluster-mean) in SQLite, "
        f"served by `stockshift serve --workers N` on 127.0.0.1; {first.clients} clients in "
        f"one asyncio process (uvloop) on the same machine, {first.seconds:.0f} s per run "
        f"(the mixed load {runs[-1].seconds:.0f} s, so that plans finish in it). Latency is "
        "request to last byte, as the clients saw it; *server* is the app's own time per "
        "answer (its `Server-Timing` header: request in to answer out, thread-pool waits "
        "included; not the kernel's or the client's queueing). The floor is the same load on "
        "`GET /health`. Goals (issue 11): paged p99 <= 100 ms, whole plan p99 <= 300 ms, mixed "
        "p99 <= 250 ms, 0 errors.",
        "",
        "| workers | load | what | requests | req/s | p50 ms | p99 ms | goal | server p50 "
        "/ p99 ms | errors | plans done / started, median s | CPU: server / clients "
        "| load avg before -> after (1, 5, 15 min) |",
        "|---:|---|---|---:|---:|---:|---:|---:|---|---:|---|---|---|",
    ]
    for r in runs:
        goal = GOALS.get(r.name)
        plans = (
            f"{len(r.plans)} / {r.plans_started}, "
            f"{statistics.median(r.plans):.1f}" if r.plans else
            (f"0 / {r.plans_started}" if r.name == "mixed" else "")
        )  # fmt: skip
        if r.refused:
            plans += f"; {r.refused} refused (429, queue full)"
        errors = f"{r.errors}" + (
            " (" + ", ".join(f"{k}: {v}" for k, v in sorted(r.why.items())) + ")" if r.why else ""
        )
        what = WHAT[r.name].format(every=plan_every)
        if r.name in ("whole", "mixed") and r.body_kib:
            what += f" ({r.body_kib:,.0f} KiB gzipped)"
        out.append(
            f"| {r.workers} | {r.name} | {what} | {r.requests:,} | {r.requests / r.seconds:,.0f} "
            f"| {r.p50:,.0f} | {r.pct(0.99):,.0f} | {'' if goal is None else f'{goal:.0f}'} "
            f"| {r.server_pct(0.5):,.1f} / {r.server_pct(0.99):,.1f} | {errors} | {plans} "
            f"| {r.server_cpu / r.seconds:.0%} / {r.client_cpu / r.seconds:.0%} "
            f"| {r.load_before:.1f} -> " + ", ".join(f"{x:.1f}" for x in r.loads) + " |"
        )
    out += [
        "",
        'How the service keeps these cheap (docs/api.md, "Big plans" and "Reading plans '
        'fast"): a page is one index range read (keyset; the indexes of migrations 0003 and '
        "0007) run from a statement built once per filter shape, plus a count kept per plan "
        "and filter, encoded by orjson and gzipped at level 1, in one thread-pool hop; the "
        "API key is checked against a 5-second cache (`STOCKSHIFT_KEY_CACHE_SECONDS`) on "
        "the event loop; the whole plan is a count on a partial index and a copy of bytes "
        "gzipped once, or a `304` for a client that sends its `ETag`; HTTP is uvicorn's "
        "httptools parser on uvloop. Plans run in worker processes at nice +10, so a plan "
        "being computed never holds the server's interpreter lock and takes the CPU the "
        "requests leave. The clients are a minimal keep-alive HTTP/1.1 client on uvloop "
        "(benchmarks/rawhttp.py), in one process; *CPU* is the share of one core the server "
        "(all its processes, plan workers included) and the clients used over the run. "
        "Compare each line with the floor of the same run: on a machine whose load average "
        "is several times its cores, the floor's own p99 is the queueing every answer pays "
        "before the app sees it, and the *server* columns show what the app itself spent.",
    ]
    return "\n".join(out) + "\n"
