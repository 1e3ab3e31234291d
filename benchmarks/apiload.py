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
  ``completed``;
- ``paged-made``: the ``paged`` load again against a server started with
  ``STOCKSHIFT_READ_CACHE_MIB=0``, which keeps no answers: every page is made by the
  route, as the first read of a page in a process (or after a line moved) is.

Latency is from sending the request to the last byte of the answer; errors are any answer
but 200 or any transport error. The load average is read before and after each run, and
the time the server's threads waited for a core while runnable (/proc schedstat).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import random
import re
import resource
import signal
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
    server_waited: float = 0.0  # seconds its threads were runnable but waited for a core
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


def _tree(pid: int) -> list[int]:
    """Process ``pid`` and its live descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int(
                (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            )
        except OSError:
            continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += [c for c, parent in parents.items() if parent == p]
    return found


def _tree_cpu(pid: int) -> tuple[float, float]:
    """(CPU seconds used, seconds spent runnable but waiting for a core) so far by process
    ``pid`` and its live descendants, all their threads: the second is what the machine's
    other work cost the server (/proc/PID/task/TID/schedstat)."""
    used = waited = 0.0
    for p in _tree(pid):
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                on_cpu, queued, _ = (task / "schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            used += int(on_cpu) / 1e9
            waited += int(queued) / 1e9
    return used, waited


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(
    bin_path: Path, url: str, port: int, workers: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(bin_path), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
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


@dataclass(frozen=True)
class Target:
    """What a run drives: the server's base URL and pid, the keys, the plan's ids."""

    base: str
    pid: int
    viewer: str
    planner: str
    products: list[str]
    stores: list[str]


def measure(
    target: Target, n: int, name: str, roles: list[str], clients: int, took: float,
    planner: bool = False, plan_every: float = 0.0,
) -> Run:  # fmt: skip
    """One scenario of ``clients`` clients in ``roles`` for ``took`` seconds."""
    before = _load()
    SERVER.clear()
    WHY.clear()
    REFUSED.clear()
    cpu_before, server_before = _own_cpu(), _tree_cpu(target.pid)
    lat, errors, kib, done, started = _run(
        _drive(
            target.base, target.viewer, clients, took, roles, target.products, target.stores,
            target.planner if planner else None, plan_every,
        )
    )  # fmt: skip
    run = Run(name, n, clients, took, lat, errors, before, _load(), kib, done)
    run.client_cpu = _own_cpu() - cpu_before
    server_after = _tree_cpu(target.pid)
    run.server_cpu = server_after[0] - server_before[0]
    run.server_waited = server_after[1] - server_before[1]
    run.loads = os.getloadavg()
    run.plans_started = started
    run.server = list(SERVER)
    run.refused = len(REFUSED)
    run.why = dict(WHY)
    print(
        f"workers={n} {name}: {run.requests} requests, p50 {run.p50:.0f} ms, "
        f"p99 {run.pct(0.99):.0f} ms (server {run.server_pct(0.99):.0f}), "
        f"errors {errors} {run.why}, plans {len(done)}/{started} ({run.refused} refused), "
        f"client CPU {run.client_cpu / took:.0%}, server CPU {run.server_cpu / took:.0%} "
        f"(waited for a core {run.server_waited / took:.0%}), "
        f"load {before:.1f}->{run.load_after:.1f}",
        flush=True,
    )
    return run


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
    """Every scenario against ``serve --workers N`` for each N; then pages again against a
    server that keeps no answers (``STOCKSHIFT_READ_CACHE_MIB=0``): what a page costs when
    it is made, as the first read of each page after a change is."""
    scenarios: list[tuple[str, list[str], bool]] = [
        ("floor", ["floor"], False),
        ("paged", ["paged"], False),
        ("whole", ["whole"], False),
        ("mixed", ["paged", "whole"], True),
    ]
    made: list[tuple[str, list[str], bool]] = [("paged-made", ["paged"], False)]
    base = f"http://127.0.0.1:{port}"
    runs: list[Run] = []
    for n in workers:
        for env, todo in (({}, scenarios), ({"STOCKSHIFT_READ_CACHE_MIB": "0"}, made)):
            server = serve(bin_path, url, port, n, env)
            try:
                target = Target(base, server.pid, viewer, planner, products, stores)
                # warm every worker's plan cache, connection pool and kept answers
                _run(
                    _drive(base, viewer, clients, 3, ["paged", "whole"], products, stores, None, 0)
                )
                for name, roles, plans in todo:
                    took = mixed_seconds if plans else seconds
                    runs.append(measure(target, n, name, roles, clients, took, plans, plan_every))
            finally:
                stop(server)
    return runs


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop ``serve``: it waits for the plans it computes; on a busy machine a plan started
    at the end of the mixed load can take minutes at nice +10, so after a minute the
    server and its plan workers are killed."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in reversed(_tree(server.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=60)
