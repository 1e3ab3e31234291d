"""Bulk inserts keep every row and value, whatever the pieces they are cut into."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from stockshift.db import bulk
from stockshift.db.engine import write_transaction
from stockshift.db.models import Store


@pytest.mark.parametrize("rows", [1, 2, 7, 23])
def test_rows_in_pieces_read_back_exactly(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    # 6 columns, at most 14 values per SQLite statement: 2 rows, and pieces of 5 rows, so
    # that whole statements, a last short one and a last short piece all occur
    monkeypatch.setattr(bulk, "SQLITE_PARAMETERS", 14)
    frame = pd.DataFrame(
        {
            "store_id": [f"S{i:02d}" for i in range(rows)],
            "name": [f"Store, 'n{i}'" for i in range(rows)],
            "lat": [i / 3 for i in range(rows)],
            "lon": [-1e-300 * i for i in range(rows)],
            "cluster": [None if i % 3 else f"c{i}" for i in range(rows)],
            "capacity": [math.nan if i % 2 else 0.1 * i for i in range(rows)],
        }
    )
    with sessions() as session, write_transaction(session):
        assert bulk.bulk_insert(session, "stores", frame, chunk=5) == rows
    with sessions() as session:
        got = session.execute(select(Store.__table__).order_by(Store.store_id)).all()
    want = [
        tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
        for row in frame.itertuples(index=False)
    ]
    assert [tuple(row) for row in got] == want
