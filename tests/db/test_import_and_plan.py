"""Import is all or nothing, and a plan from the database equals the CLI's on the same files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core import pipeline
from stockshift.core.errors import InputError
from stockshift.core.pipeline import build_plan
from stockshift.core.types import PlanParameters
from stockshift.db import linestore
from stockshift.db.bulk import bulk_insert
from stockshift.db.errors import ConflictError
from stockshift.db.models import LedgerRow, PlanRow, Sale, Stock, Store
from stockshift.db.plans import get_plan, plan_header, plan_lines, plan_orders, plan_summary
from stockshift.db.stock import totals
from stockshift.db.transfers import cancel_transfer, execute_plan
from stockshift.document import transfers_frame, warehouse_frame
from stockshift.io.readers import load_dataset
from stockshift.service.imports import import_sources
from tests.db.factory import chain_files, load_chain, plan_now, without_store
from tests.factories import write_csv


def test_import_loads_every_table(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    files = chain_files(tmp_path)
    with sessions() as s:
        summary = import_sources(
            s, stores=files.stores, inventory=files.inventory, sales=files.sales
        )
        assert (summary.stores, summary.products, summary.stock_rows) == (9, 4, 36)
        assert s.scalar(select(func.count()).select_from(Store)) == 9
        assert s.scalar(select(func.count()).select_from(Stock)) == 36
        assert s.scalar(select(func.count()).select_from(Sale)) == summary.sales_rows > 0
        assert totals(s) == (summary.units_on_hand, 0)
        assert s.scalar(select(LedgerRow.reason)) == "import"


def test_bad_import_changes_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    files = chain_files(tmp_path)
    load_chain(sessions, files)
    with sessions() as s:
        before = totals(s)
    bad = write_csv(
        tmp_path / "bad_inventory.csv",
        ["store_id", "product_id", "on_hand"],
        [("S000", "P00", 5), ("S999", "P00", 3), ("S001", "P00", -2)],
    )
    with sessions() as s, pytest.raises(InputError) as info:
        import_sources(s, stores=files.stores, inventory=bad)
    issues = {(i.row, i.column) for i in info.value.issues}
    assert (3, "store_id") in issues and (4, "on_hand") in issues
    with sessions() as s:
        assert totals(s) == before
        assert s.scalar(select(func.count()).select_from(Stock)) == 36


@pytest.mark.parametrize(
    "params",
    [
        {"target": "cluster-mean"},
        {"target": "forecast", "window": 14, "cover_days": 5, "service_level": 0.9},
        {"target": "forecast", "forecast": "linear-regression", "max_transfers": 7},
        {"target": "cluster-mean", "clusters": "2", "pack_size": 3, "max_distance_km": 400.0},
        {"target": "forecast", "policy": "optimal", "max_distance_km": 400.0},
    ],
)
@pytest.mark.parametrize("runs", ["one", "stored as made"])
def test_plan_from_database_equals_plan_from_files(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    params: dict[str, object],
    runs: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = chain_files(tmp_path, stores=12, products=5, days=40)
    load_chain(sessions, files)
    if runs != "one":  # a product or two a run, each run's lines stored while the next is made
        monkeypatch.setattr(pipeline, "RUN_ROWS", 13)
        monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)  # PostgreSQL: in a partition
    plan_id = plan_now(sessions, **params)
    expected = build_plan(
        load_dataset(
            stores=files.stores,
            inventory=files.inventory,
            sales=files.sales,
            sales_days=int(params.get("window", 28)),  # type: ignore[call-overload]
        ),
        PlanParameters(**params),  # type: ignore[arg-type]
    )
    with sessions() as s:
        row = get_plan(s, plan_id=plan_id)
        assert row.status == "completed", row.error
        lines = plan_lines(s, plan_id=plan_id)
        assert [t.seq for t in lines] == list(range(len(lines)))
        got = [(t.product_id, t.from_store, t.to_store, t.quantity, t.scope) for t in lines]
        orders = [
            (o.product_id, o.store_id, o.quantity, o.reason)
            for o in plan_orders(s, plan_id=plan_id)
        ]
    frame = transfers_frame(expected)
    want = list(
        frame[["product_id", "from_store", "to_store", "quantity", "scope"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [(p, f, t, int(q), sc) for p, f, t, q, sc in want]
    assert orders == [
        (p, s, int(q), r) for p, s, q, r in warehouse_frame(expected).itertuples(index=False)
    ]
    assert len(got) > 0
    with sessions() as s:
        header = plan_header(s, plan_id=plan_id)
        assert header is not None
        assert plan_summary(s, plan_id=plan_id) == header["summary"]
        assert header["summary"]["transfers"] == len(got)


def test_failed_plan_records_the_error(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    load_chain(sessions, chain_files(tmp_path))
    plan_id = plan_now(sessions, target="cluster-mean", clusters="column")  # no cluster column
    with sessions() as s:
        row = s.get(PlanRow, plan_id)
        assert row is not None and row.status == "failed"
        assert row.error is not None and "cluster" in row.error


def test_reimport_keeps_units_in_transit(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    files = chain_files(tmp_path)
    load_chain(sessions, files)
    plan_id = plan_now(sessions, target="cluster-mean")
    with sessions() as s:
        result = execute_plan(s, plan_id=plan_id, key_id=None)
    assert result.units > 0
    load_chain(sessions, files)
    with sessions() as s:
        in_transit = totals(s)[1]
    assert in_transit == result.units


def test_import_takes_in_transit_and_plans_on_the_position(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    files = chain_files(tmp_path)
    frame = pd.read_csv(files.inventory, dtype={"store_id": str, "product_id": str})
    frame["in_transit"] = np.arange(len(frame)) % 7
    frame.to_csv(files.inventory, index=False)
    load_chain(sessions, files)
    with sessions() as s:
        assert totals(s)[1] == int(frame["in_transit"].sum())
    plan_id = plan_now(sessions, target="cluster-mean")
    expected = build_plan(
        load_dataset(stores=files.stores, inventory=files.inventory),
        PlanParameters(target="cluster-mean"),
    )
    assert expected.inventory.in_transit is not None
    with sessions() as s:
        got = [(t.from_store, t.to_store, t.quantity) for t in plan_lines(s, plan_id=plan_id)]
    frame = transfers_frame(expected)
    assert got == list(
        frame[["from_store", "to_store", "quantity"]].itertuples(index=False, name=None)
    )


def test_reimport_without_a_store_with_open_transfers_is_refused(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 7.7: units in transit to or from a store the new stores file lacks would be
    lost; the import is refused naming the store and its transfers, and nothing changes."""
    files = chain_files(tmp_path)
    load_chain(sessions, files)
    plan_id = plan_now(sessions, target="cluster-mean")
    with sessions() as s:
        execute_plan(s, plan_id=plan_id, key_id=None)
        lines = plan_lines(s, plan_id=plan_id)
        before = totals(s)
    for store in sorted({t.to_store for t in lines} | {t.from_store for t in lines}):
        mine = sorted(t.id for t in lines if store in (t.from_store, t.to_store))
        with sessions() as s, pytest.raises(ConflictError) as info:
            import_sources(s, **vars(without_store(files, store, tmp_path / store)))
        assert f"{store}: " in str(info.value) and str(mine[0]) in str(info.value)
        assert info.value.problems[0]["store_id"] == store
        assert info.value.problems[0]["transfer_ids"] == mine[:20]
        with sessions() as s:
            assert totals(s) == before
            assert s.scalar(select(func.count()).select_from(Store)) == 9
    # once the store's transfers are closed it may go
    store = lines[0].to_store
    with sessions() as s:
        for t in lines:
            if store in (t.from_store, t.to_store):
                cancel_transfer(s, transfer_id=t.id, key_id=None)
        import_sources(s, **vars(without_store(files, store, tmp_path / "closed")))
        assert s.scalar(select(func.count()).select_from(Store)) == 8
        assert totals(s)[1] == sum(
            t.quantity for t in lines if store not in (t.from_store, t.to_store)
        )


