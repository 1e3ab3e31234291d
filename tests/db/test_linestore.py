"""A big plan's lines in a partition of their own (PostgreSQL; SQLite keeps one table):
read, paged, filtered, executed, received and cancelled by id like any plan's, and stored
all or nothing. The threshold is lowered so that a small chain's plan counts as big."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core import pipeline
from stockshift.db import linestore, plans
from stockshift.db.linestore import of_plan
from stockshift.db.models import TransferRow, TransferStoreRow
from stockshift.db.planlines import LineFilter, Sort, count_lines, transfer_page
from stockshift.db.plans import (
    get_plan,
    get_transfer,
    list_transfers,
    plan_header,
    plan_lines,
    store_imported,
)
from stockshift.db.transfers import cancel_transfer, execute_plan, receive_transfer
from tests.db.factory import chain_files, load_chain, plan_now


def _postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def _blocks(s: Session) -> list[str]:
    """The partitions of ``transfers`` holding a big plan's lines (stored rows only)."""
    return list(
        s.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'transfers'::regclass AND c.relname <> 'transfers_small' "
                "AND EXISTS (SELECT 1 FROM transfers WHERE tableoid = c.oid)"
            )
        )
    )


def _explain(s: Session, plan_id: int) -> str:
    """The query plan of reading plan ``plan_id``'s lines: its partition alone."""
    query = select(TransferRow.id).where(*of_plan(s.connection(), plan_id))
    sql = str(query.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
    return "\n".join(s.scalars(text(f"EXPLAIN (COSTS OFF) {sql}")))


def _big_plan(sessions: sessionmaker[Session], tmp_path: Path) -> int:
    load_chain(sessions, chain_files(tmp_path, stores=12, products=6), sales=False)
    return plan_now(sessions, target="cluster-mean", clusters="3")


def test_big_plan_is_read_paged_executed_and_moved_by_id(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)
    other = _big_plan(sessions, tmp_path)
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 10**9)
    shared = plan_now(sessions, target="cluster-mean", clusters="3")
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    with sessions() as s:
        lines = plan_lines(s, plan_id=plan_id)
        assert len(lines) >= 4
        assert [line.seq for line in lines] == list(range(len(lines)))
        assert len(plan_lines(s, plan_id=shared)) == len(lines)
        row = get_plan(s, plan_id=plan_id)
        if _postgres(s):
            for plan, table in ((plan_id, "transfers_block_"), (shared, "transfers_small")):
                explained = _explain(s, plan)
                scanned = set(re.findall(r" on (transfers_\w+)", explained))
                assert len(scanned) == 1 and scanned.pop().startswith(table), explained
            assert len(_blocks(s)) == 2  # other's and plan_id's; shared's is in transfers_small
            assert row.line_first is not None and row.line_first >= linestore.FIRST_BLOCK_ID
            assert [line.id for line in lines] == list(range(row.line_first, row.line_end or 0))
            shared_row = get_plan(s, plan_id=shared)
            assert shared_row.line_end is not None and shared_row.line_end < 2**40
        # paged, filtered and counted like any plan's lines
        product = lines[0].product_id
        where = LineFilter(product_id=product)
        expected = [line.id for line in lines if line.product_id == product]
        assert count_lines(s, plan_id=plan_id, where=where) == len(expected)
        seen, after = [], None
        while True:
            page = transfer_page(
                s, plan_id=plan_id, where=where, sort=Sort("seq"), after=after, limit=2
            )
            seen += [item["transfer_id"] for item in page.items]
            if page.next_key is None:
                break
            after = page.next_key
        assert seen == expected
        listed = list_transfers(s, plan_id=plan_id, product_id=product, limit=100, offset=0)
        assert [t.id for t in listed.items] == expected
        assert get_transfer(s, transfer_id=lines[1].id).seq == 1
    with sessions() as s:
        assert execute_plan(s, plan_id=plan_id, key_id=None).lines == len(lines)
    with sessions() as s:
        receive_transfer(s, transfer_id=lines[0].id, key_id=None)
        cancel_transfer(s, transfer_id=lines[1].id, key_id=None)
    with sessions() as s:
        statuses = [line.status for line in plan_lines(s, plan_id=plan_id)]
        assert statuses[:2] == ["received", "cancelled"]
        assert set(statuses[2:]) == {"dispatched"}
        assert {line.status for line in plan_lines(s, plan_id=other)} == {"proposed"}
        moved = s.scalar(text("SELECT count(*) FROM transfers WHERE status <> 'proposed'"))
        assert moved == len(lines)


def _partitions(s: Session) -> int:
    """Tables attached to this schema's ``transfers``, and tables of its blocks (attached
    or not)."""
    attached = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'transfers'::regclass"
    made = (
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'transfers\\_block\\_%'"
    )
    return int(s.scalar(text(attached)) or 0) + int(s.scalar(text(made)) or 0)


