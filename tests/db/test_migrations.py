"""Migrations upgrade a database that holds data, and come back down (SQLite, PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from stockshift.db.engine import make_engine, session_factory
from stockshift.db.migrate import downgrade, upgrade
from stockshift.db.plans import lines_signature
from tests.conftest import BACKENDS, POSTGRES_URL

OLD_STATUS_INDEXES = {"ix_transfers_status", "ix_transfers_plan_status"}
OLD_SORT_INDEXES = {"ix_transfers_plan_quantity", "ix_transfers_plan_distance"}
MOVED = {"ix_transfers_moved", "ix_transfers_plan_moved"}


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    assert POSTGRES_URL is not None
    schema = f"stockshift_mig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("transfers")}


def test_0007_keeps_lines_and_indexes_only_lines_that_moved(empty: Engine) -> None:
    upgrade(empty, "0006")
    with empty.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO plans (id, status, parameters, created_at) "
                "VALUES (1, 'completed', '{}', CURRENT_TIMESTAMP)"
            )
        )
        for seq, status in enumerate(["proposed", "dispatched", "proposed", "cancelled"]):
            conn.execute(
                text(
                    "INSERT INTO transfers (plan_id, seq, product_id, from_store, to_store, "
                    "quantity, distance_km, scope, status) "
                    "VALUES (1, :seq, 'P1', 'S1', 'S2', 1, 2.5, 'intra-cluster', :status)"
                ),
                {"seq": seq, "status": status},
            )
    assert _indexes(empty) >= OLD_STATUS_INDEXES | OLD_SORT_INDEXES
    upgrade(empty)
    found = _indexes(empty)
    assert found >= MOVED and not (OLD_STATUS_INDEXES | OLD_SORT_INDEXES) & found
    partial = {
        str(i["name"]): " ".join(str(v) for v in i.get("dialect_options", {}).values())
        for i in inspect(empty).get_indexes("transfers")
        if i["name"] in MOVED
    }
    assert all("proposed" in where for where in partial.values()), partial
    with session_factory(empty)() as session:
        assert lines_signature(session, plan_id=1) == (("cancelled", 1), ("dispatched", 1))
        total = session.scalar(text("SELECT count(*) FROM transfers WHERE plan_id = 1"))
        assert total == 4
    downgrade(empty, "0006")
    found = _indexes(empty)
    assert found >= OLD_STATUS_INDEXES | OLD_SORT_INDEXES and not MOVED & found


def _partitioned(engine: Engine) -> bool:
    with engine.connect() as conn:
        kind = conn.scalar(text("SELECT relkind FROM pg_class WHERE oid = 'transfers'::regclass"))
    return kind == "p"


def test_0008_partitions_transfers_keeping_lines(
    empty: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from stockshift.db import linestore
    from stockshift.db.plans import get_plan, plan_lines, store_imported

    upgrade(empty, "0007")
    with empty.begin() as conn:
        for _ in (1, 2):  # ids 1 and 2, from the sequence
            conn.execute(
                text(
                    "INSERT INTO plans (status, parameters, created_at) "
                    "VALUES ('completed', '{}', CURRENT_TIMESTAMP)"
                )
            )
        for plan_id, seq, status in [(1, 0, "proposed"), (2, 0, "dispatched"), (1, 1, "proposed")]:
            conn.execute(
                text(
                    "INSERT INTO transfers (plan_id, seq, product_id, from_store, to_store, "
                    "quantity, distance_km, scope, status) "
                    "VALUES (:plan, :seq, 'P1', 'S1', 'S2', 1, 2.5, 'intra-cluster', :status)"
                ),
                {"plan": plan_id, "seq": seq, "status": status},
            )
    upgrade(empty)
    postgres = empty.dialect.name == "postgresql"
    if postgres:
        assert _partitioned(empty)
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)
    lines = pd.DataFrame(
        {
            "product_id": ["P1", "P2", "P3"], "from_store": "S1", "to_store": "S2",
            "quantity": [1, 2, 3], "distance_km": 1.0, "scope": "intra-cluster",
            "expected_gain": None,
        }
    )  # fmt: skip
    with session_factory(empty)() as session:
        assert [line.id for line in plan_lines(session, plan_id=1)] == [1, 3]
        assert lines_signature(session, plan_id=2) == (("dispatched", 1),)
        if postgres:
            row = get_plan(session, plan_id=1)
            assert (row.line_first, row.line_end) == (1, 4)
        big = store_imported(session, parameters={}, document={}, transfers=[lines], orders=[])
        ids = [line.id for line in plan_lines(session, plan_id=big)]
        assert ids[0] >= (2**40 if postgres else 1) and len(ids) == 3
    downgrade(empty, "0007")
    if postgres:
        assert not _partitioned(empty)
    with session_factory(empty)() as session:
        total = session.scalar(text("SELECT count(*) FROM transfers"))
        assert total == 6
        renumbered = session.scalars(
            text("SELECT id FROM transfers WHERE plan_id = :id ORDER BY seq"), {"id": big}
        ).all()
        assert len(renumbered) == 3 and max(renumbered) < 2**31
    upgrade(empty)


STORE_INDEXES = {"ix_transfers_plan_from", "ix_transfers_plan_to"}


def test_0010_moves_sqlite_store_indexes_to_transfer_stores(empty: Engine) -> None:
    from stockshift.db.planlines import LineFilter, Sort, transfer_page

    upgrade(empty, "0009")
    lines = [(1, 0, "S2", "S1"), (2, 0, "S1", "S3"), (1, 1, "S1", "S2"), (1, 2, "S3", "S1")]
    with empty.begin() as conn:
        for _ in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO plans (status, parameters, created_at) "
                    "VALUES ('completed', '{}', CURRENT_TIMESTAMP)"
                )
            )
        for plan_id, seq, origin, destination in lines:
            conn.execute(
                text(
                    "INSERT INTO transfers (plan_id, seq, product_id, from_store, to_store, "
                    "quantity, distance_km, scope, status) "
                    "VALUES (:plan, :seq, 'P1', :a, :b, 1, 2.5, 'intra-cluster', 'proposed')"
                ),
                {"plan": plan_id, "seq": seq, "a": origin, "b": destination},
            )
    upgrade(empty)
    sqlite = empty.dialect.name == "sqlite"
    assert (STORE_INDEXES & _indexes(empty)) == (set() if sqlite else STORE_INDEXES)
    if sqlite:
        with empty.connect() as conn:
            rows = conn.execute(text("SELECT * FROM transfer_stores")).all()
        assert sorted(tuple(r) for r in rows) == sorted(
            [(p, "out", a, s) for p, s, a, _ in lines] + [(p, "in", b, s) for p, s, _, b in lines]
        )

    def seqs(where: LineFilter, sort: str) -> list[tuple[str, str]]:
        with session_factory(empty)() as session:
            page = transfer_page(
                session, plan_id=1, where=where, sort=Sort(sort), after=None, limit=10
            )
        return [(x["from_store"], x["to_store"]) for x in page.items]

    assert seqs(LineFilter(store_id="S1"), "seq") == [("S2", "S1"), ("S1", "S2"), ("S3", "S1")]
    assert seqs(LineFilter(store_id="S1", direction="out"), "seq") == [("S1", "S2")]
    assert seqs(LineFilter(), "to_store") == [("S2", "S1"), ("S3", "S1"), ("S1", "S2")]
    downgrade(empty, "0009")
    assert _indexes(empty) >= STORE_INDEXES
    assert "transfer_stores" not in inspect(empty).get_table_names()
    upgrade(empty)
