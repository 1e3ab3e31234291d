"""The Arrow snapshot equals the row-by-row one, array for array, on any data and both databases.

Ids are drawn with the characters a CSV or the SQLite separator could trip on (commas,
quotes, backslashes, spaces, non-ASCII); units and coordinates are arbitrary doubles, so a
value that does not read back exactly fails the comparison.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.types import Dataset
from stockshift.db import columns
from stockshift.db import dataset as dataset_module
from stockshift.db.bulk import bulk_insert
from stockshift.db.dataset import snapshot_dataset
from stockshift.db.engine import write_transaction
from stockshift.db.models import Product, Sale, Stock, Store
from tests.db.rowwise import rowwise_snapshot

ID_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters=",\"'\\ ;|"
)
IDS = st.text(ID_CHARS, min_size=1, max_size=12)
FINITE = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def chains(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    store_ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    product_ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    stores = pd.DataFrame(
        {
            "store_id": store_ids,
            "name": [draw(st.one_of(st.just(""), IDS)) for _ in store_ids],
            "lat": [draw(st.floats(-90, 90)) for _ in store_ids],
            "lon": [draw(st.floats(-180, 180)) for _ in store_ids],
            "cluster": [draw(st.one_of(st.none(), IDS)) for _ in store_ids],
            "capacity": [draw(st.one_of(st.none(), st.floats(0, 1e12))) for _ in store_ids],
        }
    )
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(store_ids), st.sampled_from(product_ids)),
            unique=True,
            max_size=20,
        )
    )
    stock = pd.DataFrame(
        {
            "store_id": [s for s, _ in pairs],
            "product_id": [p for _, p in pairs],
            "on_hand": [draw(st.integers(0, 10**9)) for _ in pairs],
            "in_transit": [draw(st.integers(0, 10**9)) for _ in pairs],
        },
        columns=["store_id", "product_id", "on_hand", "in_transit"],
    )
    start = draw(st.dates(date(1990, 1, 1), date(2030, 1, 1)))
    sold = draw(
        st.lists(
            st.tuples(st.sampled_from(store_ids), st.sampled_from(product_ids), st.integers(0, 40)),
            unique=True,
            max_size=40,
        )
    )
    sales = pd.DataFrame(
        {
            "store_id": [s for s, _, _ in sold],
            "product_id": [p for _, p, _ in sold],
            "day": [start + timedelta(days=d) for _, _, d in sold],
            "units": [draw(st.one_of(st.floats(0, 1e7), st.integers(0, 10**7))) for _ in sold],
        },
        columns=["store_id", "product_id", "day", "units"],
    )
    sales["units"] = sales["units"].astype(np.float64)
    return {"stores": stores, "products": pd.DataFrame({"product_id": product_ids}),
            "stock": stock, "sales": sales}  # fmt: skip


def _load(sessions: sessionmaker[Session], tables: dict[str, pd.DataFrame]) -> None:
    with sessions() as s, write_transaction(s):
        for model in (Stock, Sale, Store, Product):
            s.execute(delete(model))
        for name in ("stores", "products", "stock", "sales"):
            bulk_insert(s, name, tables[name])


def _assert_same(fast: Dataset, slow: Dataset) -> None:
    for part in ("stores", "inventory", "sales"):
        a, b = getattr(fast, part), getattr(slow, part)
        assert (a is None) == (b is None), part
        if a is None:
            continue
        for f in fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
                assert x.dtype == y.dtype, f"{part}.{f.name}: {x.dtype} != {y.dtype}"
                np.testing.assert_array_equal(x, y, err_msg=f"{part}.{f.name}")
            else:
                assert x == y, f"{part}.{f.name}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tables=chains(), window=st.one_of(st.none(), st.integers(1, 45)))
def test_fast_snapshot_equals_rowwise(
    sessions: sessionmaker[Session], tables: dict[str, Any], window: int | None
) -> None:
    _load(sessions, tables)
    for with_sales in (True, False):
        with sessions() as s:
            fast = snapshot_dataset(s, window=window, with_sales=with_sales)
        with sessions() as s:
            slow = rowwise_snapshot(s, window=window, with_sales=with_sales)
        _assert_same(fast, slow)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tables=chains(), chunk=st.integers(1, 4))
def test_sqlite_chunks_over_rowid_gaps_equal_rowwise(
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tables: dict[str, Any],
    chunk: int,
) -> None:
    """SQLite reads a table in chunks of rowids: with rows deleted between them (gaps in
    the rowids) and chunks of a few rows, the snapshot is still the row-wise one."""
    with sessions() as s:
        if s.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite's chunked read")
    _load(sessions, tables)
    with sessions() as s, write_transaction(s):
        for table in ("stock", "sales"):
            s.execute(text(f"DELETE FROM {table} WHERE rowid % 3 = 1"))
    monkeypatch.setattr(columns, "SQLITE_CHUNK", chunk)
    with sessions() as s:
        fast = snapshot_dataset(s, window=None)
    with sessions() as s:
        slow = rowwise_snapshot(s, window=None)
    _assert_same(fast, slow)


def test_snapshot_of_an_empty_database(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        fast = snapshot_dataset(s, window=28)
    with sessions() as s:
        slow = rowwise_snapshot(s, window=28)
    _assert_same(fast, slow)
    assert len(fast.inventory) == 0 and fast.sales is None


def test_snapshot_is_one_moment_of_the_database(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sales committed by another connection after the snapshot read the stock, and before
    it reads the sales, are not in it: every table is read in one read transaction (on
    PostgreSQL on the ADBC connection of its own)."""
    tables = {
        "stores": pd.DataFrame(
            {"store_id": ["A", "B"], "name": ["a", "b"], "lat": [1.0, 2.0], "lon": [1.0, 2.0],
             "cluster": [None, None], "capacity": [None, None]}
        ),
        "products": pd.DataFrame({"product_id": ["P"]}),
        "stock": pd.DataFrame(
            {"store_id": ["A", "B"], "product_id": ["P", "P"], "on_hand": [5, 0],
             "in_transit": [0, 0]}
        ),
        "sales": pd.DataFrame(
            {"store_id": ["A"], "product_id": ["P"], "day": [date(2024, 3, 1)], "units": [2.0]}
        ),
    }  # fmt: skip
    _load(sessions, tables)
    with sessions() as s:
        before = rowwise_snapshot(s, window=None)
    build = dataset_module.build_inventory

    def build_then_sell(*args: Any) -> Any:
        later = pd.DataFrame(
            {"store_id": ["B"], "product_id": ["P"], "day": [date(2024, 3, 2)], "units": [7.0]}
        )
        with sessions() as other, write_transaction(other):
            bulk_insert(other, "sales", later)
        return build(*args)

    monkeypatch.setattr(dataset_module, "build_inventory", build_then_sell)
    with sessions() as s:
        during = snapshot_dataset(s, window=None)
    monkeypatch.undo()
    _assert_same(during, before)
    with sessions() as s:
        after = snapshot_dataset(s, window=None)
    assert after.sales is not None and after.sales.units.sum() == 9.0
