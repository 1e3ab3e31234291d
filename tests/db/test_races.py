"""Stock changes racing each other on real threads against a real engine (SQLite, PostgreSQL).

Each test starts its threads at a barrier and then checks the end state line by line: every
transfer line is in exactly one state, and that state agrees with its ledger rows and with
the stock table; no race may end in anything but success or a clean ConflictError.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from stockshift.db.errors import ConflictError
from stockshift.db.models import LedgerRow, Sale, Stock, Store, TransferRow
from stockshift.db.stock import (
    SaleLine,
    adjust_stock,
    record_sales,
    totals,
)
from stockshift.db.transfers import (
    cancel_transfer,
    execute_plan,
)
from stockshift.service.imports import import_sources
from tests.db.factory import chain_files, direct_plan, load_chain, plan_now, stock_table
from tests.db.races import assert_lines_match_ledger, race

PRODUCTS = [f"P{j:03d}" for j in range(120)]


def test_cancels_while_the_plan_executes_strand_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 7.1: 8 threads cancel every line of a plan while it executes. Each cancel
    happens before the execution (line never dispatched) or after it (units go back)."""
    load_chain(sessions, chain_files(tmp_path, stores=30, products=12), sales=False)
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    with sessions() as s:
        ids = s.scalars(select(TransferRow.id).where(TransferRow.plan_id == plan_id)).all()
        before = sum(totals(s))
    assert len(ids) > 200

    def cancel(k: int) -> Callable[[], str]:
        def job() -> str:
            with sessions() as s:
                for tid in ids[k::8]:
                    cancel_transfer(s, transfer_id=tid, key_id=None)
            return "cancelled"

        return job

    out = race(_executes(sessions, plan_id), *(cancel(k) for k in range(8)))
    assert out == {"executed": 1, "cancelled": 8}
    with sessions() as s:
        assert assert_lines_match_ledger(s) == {"cancelled": len(ids)}
        assert totals(s) == (before, 0)