def _keys_and_indexes(engine: Engine) -> dict[str, Any]:
    found = inspect(engine)
    return {
        table: (
            found.get_pk_constraint(table),
            sorted(found.get_foreign_keys(table), key=lambda k: str(k["name"])),
            sorted(found.get_indexes(table), key=lambda i: str(i["name"])),
            sorted(found.get_check_constraints(table), key=lambda c: str(c["name"])),
        )
        for table in ("stock", "sales")
    }


def test_import_leaves_keys_and_indexes_as_migrated(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """PostgreSQL drops and rebuilds the stock and sales indexes around the load: they
    come back the same, and still hold (a duplicate or unknown store is refused)."""
    migrated = _keys_and_indexes(engine)
    assert migrated["stock"][0]["constrained_columns"] == ["store_id", "product_id"]
    load_chain(sessions, chain_files(tmp_path))
    load_chain(sessions, chain_files(tmp_path, seed=2))
    engine.dispose()  # no cached reflection or statement from before the rebuild
    assert _keys_and_indexes(engine) == migrated
    with sessions() as s, pytest.raises(IntegrityError):
        s.add(Stock(store_id="S999", product_id="P00", on_hand=1, in_transit=0))
        s.commit()
    with sessions() as s, pytest.raises(IntegrityError):
        s.add(Stock(store_id="S000", product_id="P00", on_hand=1, in_transit=0))
        s.commit()


def test_import_failing_during_the_load_changes_nothing(
    engine: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = chain_files(tmp_path)
    load_chain(sessions, files)
    with sessions() as s:
        before = (totals(s), s.scalar(select(func.count()).select_from(Sale)))
    migrated = _keys_and_indexes(engine)

    def fail_on_sales(session: Session, table: str, frame: pd.DataFrame) -> int:
        if table == "sales":
            raise RuntimeError("disk full")
        return bulk_insert(session, table, frame)

    monkeypatch.setattr("stockshift.db.dataset.bulk_insert", fail_on_sales)
    with sessions() as s, pytest.raises(RuntimeError, match="disk full"):
        import_sources(
            s, stores=files.stores, inventory=chain_files(tmp_path / "b", seed=3).inventory,
            sales=files.sales,
        )  # fmt: skip
    with sessions() as s:
        assert (totals(s), s.scalar(select(func.count()).select_from(Sale))) == before
    engine.dispose()
    assert _keys_and_indexes(engine) == migrated
