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
