"""``--engine dask`` writes the single process's plan file, byte for byte, on a real cluster.

One LocalCluster (2 worker processes, tests/engine/conftest.py) serves the tests. Random
chains are written as Parquet datasets (parts in product order, or rows dealt across parts;
inventory and sales) and planned both ways under every policy, target and cluster source,
with the cap falling nowhere, inside a run of products or exactly between two.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockshift.core.errors import InputError
from stockshift.core.pipeline import build_plan, sales_days
from stockshift.core.types import POLICIES, Plan, PlanParameters
from stockshift.engine.dask_plan import plan_on_dask
from stockshift.io.planfile import write_plan_to
from stockshift.io.readers import load_dataset
from tests.conftest import Cli
from tests.factories import long_history_chain

STORES = ["S1", "S10", "S2", "S9", "0501", "501", "x", "Y", "z7"]
PRODUCTS = ["P1", "P10", "P2", "P3", "Q", "a", "b0", "é"]
DAYS = pd.date_range("2026-03-01", periods=20).strftime("%Y-%m-%d").tolist()


@st.composite
def chains(draw: st.DrawFn) -> dict[str, Any]:
    stores = draw(st.lists(st.sampled_from(STORES), min_size=2, max_size=9, unique=True))
    products = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=8, unique=True))
    lat = draw(st.lists(st.floats(40, 42), min_size=len(stores), max_size=len(stores)))
    lon = draw(st.lists(st.floats(-94, -92), min_size=len(stores), max_size=len(stores)))
    region = draw(st.lists(st.sampled_from("NS"), min_size=len(stores), max_size=len(stores)))
    rows = [
        (s, p, draw(st.integers(0, 40)), draw(st.sampled_from([0, 0, 3])))
        for p in products
        for s in stores
        if draw(st.integers(0, 4)) > 0
    ]
    sales = [
        (d, s, p, float(draw(st.integers(0, 9))))
        for s, p, _, _ in rows
        for d in draw(st.lists(st.sampled_from(DAYS), max_size=5, unique=True))
    ]
    return {
        "stores": pd.DataFrame({"store_id": stores, "lat": lat, "lon": lon, "cluster": region}),
        "inventory": pd.DataFrame(
            rows, columns=["store_id", "product_id", "on_hand", "in_transit"]
        ),
        "sales": pd.DataFrame(sales, columns=["date", "store_id", "product_id", "units"]),
    }


def write_parts(frame: pd.DataFrame, folder: Path, parts: int, ordered: bool) -> Path:
    """``frame`` as a folder of Parquet parts: by product (sorted), or rows dealt in turn."""
    folder.mkdir(parents=True)
    if ordered:
        frame = frame.sort_values("product_id", key=lambda c: c.map(lambda v: v.encode()))
        groups = np.array_split(np.unique(frame["product_id"].to_numpy()), parts)
        pieces = [frame[frame["product_id"].isin(g)] for g in groups]
    else:
        pieces = [frame.iloc[i::parts] for i in range(parts)]
    for i, piece in enumerate(pieces):
        pq.write_table(
            pa.Table.from_pandas(piece, preserve_index=False), folder / f"{i:03}.parquet"
        )
    return folder


def plan_bytes(plan: Plan) -> bytes:
    out = io.BytesIO()
    write_plan_to(plan, out)
    return out.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(chain=chains(), data=st.data())
def test_dask_plans_the_single_process_plan(client: Any, chain: dict[str, Any], data: Any) -> None:
    with_sales = data.draw(st.booleans()) and len(chain["sales"]) > 0
    policy = data.draw(st.sampled_from(POLICIES if with_sales else POLICIES[:2]))
    params = PlanParameters(
        policy=policy,
        target=data.draw(st.sampled_from(["forecast", None])) if with_sales else "cluster-mean",
        clusters=data.draw(st.sampled_from(["auto", "2", "column"])),
        forecast=data.draw(st.sampled_from(["moving-average", "linear-regression", "auto"])),
        window=data.draw(st.sampled_from([3, 28])),
        max_distance_km=data.draw(st.sampled_from([None, 60.0])),
        pack_size=data.draw(st.sampled_from([1, 2])),
        sale_value=20.0,
        cost_per_line=0.5,
    )
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        stores = tmp / "stores.parquet"
        pq.write_table(pa.Table.from_pandas(chain["stores"], preserve_index=False), stores)
        single = tmp / "inventory.parquet"
        pq.write_table(pa.Table.from_pandas(chain["inventory"], preserve_index=False), single)
        parts = data.draw(st.integers(1, 4))
        ordered = data.draw(st.booleans())
        inventory = write_parts(chain["inventory"], tmp / "inventory", parts, ordered)
        sales = sales_parts = None
        if with_sales:
            sales = tmp / "sales.parquet"
            pq.write_table(pa.Table.from_pandas(chain["sales"], preserve_index=False), sales)
            sales_parts = write_parts(
                chain["sales"],
                tmp / "sales",
                data.draw(st.integers(1, 3)),
                data.draw(st.booleans()),
            )
        dataset = load_dataset(
            stores=stores, inventory=single, sales=sales, sales_days=sales_days(params)
        )
        uncapped = build_plan(dataset, params)
        # the cap nowhere, at 0, inside the lines or exactly at their end
        cap = data.draw(st.sampled_from([None, 0, uncapped.n_transfers, uncapped.n_transfers + 1]))
        if cap is not None and uncapped.n_transfers > 1:
            cap = data.draw(st.integers(0, uncapped.n_transfers + 1))
        params = replace(params, max_transfers=cap)
        expected = plan_bytes(build_plan(dataset, params))
        got = plan_on_dask(
            client,
            stores=str(stores),
            inventory=str(inventory),
            sales=None if sales_parts is None else str(sales_parts),
            params=params,
            rows_per_task=data.draw(st.integers(1, 12)),
            all_rows=data.draw(st.booleans()),
        )
        assert plan_bytes(got) == expected


def test_the_cap_between_two_runs_of_products(client: Any, tmp_path: Path) -> None:
    """Two products, one per run, each with lines: the cap at the first run's last line
    keeps it whole and cuts the second (greedy and the flow policies place it apart)."""
    stores = pd.DataFrame(
        {"store_id": ["A", "B", "C"], "lat": [41.0, 41.1, 41.2], "lon": [-93.0, -93.1, -93.2]}
    )
    inventory = pd.DataFrame(
        {
            "store_id": ["A", "B", "C"] * 2,
            "product_id": ["P1"] * 3 + ["P2"] * 3,
            "on_hand": [30, 0, 0, 0, 30, 0],
        }
    )
    pq.write_table(pa.Table.from_pandas(stores, preserve_index=False), tmp_path / "s.parquet")
    pq.write_table(pa.Table.from_pandas(inventory, preserve_index=False), tmp_path / "i.parquet")
    parts = write_parts(inventory, tmp_path / "inv", 2, ordered=True)
    dataset = load_dataset(stores=tmp_path / "s.parquet", inventory=tmp_path / "i.parquet")
    for policy in ("greedy", "optimal"):
        for cap in range(5):
            params = PlanParameters(policy=policy, clusters="1", max_transfers=cap)
            got = plan_on_dask(
                client,
                stores=str(tmp_path / "s.parquet"),
                inventory=parts.as_uri() if cap % 2 else str(parts),  # fsspec URLs pass
                sales=None,
                params=params,
                rows_per_task=1,
            )
            assert plan_bytes(got) == plan_bytes(build_plan(dataset, params)), (policy, cap)
            assert (got.n_transfers, got.cap_reached) == (min(cap, 4), cap <= 4)


def test_a_bad_row_on_a_worker_names_its_part_and_row(client: Any, tmp_path: Path) -> None:
    stores = pd.DataFrame({"store_id": ["A", "B"], "lat": [41.0, 41.1], "lon": [-93.0, -93.1]})
    inventory = pd.DataFrame(
        {"store_id": ["A", "B", "A", "Z"], "product_id": ["P1", "P1", "P2", "P2"], "on_hand": 1}
    )
    pq.write_table(pa.Table.from_pandas(stores, preserve_index=False), tmp_path / "s.parquet")
    parts = write_parts(inventory, tmp_path / "inv", 2, ordered=True)
    with pytest.raises(InputError) as caught:
        plan_on_dask(
            client,
            stores=str(tmp_path / "s.parquet"),
            inventory=str(parts),
            sales=None,
            params=PlanParameters(),
            rows_per_task=1,
        )
    assert str(caught.value) == (
        "001.parquet, row 3, column 'store_id': store 'Z' is not in the stores file; "
        "add it there or remove this row"
    )


def test_plan_engine_dask_on_a_running_scheduler(
    client: Any, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = Path(__file__).parents[2] / "examples" / "demo"
    files = ["--stores", demo / "stores.csv", "--inventory", demo / "inventory.csv"]
    files += ["--sales", demo / "sales.csv", "--max-transfers", "300", "--quiet"]
    single = cli("plan", *files, "--output", tmp_path / "a.json", "--csv", tmp_path / "a")
    assert single.exit_code == 0, single.output
    monkeypatch.setenv("STOCKSHIFT_DASK_SCHEDULER", client.scheduler.address)
    on_dask = cli(
        "plan", *files, "--engine", "dask", "--rows-per-task", "100",
        "--output", tmp_path / "b.json", "--csv", tmp_path / "b",
    )  # fmt: skip
    assert on_dask.exit_code == 0, on_dask.output
    assert on_dask.stdout.replace("b.json", "a.json").replace("b/", "a/") == single.stdout
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    for name in ("transfers.csv", "warehouse_orders.csv", "targets.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert json.loads((tmp_path / "b.json").read_text())["summary"]["cap_reached"] is True


@pytest.mark.usefixtures("quick_give_up")
def test_an_unreachable_scheduler_is_a_clear_exit_2(cli: Cli, tmp_path: Path) -> None:
    demo = Path(__file__).parents[2] / "examples" / "demo"
    result = cli(
        "plan", "--stores", demo / "stores.csv", "--inventory", demo / "inventory.csv",
        "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--output", tmp_path / "p.json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_plan_engine_dask_starts_its_own_local_cluster(cli: Cli, tmp_path: Path) -> None:
    demo = Path(__file__).parents[2] / "examples" / "demo"
    files = ["--stores", demo / "stores.csv", "--inventory", demo / "inventory.csv", "--quiet"]
    single = cli("plan", *files, "--policy", "optimal", "--output", tmp_path / "a.json")
    assert single.exit_code == 0, single.output
    on_dask = cli(
        "plan", *files, "--policy", "optimal", "--output", tmp_path / "b.json",
        "--engine", "dask", "--workers", "1", "--worker-memory", "2GB",
    )  # fmt: skip
    assert on_dask.exit_code == 0, on_dask.output
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_the_paper_layout_is_refused_by_the_dask_engine(cli: Cli, tmp_path: Path) -> None:
    paper = tmp_path / "paper.csv"
    paper.write_text("product_id,store_id,stock,latitude,longitude\nP1,S1,3,41.0,-93.0\n")
    result = cli("plan", paper, "--engine", "dask", "--output", tmp_path / "p.json")
    assert result.exit_code == 2
    assert "--engine dask reads --stores and --inventory" in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_dask_plans_the_single_process_plan_with_the_learned_forecast(
    client: Any, tmp_path: Path
) -> None:
    """``--forecast auto`` on a history long enough for its learned model (fitted once on
    every run's rows, core/forecast/learned.py): the plan of one process, byte for byte."""
    files = long_history_chain(tmp_path / "csv", products=7, days=150)
    sales = pd.read_csv(files["sales"], dtype={"units": float})
    parts = write_parts(sales, tmp_path / "sales", 3, ordered=False)
    inventory = write_parts(pd.read_csv(files["inventory"]), tmp_path / "inv", 3, ordered=True)
    params = PlanParameters(forecast="auto", cover_days=7, service_level=0.9, clusters="2")
    dataset = load_dataset(
        stores=files["stores"], inventory=files["inventory"], sales=files["sales"]
    )
    expected = build_plan(dataset, params)
    assert expected.targets.method is not None
    assert "blend-boosted" in set(expected.targets.method.tolist())
    for rows_per_task in (8, 100):
        got = plan_on_dask(
            client,
            stores=str(files["stores"]),
            inventory=str(inventory),
            sales=str(parts),
            params=params,
            rows_per_task=rows_per_task,
        )
        assert plan_bytes(got) == plan_bytes(expected), rows_per_task
