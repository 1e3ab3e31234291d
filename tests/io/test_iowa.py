"""The Iowa converter on tiny files in the public layout, and on the real data when present."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockshift.core.errors import InputError, ParameterError
from stockshift.io.iowa import IowaOptions, convert_iowa, synthesise_on_hand, zip_regions
from stockshift.io.readers import load_dataset
from tests.conftest import SHARED_DATA
from tests.factories import write_csv

IOWA = SHARED_DATA / "iowa_liquor"
STORE_HEADER = ["Store", "Name", "Store Status", "City", "latitude", "longitude"]
SALES_HEADER = ["date", "store_number", "item_number", "bottles_sold", "sale_dollars"]


def _stores(path: Path) -> Path:
    return write_csv(
        path,
        STORE_HEADER,
        [
            ["2633", "HY-VEE #3 / BDI / DES MOINES", "A", "DES MOINES", "41.59", "-93.62"],
            ["2647", "HY-VEE #7 / CEDAR RAPIDS", "A", "CEDAR RAPIDS", "41.98", "-91.67"],
            ["2648", "HY-VEE #4 / WDM", "A", "WEST DES MOINES", "", ""],
            ["4829", "CENTRAL CITY 2", "A", "DES MOINES", "41.60", "-93.61"],
        ],
    )


def _sales(path: Path) -> Path:
    """Daily sales in the public layout; gzipped when the name ends in .gz, as published."""
    rows = [
        ["2022-01-03", "2633", "100", "12", "120.0"],
        ["2022-01-03", "2633", "100", "6", "60.0"],  # same day: summed
        ["2022-01-04", "2633", "200", "3", "30.0"],
        ["2022-01-05", "2633", "100", "-2", "-20.0"],  # a return
        ["2022-01-05", "2647", "100", "24", "240.0"],
        ["2022-01-05", "2647", "300", "1", "10.0"],
        ["2022-01-06", "2648", "100", "5", "50.0"],  # store without coordinates
        ["2022-01-06", "4829", "100", "7", "70.0"],  # other chain
        ["2022-01-06", "9999", "100", "7", "70.0"],  # not in the stores file
        ["2021-12-30", "2633", "100", "9", "90.0"],  # before --since
        ["2022-01-07", "2647", "200", "0", "0.0"],
        ["2022-01-07", "2647", "", "4", "40.0"],  # no item number
    ]
    write_csv(path, SALES_HEADER, rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(path.read_bytes()))
    return path


def test_filters_are_applied_and_counted(tmp_path: Path) -> None:
    options = IowaOptions(chain="hy-vee", since=date(2022, 1, 1), top_products=2)
    out = convert_iowa(_stores(tmp_path / "s.csv"), _sales(tmp_path / "d.csv.gz"), options)
    r = out.report
    assert (r.stores_in_file, r.stores_in_chain, r.stores_without_position) == (4, 3, 1)
    assert (r.sales_rows_read, r.rows_before_since, r.rows_without_item) == (12, 1, 1)
    assert (r.rows_store_without_position, r.rows_other_chain, r.rows_unknown_store) == (1, 1, 1)
    assert (r.return_rows, r.return_units, r.zero_rows) == (1, 2.0, 1)
    assert (r.products_written, r.rows_other_products) == (2, 1)  # item 300 sold least
    assert (r.first_date, r.last_date) == (date(2022, 1, 3), date(2022, 1, 5))
    assert out.stores["store_id"].tolist() == ["2633", "2647"]
    assert out.sales.values.tolist() == [
        [np.datetime64("2022-01-03"), "2633", "100", 18],
        [np.datetime64("2022-01-04"), "2633", "200", 3],
        [np.datetime64("2022-01-05"), "2647", "100", 24],
    ]
    assert out.inventory[["store_id", "product_id"]].values.tolist() == [
        ["2633", "100"],
        ["2633", "200"],
        ["2647", "100"],
    ]


def test_stock_rule_is_days_of_own_demand_with_a_seeded_spread(tmp_path: Path) -> None:
    options = IowaOptions(stock_days=10, stock_spread=0.0, stockout=0.0)
    out = convert_iowa(_stores(tmp_path / "s.csv"), _sales(tmp_path / "d.csv"), options)
    span = (out.report.last_date - out.report.first_date).days + 1
    sold = out.sales.groupby(["store_id", "product_id"])["units"].sum()
    expected = [int(np.floor(sold[(s, p)] / span * 10)) for s, p in sold.index]
    assert out.inventory["on_hand"].tolist() == expected
    rate = np.full(1000, 2.0)
    a, b = synthesise_on_hand(rate, 14, 0.6, 0.1, 1), synthesise_on_hand(rate, 14, 0.6, 0.1, 1)
    assert (a == b).all()
    assert (a == 0).mean() == pytest.approx(0.1, abs=0.03)
    assert a.max() > 2 * 28  # some hold weeks more than the median cover
    assert np.median(a[a > 0]) == pytest.approx(28, abs=2)


def test_output_loads_and_plans(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores, sales = _stores(tmp_path / "s.csv"), _sales(tmp_path / "d.csv")
    out = tmp_path / "out"
    result = cli("convert", "iowa", "--stores", stores, "--sales", sales, "--chain", "HY-VEE", out)
    assert result.exit_code == 0, result.output
    assert "1 negative row(s) dropped" in result.stdout
    dataset = load_dataset(
        stores=out / "stores.csv", inventory=out / "inventory.csv", sales=out / "sales.csv"
    )
    assert list(dataset.stores.ids) == ["2633", "2647"]
    result = cli(
        "plan", "--stores", out / "stores.csv", "--inventory", out / "inventory.csv",
        "--sales", out / "sales.csv", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_us_dates_and_original_column_names(tmp_path: Path) -> None:
    sales = write_csv(
        tmp_path / "raw.csv",
        ["Date", "Store Number", "Item Number", "Bottles Sold"],
        [["01/03/2022", "2633", "100", "4"], ["1/4/2022", "2647", "100", "2"]],
    )
    out = convert_iowa(_stores(tmp_path / "s.csv"), sales)
    assert out.sales["date"].dt.day.tolist() == [3, 4]


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([["2022-13-45", "2633", "100", "4", "1"]], "impossible date"),
        ([["3 Jan", "2633", "100", "4", "1"]], r"row 2, column 'date'.*2022-10-31"),
        ([["2022-01-03", "2633", "100", "many", "1"]], r"row 2, column 'bottles_sold'"),
        # issue 7 part 5: the limits of docs/cli.md hold for the converter too
        (
            [["2022-01-03", "2633", "100", "4", "1"], ["3000-01-01", "2633", "100", "4", "1"]],
            r"row 3, column 'date'.*year mistyped",
        ),
        ([["1899-12-31", "2633", "100", "4", "1"]], r"row 2, column 'date'.*1900-01-01"),
        ([["01/03/0001", "2633", "100", "4", "1"]], r"row 2, column 'date'"),
        ([["2022-01-03", "2633", "100", "inf", "1"]], r"row 2, column 'bottles_sold'.*finite"),
        ([["2022-01-03", "2633", "100", "1e300", "1"]], r"row 2, column 'bottles_sold'.*largest"),
    ],
)
def test_bad_cells_name_file_row_and_column(
    tmp_path: Path, rows: list[list[str]], match: str
) -> None:
    sales = write_csv(tmp_path / "bad.csv", SALES_HEADER, rows)
    with pytest.raises(InputError, match=match):
        convert_iowa(_stores(tmp_path / "s.csv"), sales)


def test_wrong_file_and_empty_filters_are_explained(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    stores, sales = _stores(tmp_path / "s.csv"), _sales(tmp_path / "d.csv")
    result = cli("convert", "iowa", "--stores", sales, "--sales", sales, tmp_path / "o")
    assert result.exit_code == 2
    assert "column 'lat' (or latitude) is missing" in result.stderr
    with pytest.raises(ParameterError, match="no sales rows are left"):
        convert_iowa(stores, sales, IowaOptions(chain="COSTCO"))
    result = cli(
        "convert", "iowa", "--stores", stores, "--sales", sales, "--since", "May", tmp_path / "o"
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    assert not (tmp_path / "o").exists()


def test_zip_regions_are_sectional_centres_with_the_city_as_fallback() -> None:
    zips = np.array(["50613", "50543-1234", "", "5061", None], dtype=object)
    cities = pd.Series(["CEDAR FALLS", "GOWRIE", "AMES", "", "BOONE"])
    assert zip_regions(zips, cities).tolist() == ["ZIP 506", "ZIP 505", "AMES", "unknown", "BOONE"]
    assert zip_regions(zips, None).tolist()[2:] == ["unknown"] * 3


def test_zip_codes_become_a_cluster_column_for_clusters_column(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    header = ["Store", "Name", "City", "Zip Code", "latitude", "longitude"]
    stores = write_csv(
        tmp_path / "s.csv",
        header,
        [
            ["2633", "HY-VEE #3", "DES MOINES", "50314", "41.59", "-93.62"],
            ["2647", "HY-VEE #7", "CEDAR RAPIDS", "52402", "41.98", "-91.67"],
        ],
    )
    out = tmp_path / "out"
    result = cli("convert", "iowa", "--stores", stores, "--sales", _sales(tmp_path / "d.csv"), out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "stores.csv", dtype=str)
    assert written["cluster"].tolist() == ["ZIP 503", "ZIP 524"]
    result = cli(
        "plan", "--stores", out / "stores.csv", "--inventory", out / "inventory.csv",
        "--sales", out / "sales.csv", "--clusters", "column", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not IOWA.exists(), reason="the shared Iowa data is not on this machine")
def test_issue_expected_benefit_command_runs_on_converted_hyvee(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """docs/cli.md's expected-benefit command, word for word, on the converter's output."""
    out = tmp_path / "iowa"
    result = cli(
        "convert", "iowa", "--stores", IOWA / "iowa_liquor_stores.csv",
        "--sales", IOWA / "iowa_liquor_sales_daily_hyvee_2022.csv.gz", "--chain", "HY-VEE",
        "--since", "2022-06-01", "--top-products", "40", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan.json"
    result = cli(
        "plan", "--stores", out / "stores.csv", "--inventory", out / "inventory.csv",
        "--sales", out / "sales.csv", "--policy", "expected-benefit",
        "--warehouse-lead-days", "7", "--review-days", "7", "--transfer-lead-days", "1",
        "--cover-days", "14", "--window", "91", "--service-level", "0.9",
        "--clusters", "column", "--quiet", "--output", plan,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(plan.read_text())
    assert len({s["cluster"] for s in document["stores"]}) > 5  # ZIP regions, not one cluster
    assert document["transfers"], "a chain of 170 stores moves something"
    assert all(t["expected_gain"] > 0 for t in document["transfers"])


@pytest.mark.skipif(not IOWA.exists(), reason="the shared Iowa data is not on this machine")
def test_real_hyvee_file(tmp_path: Path) -> None:
    out = convert_iowa(
        IOWA / "iowa_liquor_stores.csv",
        IOWA / "iowa_liquor_sales_daily_hyvee_2022.csv.gz",
        IowaOptions(chain="HY-VEE", top_products=50),
    )
    r = out.report
    assert r.sales_rows_read == 592_175  # PROVENANCE.md
    assert r.stores_in_chain == 203 and r.stores_without_position == 15
    assert r.return_rows > 0 and r.rows_store_without_position > 0
    assert r.products_written == 50
    assert out.inventory["on_hand"].sum() > 0
    assert (out.inventory["on_hand"] == 0).any()
    dataset = load_dataset(
        stores=("stores", _arrow(out.stores)),
        inventory=("inventory", _arrow(out.inventory)),
        sales=("sales", _arrow(out.sales)),
    )
    assert len(dataset.stores) == r.stores_written


def _arrow(frame):  # type: ignore[no-untyped-def]
    from stockshift.io.datasetfiles import to_arrow

    return to_arrow(frame)
