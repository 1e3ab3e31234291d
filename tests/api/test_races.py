"""Races over HTTP against a real uvicorn server (SQLite, and PostgreSQL when configured).

Every racing client keeps one keep-alive connection: a conflict must come back as a 409
problem and leave that connection usable, never as a 500 (uvicorn closes the connection
after an unhandled error).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.models import TransferRow
from tests.api.conftest import KeptAlive, Server
from tests.db.factory import ChainFiles, chain_files, direct_plan, stock_table
from tests.db.races import assert_lines_match_ledger, race

PROBLEM = "application/problem+json"
PRODUCTS = [f"P{j:03d}" for j in range(80)]


@pytest.fixture
def sessions(server: Server, database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def _upload(client: KeptAlive, files: ChainFiles) -> int:
    r = client.post(
        "/import",
        files={
            "stores": ("stores.csv", files.stores.read_bytes(), "text/csv"),
            "inventory": ("inventory.csv", files.inventory.read_bytes(), "text/csv"),
        },
    )
    return int(r.status_code)


def _plan(client: KeptAlive) -> int:
    r = client.post("/plans", json={"target": "cluster-mean", "clusters": "3"})
    assert r.status_code == 201, r.text
    plan_id: int = r.json()["plan_id"]
    for _ in range(600):
        status = client.get(f"/plans/{plan_id}").json()["status"]
        if status != "running":
            assert status == "completed"
            return plan_id
        time.sleep(0.1)
    raise AssertionError("plan did not finish")


def _each(
    server: Server, role: str, clients: list[KeptAlive], work: Callable[[KeptAlive], str]
) -> Callable[[], str]:
    """A race job on a client of its own, kept for the connection check at the end."""

    def job() -> str:
        client = server.client(role)
        clients.append(client)
        return work(client)

    return job


def _one_connection_each(clients: list[KeptAlive]) -> None:
    for client in clients:
        assert len(client.connections) == 1, client.connections
        client.close()


def test_cancels_while_the_plan_executes_over_http(
    server: Server, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 7.1 over HTTP: execute, and 8 clients cancelling every line of the plan."""
    planner = server.client("planner")
    assert _upload(server.client("admin"), chain_files(tmp_path, stores=30, products=12)) == 200
    plan_id = _plan(planner)
    lines = [t["transfer_id"] for t in planner.get(f"/plans/{plan_id}").json()["transfers"]]
    total = planner.get("/inventory/totals").json()["total"]
    clients: list[KeptAlive] = []

    def execute(client: KeptAlive) -> str:
        r = client.post(f"/plans/{plan_id}/execute")
        return str(r.status_code)

    def cancel(k: int) -> Callable[[KeptAlive], str]:
        def work(client: KeptAlive) -> str:
            codes = Counter(
                client.post(f"/transfers/{tid}/cancel").status_code for tid in lines[k::8]
            )
            return ",".join(f"{c}x{n}" for c, n in sorted(codes.items()))

        return work

    out = race(
        _each(server, "planner", clients, execute),
        *(_each(server, "planner", clients, cancel(k)) for k in range(8)),
    )
    assert out["200"] == 1 and sum(out.values()) == 9, out
    assert all(label.startswith("200x") and "," not in label for label in out if label != "200")
    _one_connection_each(clients)
    doc = planner.get(f"/plans/{plan_id}").json()
    assert doc["status"] == "executed" and {t["status"] for t in doc["transfers"]} == {"cancelled"}
    assert planner.get("/inventory/totals").json() == {
        "on_hand": total,
        "in_transit": 0,
        "total": total,
    }
    with sessions() as s:
        assert assert_lines_match_ledger(s) == {"cancelled": len(lines)}


def test_crossing_changes_answer_200_over_one_connection(
    server: Server, sessions: sessionmaker[Session]
) -> None:
    """Issue 7.2 over HTTP: crossing executions, crossing cancels, sales batches in
    opposite orders, 10 first adjustments of one pair: all succeed, no connection lost."""
    stock_table(sessions, ["A", "B"], PRODUCTS, on_hand=10)
    ab = direct_plan(sessions, [(p, "A", "B", 1) for p in PRODUCTS])
    ba = direct_plan(sessions, [(p, "B", "A", 1) for p in PRODUCTS])
    clients: list[KeptAlive] = []

    def post(role: str, *paths: str, **kwargs: object) -> Callable[[], str]:
        def work(client: KeptAlive) -> str:
            return ",".join(str(client.post(p, **kwargs).status_code) for p in paths)

        return _each(server, role, clients, work)

    assert race(post("planner", f"/plans/{ab}/execute"), post("planner", f"/plans/{ba}/execute"))
    with sessions() as s:
        ids = {
            plan: s.scalars(
                select(TransferRow.id).where(TransferRow.plan_id == plan).order_by(TransferRow.seq)
            ).all()
            for plan in (ab, ba)
        }
    assert race(
        *(post("planner", *(f"/transfers/{t}/cancel" for t in ids[plan])) for plan in (ab, ba))
    ) == {",".join(["200"] * len(PRODUCTS)): 2}
    batch = [
        {"date": "2024-05-01", "store_id": st, "product_id": p, "units": 3}
        for st in ("A", "B")
        for p in PRODUCTS
    ]
    assert race(
        post("admin", "/sales", json={"sales": batch}),
        post("admin", "/sales", json={"sales": batch[::-1]}),
    ) == {"200": 2}
    adjust = {"store_id": "A", "product_id": "NEW", "delta": 1, "reason": "count"}
    assert race(*(post("admin", "/inventory/adjustments", json=adjust) for _ in range(10))) == {
        "201": 10
    }
    _one_connection_each(clients)
    with sessions() as s:
        assert assert_lines_match_ledger(s) == {"cancelled": 2 * len(PRODUCTS)}
    viewer = server.client("viewer")
    assert (
        viewer.get("/inventory", params={"store_id": "A", "product_id": "NEW"}).json()["items"][0][
            "on_hand"
        ]
        == 10
    )
    assert viewer.get("/inventory/totals").json()["total"] == 2 * len(PRODUCTS) * 4 + 10


def test_racing_imports_answer_200_or_409_over_one_connection(
    server: Server, tmp_path: Path
) -> None:
    """Issue 7.2 over HTTP: two imports at once; each replaces the data whole or is told
    that an import is already running (PostgreSQL; SQLite makes the second one wait)."""
    small = chain_files(tmp_path / "small", stores=30, products=20, seed=1)
    large = chain_files(tmp_path / "large", stores=40, products=20, seed=2)
    clients: list[KeptAlive] = []
    for _ in range(2):
        out = race(
            _each(server, "admin", clients, lambda c: str(_upload(c, small))),
            _each(server, "admin", clients, lambda c: str(_upload(c, large))),
        )
        assert out["200"] >= 1 and out["200"] + out["409"] == 2, out
    _one_connection_each(clients)
    stores = server.client("viewer").get("/stores").json()["total"]
    assert stores in (30, 40)


def test_an_unexpected_error_keeps_the_connection(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 (a bug) is a problem document, and the client's next request on the same
    keep-alive connection is served."""
    import stockshift.api.routes.inventory as inventory

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(inventory, "totals", broken)
    client = server.client("viewer")
    r = client.get("/inventory/totals")
    assert r.status_code == 500 and r.headers["content-type"] == PROBLEM
    assert "simulated" not in r.text
    time.sleep(0.2)  # give a closing server time to close
    assert client.get("/stores").status_code == 200
    assert len(client.connections) == 1