def test_cancelling_proposed_lines_of_a_plan_not_executed(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Cancels of one plan's proposed lines run side by side; execute then takes the rest."""
    load_chain(sessions, chain_files(tmp_path, stores=12, products=6), sales=False)
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    with sessions() as s:
        ids = s.scalars(select(TransferRow.id).where(TransferRow.plan_id == plan_id)).all()
    gone = ids[: len(ids) // 2]

    def cancel(k: int) -> Callable[[], str]:
        def job() -> str:
            with sessions() as s:
                for tid in gone[k::4]:
                    assert cancel_transfer(s, transfer_id=tid, key_id=None).status == "cancelled"
            return "ok"

        return job

    assert race(*(cancel(k) for k in range(4))) == {"ok": 4}
    with sessions() as s:
        result = execute_plan(s, plan_id=plan_id, key_id=None)
        assert result.lines == len(ids) - len(gone)
        assert assert_lines_match_ledger(s) == {
            "cancelled": len(gone),
            "dispatched": len(ids) - len(gone),
        }


def _executes(sessions: sessionmaker[Session], plan_id: int) -> Callable[[], str]:
    def job() -> str:
        with sessions() as s:
            execute_plan(s, plan_id=plan_id, key_id=None)
        return "executed"

    return job


def _cancels(sessions: sessionmaker[Session], plan_id: int) -> Callable[[], str]:
    """Cancel every line of the plan, in the order made."""
    with sessions() as s:
        ids = s.scalars(
            select(TransferRow.id).where(TransferRow.plan_id == plan_id).order_by(TransferRow.seq)
        ).all()

    def job() -> str:
        with sessions() as s:
            for tid in ids:
                cancel_transfer(s, transfer_id=tid, key_id=None)
        return "cancelled"

    return job


def test_crossing_flows_execute_and_cancel_at_once(sessions: sessionmaker[Session]) -> None:
    """Issue 7.2: plans A→B and B→A over the same products executed at once, then their
    lines of each product cancelled at once, twice: no deadlock, nothing lost."""
    stock_table(sessions, ["A", "B"], PRODUCTS, on_hand=10)
    with sessions() as s:
        before = sum(totals(s))
    for _ in range(2):
        ab = direct_plan(sessions, [(p, "A", "B", 1) for p in PRODUCTS])
        ba = direct_plan(sessions, [(p, "B", "A", 1) for p in PRODUCTS])
        assert race(_executes(sessions, ab), _executes(sessions, ba)) == {"executed": 2}
        assert race(_cancels(sessions, ab), _cancels(sessions, ba)) == {"cancelled": 2}
    with sessions() as s:
        assert assert_lines_match_ledger(s) == {"cancelled": 4 * len(PRODUCTS)}
        assert totals(s) == (before, 0)


def test_sales_batches_in_opposite_orders(sessions: sessionmaker[Session]) -> None:
    """Issue 7.2: two batches of the same lines, one reversed, sold at once."""
    stock_table(sessions, ["A", "B"], PRODUCTS, on_hand=10)
    day = date(2024, 5, 1)
    batch = [SaleLine(day, st, p, 3) for st in ("A", "B") for p in PRODUCTS]

    def sell(lines: list[SaleLine]) -> Callable[[], str]:
        def job() -> str:
            with sessions() as s:
                out = record_sales(s, lines=lines, key_id=None)
            assert all((o.taken, o.short) == (3, 0) for o in out)
            return "sold"

        return job

    assert race(sell(batch), sell(batch[::-1])) == {"sold": 2}
    with sessions() as s:
        assert set(s.scalars(select(Stock.on_hand))) == {4}
        assert set(s.scalars(select(Sale.units))) == {6.0}
        assert s.scalar(select(func.count()).select_from(Sale)) == len(batch)


def test_adjustments_racing_for_a_row_not_there_yet(sessions: sessionmaker[Session]) -> None:
    """Issue 7.2: 10 adjustments at once for a store/product pair with no stock row yet,
    for three new products in turn."""
    stock_table(sessions, ["A", "B"], PRODUCTS[:2], on_hand=10)
    for product in ("NEW1", "NEW2", "NEW3"):

        def adjust(product: str = product) -> str:
            with sessions() as s:
                adjust_stock(s, store_id="A", product_id=product, delta=1, reason="c", key_id=None)
            return "adjusted"

        assert race(*(adjust for _ in range(10))) == {"adjusted": 10}
        with sessions() as s:
            row = s.get(Stock, ("A", product))
            assert row is not None and (row.on_hand, row.in_transit) == (10, 0)
            assert s.scalar(select(func.count()).where(LedgerRow.product_id == product)) == 10


def test_imports_racing_each_other_and_stock_changes(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 7.2: two imports at once, while sales and adjustments run: each import either
    replaces the data whole or is refused (409, an import is already running)."""
    small = chain_files(tmp_path / "small", stores=30, products=20, seed=1)
    large = chain_files(tmp_path / "large", stores=40, products=20, seed=2)
    load_chain(sessions, small, sales=False)
    for _ in range(2):

        def load(files: object) -> Callable[[], str]:
            def job() -> str:
                with sessions() as s:
                    import_sources(s, stores=files.stores, inventory=files.inventory)  # type: ignore[attr-defined]
                return "imported"

            return job

        def adjust() -> str:
            with sessions() as s:
                adjust_stock(s, store_id="S001", product_id="P01", delta=1, reason="c", key_id=None)
            return "adjusted"

        out = race(load(small), load(large), adjust, adjust)
        assert out["adjusted"] == 2 and out["imported"] >= 1, out
        assert out["imported"] + out["409"] == 2, out
        with sessions() as s:
            stores = s.scalar(select(func.count()).select_from(Store))
            assert stores in (30, 40)
            assert s.scalar(select(func.count()).select_from(Stock)) == stores * 20


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def test_run_write_retries_collisions_a_bounded_number_of_times(
    sessions: sessionmaker[Session],
) -> None:
    """A deadlock is retried from the start; one that persists, or SQLite's busy timeout,
    is a ConflictError (409); any other database error is not swallowed."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from stockshift.db.engine import ATTEMPTS, run_write

    def failing(
        times: int, orig: _Orig, kind: type[Exception] = OperationalError
    ) -> Callable[[], str]:
        calls = {"n": 0}

        def work() -> str:
            calls["n"] += 1
            if calls["n"] <= times:
                raise kind("UPDATE stock ...", {}, orig)
            return f"done after {calls['n']}"

        return work

    deadlock = _Orig("deadlock detected", "40P01")
    with sessions() as s:
        assert run_write(s, failing(2, deadlock)) == "done after 3"
        assert run_write(s, failing(1, _Orig("duplicate key", "23505"), IntegrityError)) == (
            "done after 2"
        )
        with pytest.raises(ConflictError, match="busy with concurrent changes"):
            run_write(s, failing(ATTEMPTS, deadlock))
        with pytest.raises(ConflictError, match="busy"):
            run_write(s, failing(1, _Orig("database is locked")))
        with pytest.raises(OperationalError):
            run_write(s, failing(1, _Orig("no such table: stock")))
        with pytest.raises(IntegrityError):
            run_write(s, failing(ATTEMPTS, _Orig("duplicate key", "23505"), IntegrityError))
