"""The "API load" section of docs/benchmarks.md, from the runs of benchmarks/apiload.py."""

from __future__ import annotations

import os
import platform
import statistics
import time

from benchmarks.apiload import Run

GOALS = {"paged": 100.0, "whole": 300.0, "mixed": 250.0}
WHAT = {
    "floor": "`GET /health`",
    "paged": "`GET /plans/1/transfers`, 100 lines a page",
    "paged-made": "the same pages, none kept (`STOCKSHIFT_READ_CACHE_MIB=0`): each one made",
    "whole": "`GET /plans/1`, gzip",
    "mixed": "pages and whole plan, a new plan every {every:g} s",
}


def render(runs: list[Run], *, plan_every: float, lines: int) -> str:
    cpu = platform.processor() or platform.machine()
    first = runs[0]
    mixed = max(r.seconds for r in runs if r.name == "mixed")
    out = [
        "## API load",
        "",
        "Written by `.venv/bin/python -m benchmarks.load --part api` (benchmarks/apiload.py "
        "and apidoc.py) "
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
        f"(the mixed load {mixed:.0f} s, so that plans finish in it). Latency is "
        "request to last byte, as the clients saw it; *server* is the app's own time per "
        "answer (its `Server-Timing` header: request in to answer out, thread-pool waits "
        "included; not the kernel's or the client's queueing). The floor is the same load on "
        "`GET /health`. Goals (issue 11): paged p99 <= 100 ms, whole plan p99 <= 300 ms, mixed "
        "p99 <= 250 ms, 0 errors.",
        "",
        "| workers | load | what | requests | req/s | p50 ms | p99 ms | goal | server p50 "
        "/ p99 ms | errors | plans done / started, median s | CPU: server / clients "
        "| server CPU ms per answer | server waited for a core "
        "| load avg before -> after (1, 5, 15 min) |",
        "|---:|---|---|---:|---:|---:|---:|---:|---|---:|---|---|---:|---:|---|",
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
            f"| {1000 * r.server_cpu / max(1, r.requests):.2f} | {r.server_waited / r.seconds:.0%} "
            f"| {r.load_before:.1f} -> " + ", ".join(f"{x:.1f}" for x in r.loads) + " |"
        )
    out += [
        "",
        'How the service keeps these cheap (docs/api.md, "Reading plans fast" and "Server '
        "processes\"): each server process keeps its answers to a finished plan's reads "
        "(document, pages, summary, flows) as sent, with the plan's revision (its row and "
        "how many of its lines moved, read before the answer was made); a repeat of the "
        "request with a live key (the 5-second key cache's, or checked on the spot) reads "
        "the revision again (two "
        "small index reads, on the event loop for SQLite) and, unchanged, gets the kept bytes "
        "without the route, its validation, a thread-pool hop, the page query or gzip. A "
        "page that is made (the first read of it in a process, or after a line moved) is one "
        "index range read (keyset) from a statement built once per filter shape, a count "
        "kept per plan and filter, orjson and gzip level 1, in one thread-pool hop: the "
        "*paged-made* line measures that path alone. Each process freezes its start-up "
        "objects out of the garbage collector; `GET /health` runs on the event loop. Plans "
        "run in worker processes at nice +10. The clients are a minimal keep-alive HTTP/1.1 "
        "client on uvloop (benchmarks/rawhttp.py) in one process, reading a page's "
        "`next_cursor` from its first inflated KiB. *CPU* is the share of one core the server "
        "(all its processes, plan workers included) and the clients used over the run; "
        "*server CPU ms per answer* is the server's CPU over the answers; *waited for a core* "
        "is the time the server's threads were runnable but another process had the core "
        "(/proc schedstat), as a share of the run: the cost of whatever else the machine ran.",
    ]
    return "\n".join(out) + "\n"