def _loaded(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[bool, int]:
    """A chain loaded and plans big from 2 lines: (PostgreSQL?, its partitions now)."""
    load_chain(sessions, chain_files(tmp_path, stores=12, products=6), sales=False)
    with sessions() as s:
        postgres = _postgres(s)
        before = _partitions(s) if postgres else 0
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)
    return postgres, before


def _nothing_stored(sessions: sessionmaker[Session], plan_id: int, error: str, before: int) -> None:
    with sessions() as s:
        row = get_plan(s, plan_id=plan_id)
        assert row.status == "failed" and error in (row.error or "")
        assert row.line_first is None and plan_header(s, plan_id=plan_id) is None
        assert s.query(TransferRow).count() == 0
        assert s.query(TransferStoreRow).count() == 0  # SQLite's lines by store
        if _postgres(s):
            assert _partitions(s) == before


def test_a_failure_while_storing_leaves_no_partition_and_no_line(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, before = _loaded(sessions, tmp_path, monkeypatch)

    def broken(session: Session, table: str, frame: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plans, "bulk_insert", broken)  # the warehouse orders, after the lines
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    _nothing_stored(sessions, plan_id, "disk full", before)


def test_a_failure_while_later_products_are_planned_leaves_nothing(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of products' lines are stored while the next is planned (on PostgreSQL into
    the plan's partition); planning failing after that leaves no line and no partition."""
    postgres, before = _loaded(sessions, tmp_path, monkeypatch)
    monkeypatch.setattr(pipeline, "RUN_ROWS", 12)  # a product a run
    copied = threading.Event()
    write = linestore.LineWriter.write

    def recorded(self: linestore.LineWriter, frame: pd.DataFrame) -> None:
        write(self, frame)
        if self.first is not None:
            copied.set()

    plan_products = pipeline.plan_products
    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            # PostgreSQL: the first runs' lines are in the plan's partition by now (SQLite
            # stores a plan once it is made)
            assert copied.wait(20) if postgres else not copied.is_set()
            raise RuntimeError("out of memory")
        return plan_products(*args, **kwargs)

    monkeypatch.setattr(linestore.LineWriter, "write", recorded)
    monkeypatch.setattr(pipeline, "plan_products", failing)
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    _nothing_stored(sessions, plan_id, "out of memory", before)


def test_a_failure_storing_lines_while_planning_leaves_nothing(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, before = _loaded(sessions, tmp_path, monkeypatch)
    monkeypatch.setattr(pipeline, "RUN_ROWS", 12)
    write = linestore.LineWriter.write
    frames: list[int] = []

    def broken(self: linestore.LineWriter, frame: pd.DataFrame) -> None:
        frames.append(len(frame))
        if len(frames) == 2:
            raise RuntimeError("disk full")
        write(self, frame)

    monkeypatch.setattr(linestore.LineWriter, "write", broken)
    plan_id = plan_now(sessions, target="cluster-mean", clusters="3")
    _nothing_stored(sessions, plan_id, "disk full", before)
    assert len(frames) >= 2


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": [f"P{i}" for i in range(n)], "from_store": "S1", "to_store": "S2",
            "quantity": 1, "distance_km": 1.0, "scope": "intra-cluster", "expected_gain": None,
        }
    )  # fmt: skip


def test_two_big_plans_stored_at_once_both_complete(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that has made its plan row and is copying lines, and a second store
    beside it: without the import locking ``transfers`` first, each attach waited for the
    other (a deadlock, and one of them failed)."""
    monkeypatch.setattr(linestore, "BIG_PLAN_LINES", 2)
    copying, go = threading.Event(), threading.Event()
    done: dict[str, object] = {}

    def paused() -> Iterator[pd.DataFrame]:
        yield _frame(3)  # the plan row is in, the block open and copied into
        copying.set()
        go.wait(20)
        yield _frame(3)

    def store(name: str, frames: Iterable[pd.DataFrame]) -> None:
        try:
            with sessions() as s:
                done[name] = store_imported(
                    s, parameters={}, document={}, transfers=frames, orders=[]
                )
        except Exception as exc:  # the assertion below reports it
            done[name] = exc

    first = threading.Thread(target=store, args=("first", paused()))
    first.start()
    assert copying.wait(20)
    second = threading.Thread(target=store, args=("second", [_frame(4)]))
    second.start()
    time.sleep(0.5)  # the second store reaches its lock (before the fix: its attach)
    go.set()
    first.join(30)
    second.join(30)
    assert all(isinstance(done.get(k), int) for k in ("first", "second")), done
    with sessions() as s:
        assert len(plan_lines(s, plan_id=int(done["first"]))) == 6  # type: ignore[call-overload]
        assert len(plan_lines(s, plan_id=int(done["second"]))) == 4  # type: ignore[call-overload]
