"""The demo generator: deterministic, realistic in the ways a plan needs, valid input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockshift.core.errors import ParameterError
from stockshift.core.geo import haversine_km
from stockshift.core.pipeline import build_plan
from stockshift.core.types import PlanParameters
from stockshift.demo.cities import CITIES, nearest_cities
from stockshift.demo.generator import DemoConfig, daily_sales, generate
from stockshift.io.datasetfiles import write_tables
from stockshift.io.readers import load_dataset

SMALL = DemoConfig(stores=40, products=30, days=84, seed=0)


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    return generate(SMALL)


def test_same_seed_same_data_other_seed_other_data(small) -> None:  # type: ignore[no-untyped-def]
    again = generate(SMALL)
    for name in ("stores", "inventory", "sales"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name))
    other = generate(replace(SMALL, seed=1))
    assert not other.inventory["on_hand"].equals(small.inventory["on_hand"])


def test_stores_sit_a_few_km_around_real_city_centres(small) -> None:  # type: ignore[no-untyped-def]
    centre = {c.name: c for c in CITIES}
    lat = small.stores["lat"].to_numpy()
    lon = small.stores["lon"].to_numpy()
    c_lat = np.array([centre[c].lat for c in small.store_city])
    c_lon = np.array([centre[c].lon for c in small.store_city])
    km = haversine_km(lat, lon, c_lat, c_lon)
    assert km.max() < 60.0
    assert np.median(km) > 1.0  # jittered, not stacked on the centre
    assert len(set(small.store_city)) == 6
    names = small.stores["name"]
    assert all(n.startswith(c) for n, c in zip(names, small.store_city, strict=True))


def test_cities_are_the_nearest_to_the_anchor() -> None:
    chosen = nearest_cities("Chicago", 3)
    assert [c.name for c in chosen] == ["Chicago", "Milwaukee", "Indianapolis"]
    with pytest.raises(ParameterError, match="not a demo city"):
        nearest_cities("Atlantis", 3)


def test_sales_peak_at_the_weekend(small) -> None:  # type: ignore[no-untyped-def]
    by_day = small.sales.groupby(small.sales["date"].dt.day_of_week)["units"].sum()
    assert by_day[5] > 1.3 * by_day[1]  # Saturday vs Tuesday
    assert by_day[5] == by_day.max()


def test_a_rising_trend_raises_later_sales() -> None:
    n = 50
    rate = np.full(n, 4.0)
    rows = np.arange(n)
    rising = daily_sales(
        rate,
        np.full(n, 0.03),
        np.ones(n),
        rows,
        np.zeros(n, dtype=np.int64),
        replace(SMALL, days=56),
        np.random.default_rng(0),
    )
    days = (rising["date"] - rising["date"].min()).dt.days
    early = rising.loc[days < 14, "units"].sum()
    late = rising.loc[days >= 42, "units"].sum()
    assert late > 2.5 * early


def test_assortments_differ_by_store_and_best_sellers_are_everywhere(small) -> None:  # type: ignore[no-untyped-def]
    inv = small.inventory
    carried = inv.groupby("store_id", observed=True)["product_id"].apply(frozenset)
    assert carried.nunique() > len(carried) // 2
    share = len(inv) / (SMALL.stores * SMALL.products)
    assert share == pytest.approx(SMALL.assortment, abs=0.02)
    stores_per_product = inv.groupby("product_id", observed=True).size()
    units = small.sales.groupby("product_id", observed=True)["units"].sum()
    best, worst = units.idxmax(), units.idxmin()
    assert stores_per_product[best] > stores_per_product[worst]


def test_full_assortment_and_no_sales(tmp_path: Path) -> None:
    data = generate(DemoConfig(stores=7, products=11, days=0, assortment=1.0))
    assert len(data.inventory) == 77
    assert data.sales.empty


def test_stock_is_uneven(small) -> None:  # type: ignore[no-untyped-def]
    on_hand = small.inventory["on_hand"].to_numpy()
    assert 0.05 < (on_hand == 0).mean() < 0.3
    per_store = small.inventory.groupby("store_id", observed=True)["on_hand"].sum()
    assert per_store.max() > 3 * per_store.min()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_files_load_and_plan_with_every_kind_of_line(small, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    paths = write_tables(
        tmp_path,
        {"stores": small.stores, "inventory": small.inventory, "sales": small.sales},
        fmt,  # type: ignore[arg-type]
    )
    stores, inventory, sales = paths
    dataset = load_dataset(stores=stores, inventory=inventory, sales=sales)
    assert dataset.warnings == ()
    assert len(dataset.stores) == SMALL.stores
    assert len(dataset.inventory) == len(small.inventory)
    assert dataset.sales is not None
    assert dataset.sales.units.sum() == small.sales["units"].sum()
    plan = build_plan(dataset, PlanParameters())
    assert plan.t_cross.any() and (~plan.t_cross).any()
    assert plan.w_quantity.sum() > 0


@pytest.mark.parametrize(
    "change",
    [
        {"stores": 0},
        {"products": 0},
        {"days": -1},
        {"cities": 0},
        {"assortment": 0.0},
        {"assortment": 1.5},
    ],
)
def test_impossible_sizes_are_refused_by_name(change: dict[str, object]) -> None:
    with pytest.raises(ParameterError) as caught:
        generate(replace(SMALL, **change))  # type: ignore[arg-type]
    (field,) = change
    assert caught.value.field == field and str(caught.value).startswith(f"{field} ")


@settings(max_examples=15, deadline=None)
@given(
    stores=st.integers(1, 30),
    products=st.integers(1, 25),
    days=st.integers(0, 30),
    seed=st.integers(0, 2**32 - 1),
    assortment=st.floats(0.05, 1.0),
)
def test_any_size_gives_valid_consistent_input(
    stores: int, products: int, days: int, seed: int, assortment: float
) -> None:
    config = DemoConfig(stores, products, days, seed, assortment=assortment)
    data = generate(config)
    assert data.stores["store_id"].is_unique and len(data.stores) == stores
    inv = data.inventory
    assert not inv.duplicated(["store_id", "product_id"]).any()
    assert (inv["on_hand"] >= 0).all()
    if days:
        carried = set(zip(inv["store_id"], inv["product_id"], strict=True))
        sold = set(zip(data.sales["store_id"], data.sales["product_id"], strict=True))
        assert sold <= carried
        assert (data.sales["units"] > 0).all()
        assert data.sales["date"].max() <= pd.Timestamp(config.end)
        assert data.sales["date"].min() >= pd.Timestamp(config.end) - pd.Timedelta(days=days - 1)
    else:
        assert data.sales.empty
