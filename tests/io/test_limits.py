"""Issue 7 parts 4-5: every value is checked against the documented limits on read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stockshift.core.errors import InputError
from stockshift.io.limits import FUTURE_MARGIN_DAYS, MAX_STOCK_UNITS, latest_date
from stockshift.io.readers import load_dataset
from tests.factories import write_csv
from tests.hostile import CASES, INVENTORY, SALES, Case


def _issues(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(i.file, i.row, i.column) for i in exc.value.issues]


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_hostile_value_is_a_row_error(name: str, tmp_path: Path) -> None:
    case: Case = CASES[name]
    stores, inventory, sales = case.write(tmp_path)
    with pytest.raises(InputError) as exc:
        load_dataset(stores=stores, inventory=inventory, sales=sales)
    assert (case.file, case.row, case.column) in _issues(exc), str(exc.value)
    assert case.words in str(exc.value)


def test_limits_themselves_are_accepted_exactly(tmp_path: Path) -> None:
    """The largest quantity, a whole number written with a fraction or exponent, and the
    latest date are accepted; integers are read exactly, never through float."""
    last_day = latest_date().isoformat()
    case = Case(
        "",
        0,
        "",
        "",
        inventory=[
            *INVENTORY,
            ("C", "P2", MAX_STOCK_UNITS),
            ("A", "P2", "12.0"),
            ("B", "P2", "1.2e1"),
        ],
        sales=[*SALES, (last_day, "A", "P1", "1e7"), ("1900-01-01", "B", "P1", 0)],
    )
    stores, inventory, sales = case.write(tmp_path)
    ds = load_dataset(stores=stores, inventory=inventory, sales=sales)
    p2 = ds.inventory.indptr[1]
    assert ds.inventory.on_hand.dtype == np.int64
    assert ds.inventory.on_hand[p2:].tolist() == [12, 12, MAX_STOCK_UNITS]
    assert str(ds.sales.last_day) == last_day  # type: ignore[union-attr]
    assert latest_date() == datetime.now(UTC).date() + timedelta(days=FUTURE_MARGIN_DAYS)


def _parquet(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


def test_parquet_values_are_checked_like_csv(tmp_path: Path) -> None:
    stores = _parquet(
        tmp_path / "stores.parquet",
        pa.table(
            {
                "store_id": ["A", "B", "C"],
                "lat": [41.0, float("nan"), 41.2],
                "lon": [-93.0, -93.1, float("inf")],
                "capacity": [1.0, 2.0, float("nan")],
            }
        ),
    )
    inventory = _parquet(
        tmp_path / "inventory.parquet",
        pa.table(
            {
                "store_id": ["A", "B", "C", "A"],
                "product_id": ["P1", "P1", "P1", "P2"],
                "on_hand": pa.array([2**53 + 1, 2**63, 5, None], pa.uint64()),
            }
        ),
    )
    with pytest.raises(InputError) as exc:
        load_dataset(stores=stores, inventory=inventory)
    found = _issues(exc)
    for where in [
        ("stores.parquet", 3, "lat"),
        ("stores.parquet", 4, "lon"),
        ("stores.parquet", 4, "capacity"),
    ]:
        assert where in found, str(exc.value)
    good_stores = _parquet(
        tmp_path / "good.parquet",
        pa.table({"store_id": ["A", "B", "C"], "lat": [41.0, 41.1, 41.2], "lon": [-93.0] * 3}),
    )
    with pytest.raises(InputError) as exc:
        load_dataset(stores=good_stores, inventory=inventory)
    found = _issues(exc)
    assert ("inventory.parquet", 2, "on_hand") in found  # 2**53 + 1: over the maximum
    assert ("inventory.parquet", 3, "on_hand") in found  # 2**63 does not fit int64
    assert ("inventory.parquet", 5, "on_hand") in found  # null
    floats = _parquet(
        tmp_path / "floats.parquet",
        pa.table(
            {
                "store_id": ["A", "B", "C"],
                "product_id": ["P1"] * 3,
                "on_hand": [float("nan"), 2.5, 1e30],
            }
        ),
    )
    with pytest.raises(InputError) as exc:
        load_dataset(stores=good_stores, inventory=floats)
    assert [r for _, r, _ in _issues(exc)] == [2, 3, 4], str(exc.value)
    exact = _parquet(
        tmp_path / "exact.parquet",
        pa.table({"store_id": ["A"], "product_id": ["P1"], "on_hand": [MAX_STOCK_UNITS]}),
    )
    ds = load_dataset(stores=good_stores, inventory=exact)
    assert ds.inventory.on_hand.tolist() == [MAX_STOCK_UNITS]


def test_parquet_dates_outside_the_range(tmp_path: Path) -> None:
    stores = _parquet(
        tmp_path / "stores.parquet",
        pa.table({"store_id": ["A"], "lat": [41.0], "lon": [-93.0]}),
    )
    inventory = _parquet(
        tmp_path / "inventory.parquet",
        pa.table({"store_id": ["A"], "product_id": ["P1"], "on_hand": [1]}),
    )
    far = latest_date() + timedelta(days=1)
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-01", "1899-12-31", far.isoformat()]).date,
            "store_id": ["A"] * 3,
            "product_id": ["P1"] * 3,
            "units": [1.0, 1.0, 1.0],
        }
    )
    sales.to_parquet(tmp_path / "sales.parquet")
    with pytest.raises(InputError) as exc:
        load_dataset(stores=stores, inventory=inventory, sales=tmp_path / "sales.parquet")
    assert _issues(exc) == [("sales.parquet", 3, "date"), ("sales.parquet", 4, "date")]


def test_paper_layout_is_checked_too(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "paper.csv",
        ["product_id", "store_id", "stock", "latitude", "longitude"],
        [
            ("P1", "A", 5, 41.0, -93.0),
            ("P1", "B" * 65, 5, 41.0, -93.0),
            ("P2", "A", "1e30", 41.0, -93.0),
            ("P3", "C", 1, "nan", -93.0),
        ],
    )
    with pytest.raises(InputError) as exc:
        load_dataset(paper=path)
    found = _issues(exc)
    for where in [
        ("paper.csv", 3, "store_id"),
        ("paper.csv", 4, "on_hand"),
        ("paper.csv", 5, "lat"),
    ]:
        assert where in found, str(exc.value)
