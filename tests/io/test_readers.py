"""SPEC section 1: layouts, formats, cleaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockshift.core.errors import InputError
from stockshift.io.readers import load_dataset
from tests.factories import write_csv


def test_parquet_and_csv_give_the_same_dataset(tmp_path: Path) -> None:
    stores = pd.DataFrame(
        {"store_id": ["S9", "S10", "0501"], "lat": [1.0, 2.0, 3.0], "lon": [4.0, 5.0, 6.0]}
    )
    inv = pd.DataFrame(
        {"store_id": ["S9", "S10", "0501"], "product_id": ["P2", "P10", "P2"], "on_hand": [1, 2, 3]}
    )
    stores.to_parquet(tmp_path / "s.parquet")
    inv.to_parquet(tmp_path / "i.parquet")
    stores.to_csv(tmp_path / "s.csv", index=False)
    inv.to_csv(tmp_path / "i.csv", index=False)
    a = load_dataset(stores=tmp_path / "s.parquet", inventory=tmp_path / "i.parquet")
    b = load_dataset(stores=tmp_path / "s.csv", inventory=tmp_path / "i.csv")
    assert a.stores.ids.tolist() == b.stores.ids.tolist() == ["0501", "S10", "S9"]
    assert a.inventory.product_ids.tolist() == ["P10", "P2"]  # code-point order
    assert np.array_equal(a.inventory.on_hand, b.inventory.on_hand)


def test_ids_are_strings_leading_zeros_kept(tmp_path: Path) -> None:
    s = write_csv(tmp_path / "s.csv", ["store_id", "lat", "lon"], [("0501", 1, 1), ("501", 2, 2)])
    i = write_csv(
        tmp_path / "i.csv",
        ["store_id", "product_id", "on_hand"],
        [("0501", "P", 1), ("501", "P", 2)],
    )
    ds = load_dataset(stores=s, inventory=i)
    assert ds.stores.ids.tolist() == ["0501", "501"]


def test_stores_without_position_are_dropped_with_their_rows(tmp_path: Path) -> None:
    s = write_csv(tmp_path / "s.csv", ["store_id", "lat", "lon"], [("A", 1, 1), ("B", "", "")])
    i = write_csv(
        tmp_path / "i.csv", ["store_id", "product_id", "on_hand"], [("A", "P", 1), ("B", "P", 2)]
    )
    ds = load_dataset(stores=s, inventory=i)
    assert ds.stores.ids.tolist() == ["A"]
    assert len(ds.inventory) == 1
    assert any("no lat/lon" in w for w in ds.warnings)


def test_sales_are_zero_filled_over_the_whole_file_range(tmp_path: Path) -> None:
    s = write_csv(tmp_path / "s.csv", ["store_id", "lat", "lon"], [("A", 1, 1), ("B", 2, 2)])
    i = write_csv(
        tmp_path / "i.csv", ["store_id", "product_id", "on_hand"], [("A", "P", 1), ("B", "P", 2)]
    )
    sales = write_csv(
        tmp_path / "sales.csv",
        ["date", "store_id", "product_id", "units"],
        [
            ("2026-01-01", "A", "P", 2),
            ("2026-01-05", "B", "P", 3),
            ("2026-01-05", "B", "P", 1),
            ("2026-01-03", "A", "Q", 9),
        ],
    )
    ds = load_dataset(stores=s, inventory=i, sales=sales)
    assert ds.sales is not None
    assert ds.sales.units.tolist() == [[2, 0, 0, 0, 0], [0, 0, 0, 0, 4]]
    assert ds.sales.total_days == 5
    tail = load_dataset(stores=s, inventory=i, sales=sales, sales_days=2)
    assert tail.sales is not None and tail.sales.units.tolist() == [[0, 0], [0, 4]]


def test_paper_layout_with_aliases_and_conflicting_positions(tmp_path: Path) -> None:
    header = ["product_id", "store_id", "stock", "latitude", "longitude"]
    f = write_csv(
        tmp_path / "paper.csv",
        header,
        [("P1", "501", 5, 13.0, 80.2), ("P2", "501", 7, 13.0, 80.2), ("P1", "502", 1, 13.1, 80.3)],
    )
    ds = load_dataset(paper=f)
    assert ds.stores.ids.tolist() == ["501", "502"]
    assert ds.inventory.on_hand.tolist() == [5, 1, 7]
    bad = write_csv(
        tmp_path / "bad.csv",
        ["product_id", "store_id", "on_hand", "lat", "lon"],
        [("P1", "501", 5, 13.0, 80.2), ("P2", "501", 7, 14.0, 80.2)],
    )
    with pytest.raises(InputError, match=r"row 3.*one position"):
        load_dataset(paper=bad)


def test_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "s.parquet"
    p.write_text("not parquet")
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        load_dataset(stores=p, inventory=p)
