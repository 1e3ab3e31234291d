"""A plan whose snapshot is read while other work runs (``db plan`` loads the planner's
modules meanwhile, and every plan clusters its stores meanwhile): the same plan as one
read first, and a failed read is recorded."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.types import PlanParameters, Stores
from stockshift.db import dataset as dataset_module
from stockshift.db.dataset import snapshot_dataset
from stockshift.db.models import PlanRow
from stockshift.db.plans import plan_header, plan_line_rows
from stockshift.service import planning
from stockshift.service.planning import run_plan, start_plan
from tests.db.factory import chain_files, load_chain, plan_now


def test_a_snapshot_read_meanwhile_makes_the_same_plan(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    load_chain(sessions, chain_files(tmp_path))
    params = PlanParameters()
    first = plan_now(sessions)
    meanwhile = start_plan(sessions, params, key_id=None)
    threads: list[str] = []
    summary = run_plan(
        sessions,
        meanwhile,
        params,
        meanwhile=lambda: threads.append(threading.current_thread().name),
    )
    assert threads == [threading.main_thread().name]
    with sessions() as s:
        lines = [plan_line_rows(s, plan_id=p) for p in (first, meanwhile)]
        headers = [plan_header(s, plan_id=p) for p in (first, meanwhile)]
    assert len(lines[0]) > 0
    assert [{**r, "transfer_id": 0} for r in lines[0]] == [
        {**r, "transfer_id": 0} for r in lines[1]
    ]
    assert headers[0] == headers[1]
    assert headers[1] is not None and summary == headers[1]["summary"]  # as stored, not read


def test_a_failed_read_meanwhile_is_recorded(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_chain(sessions, chain_files(tmp_path))
    params = PlanParameters()
    plan_id = start_plan(sessions, params, key_id=None)

    def broken(*_: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(planning, "read_snapshot", broken)
    assert run_plan(sessions, plan_id, params, meanwhile=lambda: None) is None
    with sessions() as s:
        row = s.get(PlanRow, plan_id)
        assert row is not None and row.status == "failed"
        assert row.error is not None and "disk gone" in row.error


def test_the_stores_are_handed_out_before_the_stock_is_read(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_plan clusters the stores and computes their distances while stock and sales are
    read: snapshot_dataset hands the stores out first."""
    load_chain(sessions, chain_files(tmp_path))
    seen: list[str] = []
    inventory = dataset_module.build_inventory

    def stock(*args: Any, **kwargs: Any) -> Any:
        seen.append("stock")
        return inventory(*args, **kwargs)

    monkeypatch.setattr(dataset_module, "build_inventory", stock)
    handed: list[Stores] = []
    with sessions() as s:
        dataset = snapshot_dataset(
            s, window=28, on_stores=lambda st: (handed.append(st), seen.append("stores"))
        )
    assert seen == ["stores", "stock"]
    assert handed[0] is dataset.stores and len(dataset.stores) == 9
