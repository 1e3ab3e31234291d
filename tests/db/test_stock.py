"""Executing, receiving, cancelling, adjusting and selling: each all or nothing, ledgered,
and the chain's units (on hand + in transit) conserved except by adjustments and sales."""

from __future__ import annotations

import contextlib
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.errors import InputError
from stockshift.db.errors import ConflictError, NotFoundError
from stockshift.db.models import Base, LedgerRow, PlanRow, Stock, TransferRow
from stockshift.db.plans import get_plan, plan_lines
from stockshift.db.stock import (
    SaleLine,
    adjust_stock,
    record_sales,
    totals,
)
from stockshift.db.transfers import (
    cancel_transfer,
    execute_plan,
    receive_transfer,
)
from tests.db.factory import chain_files, load_chain, plan_now


def _ready_plan(sessions: sessionmaker[Session], tmp_path: Path) -> int:
    load_chain(sessions, chain_files(tmp_path), sales=False)
    return plan_now(sessions, target="cluster-mean", clusters="3")


def _stock(s: Session, store: str, product: str) -> tuple[int, int]:
    row = s.get(Stock, (store, product))
    assert row is not None
    s.refresh(row)
    return row.on_hand, row.in_transit


def test_execute_dispatches_every_line_once(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        before = totals(s)
        lines = plan_lines(s, plan_id=plan_id)
        first = lines[0]
        src_before = _stock(s, first.from_store, first.product_id)
        dst_before = _stock(s, first.to_store, first.product_id)
        result = execute_plan(s, plan_id=plan_id, key_id=7)
        assert result.lines == len(lines) and result.units == sum(t.quantity for t in lines)
        on_hand, in_transit = totals(s)
        assert on_hand + in_transit == sum(before)
        assert in_transit == result.units
        took = sum(
            t.quantity
            for t in lines
            if (t.from_store, t.product_id) == (first.from_store, first.product_id)
        )
        got = sum(
            t.quantity
            for t in lines
            if (t.to_store, t.product_id) == (first.to_store, first.product_id)
        )
        assert _stock(s, first.from_store, first.product_id)[0] == src_before[0] - took
        assert _stock(s, first.to_store, first.product_id)[1] == dst_before[1] + got
        assert get_plan(s, plan_id=plan_id).status == "executed"
        assert {t.status for t in plan_lines(s, plan_id=plan_id)} == {"dispatched"}
        ledger = s.scalars(select(LedgerRow).where(LedgerRow.plan_id == plan_id)).all()
        assert len(ledger) == 2 * len(lines)
        assert {e.key_id for e in ledger} == {7}
        assert sum(e.on_hand_delta + e.in_transit_delta for e in ledger) == 0
        with pytest.raises(ConflictError, match="executed before"):
            execute_plan(s, plan_id=plan_id, key_id=7)
        assert totals(s) == (on_hand, in_transit)


def test_execute_refuses_when_stock_moved(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        line = plan_lines(s, plan_id=plan_id)[0]
        held = _stock(s, line.from_store, line.product_id)[0]
        adjust_stock(
            s,
            store_id=line.from_store,
            product_id=line.product_id,
            delta=-held,
            reason="stock count",
            key_id=None,
        )
        before = totals(s)
        with pytest.raises(ConflictError) as info:
            execute_plan(s, plan_id=plan_id, key_id=None)
        assert info.value.problems[0]["store_id"] == line.from_store
        assert totals(s) == before
        assert get_plan(s, plan_id=plan_id).status == "completed"
        assert {t.status for t in plan_lines(s, plan_id=plan_id)} == {"proposed"}


def test_execute_unknown_plan_is_not_found(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(NotFoundError):
        execute_plan(s, plan_id=12345, key_id=None)


def test_receive_once_and_cancel_returns_units(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        execute_plan(s, plan_id=plan_id, key_id=None)
        a, b = plan_lines(s, plan_id=plan_id)[:2]
        total = sum(totals(s))
        dst = _stock(s, a.to_store, a.product_id)
        receive_transfer(s, transfer_id=a.id, key_id=None)
        assert _stock(s, a.to_store, a.product_id) == (dst[0] + a.quantity, dst[1] - a.quantity)
        with pytest.raises(ConflictError, match="only once"):
            receive_transfer(s, transfer_id=a.id, key_id=None)
        with pytest.raises(ConflictError):
            cancel_transfer(s, transfer_id=a.id, key_id=None)
        src = _stock(s, b.from_store, b.product_id)
        cancel_transfer(s, transfer_id=b.id, key_id=None)
        assert _stock(s, b.from_store, b.product_id)[0] == src[0] + b.quantity
        with pytest.raises(ConflictError):
            receive_transfer(s, transfer_id=b.id, key_id=None)
        assert sum(totals(s)) == total


def test_cancelled_proposed_line_is_not_dispatched(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        lines = plan_lines(s, plan_id=plan_id)
        cancel_transfer(s, transfer_id=lines[0].id, key_id=None)
        result = execute_plan(s, plan_id=plan_id, key_id=None)
        assert result.lines == len(lines) - 1
        assert totals(s)[1] == sum(t.quantity for t in lines[1:])


def test_sales_never_take_stock_below_zero(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    load_chain(sessions, chain_files(tmp_path))
    with sessions() as s:
        held = _stock(s, "S001", "P01")[0]
        out = record_sales(
            s,
            lines=[
                SaleLine(date(2024, 4, 1), "S001", "P01", held + 5),
                SaleLine(date(2024, 4, 1), "S001", "P99", 2),
            ],
            key_id=None,
        )
        assert (out[0].taken, out[0].short) == (held, 5)
        assert (out[1].taken, out[1].short) == (0, 2)
        assert _stock(s, "S001", "P01")[0] == 0
        with pytest.raises(InputError, match="unknown store"):
            record_sales(s, lines=[SaleLine(date(2024, 4, 1), "NOPE", "P01", 1)], key_id=None)


def test_adjustment_cannot_go_negative(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    load_chain(sessions, chain_files(tmp_path), sales=False)
    with sessions() as s:
        held = _stock(s, "S002", "P00")[0]
        with pytest.raises(ConflictError, match="negative"):
            adjust_stock(
                s, store_id="S002", product_id="P00", delta=-held - 1, reason="x", key_id=None
            )
        with pytest.raises(NotFoundError):
            adjust_stock(s, store_id="ZZZ", product_id="P00", delta=1, reason="x", key_id=None)
        row = adjust_stock(
            s, store_id="S002", product_id="NEW", delta=4, reason="delivery", key_id=None
        )
        assert (row.on_hand, row.in_transit) == (4, 0)


def test_racing_executions_exactly_one_wins(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        before = totals(s)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        with sessions() as s:
            barrier.wait()
            try:
                execute_plan(s, plan_id=plan_id, key_id=None)
                outcomes.append("won")
            except ConflictError:
                outcomes.append("409")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "409", "409", "won"]
    with sessions() as s:
        on_hand, in_transit = totals(s)
        assert on_hand + in_transit == sum(before)
        assert in_transit == sum(t.quantity for t in plan_lines(s, plan_id=plan_id))


def test_racing_receipts_exactly_one_wins(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    plan_id = _ready_plan(sessions, tmp_path)
    with sessions() as s:
        execute_plan(s, plan_id=plan_id, key_id=None)
        line = plan_lines(s, plan_id=plan_id)[0]
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def attempt(fn: object) -> None:
        with sessions() as s:
            barrier.wait()
            try:
                fn(s, transfer_id=line.id, key_id=None)  # type: ignore[operator]
                outcomes.append("won")
            except ConflictError:
                outcomes.append("409")

    fns = [receive_transfer, receive_transfer, cancel_transfer]
    threads = [threading.Thread(target=attempt, args=(f,)) for f in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "409", "won"]


# --- conservation as a property over random sequences of operations -----------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["plan", "execute", "receive", "cancel", "adjust", "sale"]),
        st.integers(0, 10_000),
        st.integers(-30, 30),
    ),
    min_size=1,
    max_size=10,
)


def _reset(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
        s.commit()
    load_chain(sessions, chain_files(tmp_path, stores=6, products=3), sales=False)


def _apply(s: Session, sessions: sessionmaker[Session], op: str, pick: int, amount: int) -> int:
    """Run one operation; returns the change in total units it is allowed to make."""
    stock_rows = s.execute(
        select(Stock.store_id, Stock.product_id).order_by(Stock.store_id, Stock.product_id)
    ).all()
    store, product = stock_rows[pick % len(stock_rows)]
    if op == "plan":
        plan_now(sessions, target="cluster-mean", clusters="2")
        return 0
    if op in ("execute", "receive", "cancel"):
        if op == "execute":
            ids = s.scalars(select(PlanRow.id).order_by(PlanRow.id)).all()
            fn, kw = execute_plan, "plan_id"
        else:
            ids = s.scalars(select(TransferRow.id).order_by(TransferRow.id)).all()
            fn, kw = (receive_transfer if op == "receive" else cancel_transfer), "transfer_id"
        if ids:
            with contextlib.suppress(ConflictError):
                fn(s, key_id=None, **{kw: ids[pick % len(ids)]})  # type: ignore[operator]
        return 0
    if op == "adjust":
        try:
            adjust_stock(
                s, store_id=store, product_id=product, delta=amount, reason="count", key_id=None
            )
            return amount
        except ConflictError:
            return 0
    out = record_sales(
        s, lines=[SaleLine(date(2024, 5, 1), store, product, abs(amount))], key_id=None
    )
    return -out[0].taken


def test_conservation_over_random_operations(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=OPS)
    def check(ops: list[tuple[str, int, int]]) -> None:
        _reset(sessions, tmp_path)
        with sessions() as s:
            start = expected = sum(totals(s))
            for op, pick, amount in ops:
                expected += _apply(s, sessions, op, pick, amount)
                on_hand, in_transit = totals(s)
                assert on_hand + in_transit == expected, (op, pick, amount)
                assert s.scalar(select(func.min(Stock.on_hand))) >= 0
                assert s.scalar(select(func.min(Stock.in_transit))) >= 0
                moved = s.scalar(
                    select(func.sum(LedgerRow.on_hand_delta + LedgerRow.in_transit_delta))
                )
                assert (moved or 0) == expected - start  # every change is in the ledger

    check()
