"""``stockshift demo --rows-per-part``: a chain drawn and written part by part, and the planner
reading such a folder of parts as its input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from stockshift.cli import demo as demo_cli
from stockshift.demo.generator import DemoConfig
from stockshift.demo.stream import draw_part, parts, plan_chain

CONFIG = DemoConfig(stores=60, products=25, days=21, seed=3, assortment=0.7)


def test_parts_are_whole_products_and_the_same_for_a_seed() -> None:
    chain = plan_chain(CONFIG, rows_per_part=200)
    assert chain.products_per_part == 3 and chain.n_parts == 9
    drawn = list(parts(chain))
    seen: set[str] = set()
    for part in drawn:
        products = set(part.inventory["product_id"].astype(str))
        assert not products & seen  # no product is split over two parts
        seen |= products
        again = draw_part(plan_chain(CONFIG, rows_per_part=200), part.index)
        pd.testing.assert_frame_equal(part.inventory, again.inventory)
        assert part.sales is not None and again.sales is not None
        pd.testing.assert_frame_equal(part.sales, again.sales)
    assert len(seen) == CONFIG.products
    inventory = pd.concat([p.inventory for p in drawn])
    assert len(inventory) / (CONFIG.stores * CONFIG.products) == pytest.approx(0.7, abs=0.05)
    assert not inventory.duplicated(["store_id", "product_id"]).any()
    on_hand = inventory["on_hand"].to_numpy()
    assert 0.03 < (on_hand == 0).mean() < 0.3  # empty, short and long shelves
    assert np.percentile(on_hand[on_hand > 0], 90) > 3 * np.percentile(on_hand[on_hand > 0], 10)


def test_full_assortment_carries_every_pair() -> None:
    chain = plan_chain(DemoConfig(stores=7, products=5, days=0, assortment=1.0), 10)
    inventory = pd.concat([p.inventory for p in parts(chain)])
    assert len(inventory) == 35
    assert all(p.sales is None for p in parts(chain))


def test_sales_bound_the_part_size() -> None:
    chain = plan_chain(DemoConfig(stores=1000, products=50, days=500), rows_per_part=10**9)
    assert chain.products_per_part * 1000 * 500 <= 20_000_000


def test_demo_writes_parts_the_planner_reads(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "chain"
    result = cli(
        "demo", "--stores", "40", "--products", "12", "--days", "14", "--seed", "2",
        "--format", "parquet", "--rows-per-part", "100", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "in 6 parts of 2 products" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["inventory", "sales", "stores.parquet"]
    assert len(list((out / "inventory").glob("part-*.parquet"))) == 6
    # the same rows as one file give the same plan as the folder of parts
    single = tmp_path / "single"
    single.mkdir()
    for name in ("inventory", "sales"):
        pq.write_table(pq.read_table(out / name), single / f"{name}.parquet")
    plans = []
    for inventory, sales in (
        (out / "inventory", out / "sales"),
        (single / "inventory.parquet", single / "sales.parquet"),
    ):
        plan_path = tmp_path / f"plan-{len(plans)}.json"
        result = cli(
            "plan", "--stores", out / "stores.parquet", "--inventory", inventory,
            "--sales", sales, "--output", plan_path, "--quiet",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        plans.append(json.loads(plan_path.read_text()))
    assert plans[0]["transfers"] and plans[0] == plans[1]


def test_a_chain_too_big_for_memory_is_written_in_parts(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo_cli, "STREAM_ABOVE", 50)
    result = cli("demo", "--stores", "10", "--products", "6", "--days", "0", tmp_path / "a")
    assert result.exit_code == 2
    assert "60 store-product pairs" in result.stderr and "--format parquet" in result.stderr
    assert not (tmp_path / "a").exists()
    args = ["--stores", "10", "--products", "6", "--days", "0", "--format", "parquet"]
    result = cli("demo", *args, tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "inventory").is_dir()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows-per-part", "0", "--format", "parquet"], "--rows-per-part 0"),
        (["--rows-per-part", "10"], "add --format parquet"),
    ],
)
def test_bad_part_options_exit_2_and_write_nothing(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    result = cli("demo", "--stores", "5", "--products", "3", *args, tmp_path / "x")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_folder_without_parts_or_with_mixed_parts_is_a_clean_error(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "chain"
    args = ["--stores", "8", "--products", "4", "--days", "7", "--format", "parquet"]
    assert cli("demo", *args, "--rows-per-part", "8", out).exit_code == 0
    (tmp_path / "empty").mkdir()
    for inventory, message in (
        (tmp_path / "empty", "no .parquet parts"),
        (out, "the parts of one dataset must share their columns"),
    ):
        result = cli("plan", "--stores", out / "stores.parquet", "--inventory", inventory)
        assert result.exit_code == 2
        assert message in result.stderr
