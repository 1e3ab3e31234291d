"""Hostile and careless input values (issue 7 parts 4 and 5), shared by the io, CLI and API tests.

Each case changes one cell of a small valid data set and names the file, the spreadsheet row
and the column its error must point at. Every one of them once answered 500 on import or was
accepted and broke later work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stockshift.io.limits import FUTURE_MARGIN_DAYS, MAX_SALES_UNITS, MAX_STOCK_UNITS
from tests.factories import write_csv

STORES = [("A", 41.0, -93.0), ("B", 41.1, -93.1), ("C", 41.2, -93.2)]
INVENTORY = [("A", "P1", 10), ("B", "P1", 0), ("C", "P1", 5)]
SALES = [("2026-01-01", "A", "P1", 3), ("2026-01-02", "B", "P1", 4)]
STORE_HEADER = ["store_id", "lat", "lon", "name", "cluster", "capacity"]


def _today() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Case:
    """One bad cell: where the error must point, and a fragment of its message."""

    file: str
    row: int
    column: str
    words: str
    stores: list[tuple[Any, ...]] = field(
        default_factory=lambda: [(*s, "", "north", 100) for s in STORES]
    )
    inventory: list[tuple[Any, ...]] = field(default_factory=lambda: list(INVENTORY))
    sales: list[tuple[Any, ...]] = field(default_factory=lambda: list(SALES))

    def write(self, folder: Path) -> tuple[Path, Path, Path]:
        return (
            write_csv(folder / "stores.csv", STORE_HEADER, self.stores),
            write_csv(
                folder / "inventory.csv",
                ["store_id", "product_id", "on_hand", "in_transit"][: len(self.inventory[0])],
                self.inventory,
            ),
            write_csv(
                folder / "sales.csv", ["date", "store_id", "product_id", "units"], self.sales
            ),
        )


def _in_transit(value: Any) -> list[tuple[Any, ...]]:
    """The inventory with the optional ``in_transit`` column (SPEC section 9), one cell bad."""
    return [*((*row, 0) for row in INVENTORY), ("C", "P2", 1, value)]


def _inv(value: Any, *, product: str = "P2") -> list[tuple[Any, ...]]:
    return [*INVENTORY, ("C", product, value)]


def _sale(
    day: str, units: Any = 1, *, product: str = "P1", store: str = "A"
) -> list[tuple[Any, ...]]:
    return [*SALES, (day, store, product, units)]


def _store(**cells: Any) -> list[tuple[Any, ...]]:
    row = {
        "store_id": "D",
        "lat": 41.3,
        "lon": -93.3,
        "name": "",
        "cluster": "north",
        "capacity": 100,
    }
    row.update(cells)
    return [*(tuple([*s, "", "north", 100]) for s in STORES), tuple(row[c] for c in STORE_HEADER)]


LONG_ID = "X" * 65
FAR = (_today() + timedelta(days=FUTURE_MARGIN_DAYS + 30)).date().isoformat()

CASES: dict[str, Case] = {
    # part 4: values that answered 500 on import
    "on_hand 1e30": Case("inventory.csv", 5, "on_hand", "largest accepted", inventory=_inv("1e30")),
    "on_hand 2**63": Case("inventory.csv", 5, "on_hand", "largest accepted", inventory=_inv(2**63)),
    "on_hand NaN": Case("inventory.csv", 5, "on_hand", "'NaN'", inventory=_inv("NaN")),
    "store lat nan": Case("stores.csv", 5, "lat", "'nan'", stores=_store(lat="nan")),
    "store id too long": Case(
        "stores.csv", 5, "store_id", "longer than 64", stores=_store(store_id=LONG_ID)
    ),
    "product id too long": Case(
        "inventory.csv", 5, "product_id", "longer than 64", inventory=_inv(1, product=LONG_ID)
    ),
    "NUL in product id": Case(
        "inventory.csv", 5, "product_id", "control character", inventory=_inv(1, product="P\x002")
    ),
    "NUL in store id": Case(
        "stores.csv", 5, "store_id", "control character", stores=_store(store_id="D\x00")
    ),
    "sales date 0000-01-01": Case(
        "sales.csv", 4, "date", "before 1900-01-01", sales=_sale("0000-01-01")
    ),
    "sales units nan": Case("sales.csv", 4, "units", "'nan'", sales=_sale("2026-01-03", "nan")),
    # part 5: values that were accepted and broke later work
    "sales date 3000-01-01": Case("sales.csv", 4, "date", "is after", sales=_sale("3000-01-01")),
    "sales date a year ahead": Case("sales.csv", 4, "date", "is after", sales=_sale(FAR)),
    "sales date 1899-12-31": Case(
        "sales.csv", 4, "date", "before 1900-01-01", sales=_sale("1899-12-31")
    ),
    "sales units 1e300": Case(
        "sales.csv", 4, "units", "largest accepted", sales=_sale("2026-01-03", "1e300")
    ),
    "sales units over max": Case(
        "sales.csv", 4, "units", "largest accepted", sales=_sale("2026-01-03", MAX_SALES_UNITS + 1)
    ),
    "sales units inf": Case("sales.csv", 4, "units", "'inf'", sales=_sale("2026-01-03", "inf")),
    "sales product id too long": Case(
        "sales.csv", 4, "product_id", "longer than 64", sales=_sale("2026-01-03", product=LONG_ID)
    ),
    "capacity nan": Case("stores.csv", 5, "capacity", "'nan'", stores=_store(capacity="nan")),
    "capacity negative": Case("stores.csv", 5, "capacity", "≥ 0", stores=_store(capacity=-1)),
    "capacity 1e300": Case(
        "stores.csv", 5, "capacity", "largest accepted", stores=_store(capacity="1e300")
    ),
    "on_hand 9e18": Case(
        "inventory.csv", 5, "on_hand", "largest accepted", inventory=_inv(9 * 10**18)
    ),
    "on_hand 2**53+1": Case(
        "inventory.csv", 5, "on_hand", "largest accepted", inventory=_inv(2**53 + 1)
    ),
    "on_hand over max": Case(
        "inventory.csv", 5, "on_hand", "largest accepted", inventory=_inv(MAX_STOCK_UNITS + 1)
    ),
    "on_hand inf": Case("inventory.csv", 5, "on_hand", "'inf'", inventory=_inv("inf")),
    "in_transit 1e30": Case(
        "inventory.csv", 5, "in_transit", "largest accepted", inventory=_in_transit("1e30")
    ),
    "in_transit 2**53+1": Case(
        "inventory.csv", 5, "in_transit", "largest accepted", inventory=_in_transit(2**53 + 1)
    ),
    "in_transit NaN": Case("inventory.csv", 5, "in_transit", "'NaN'", inventory=_in_transit("NaN")),
    "in_transit negative": Case(
        "inventory.csv", 5, "in_transit", "whole number", inventory=_in_transit(-1)
    ),
    "lat 1e400": Case("stores.csv", 5, "lat", "'1e400'", stores=_store(lat="1e400")),
    "name too long": Case(
        "stores.csv", 5, "name", "longer than 200", stores=_store(name="N" * 201)
    ),
    "line break in cluster": Case(
        "stores.csv", 5, "cluster", "control character", stores=_store(cluster="a\nb")
    ),
}
