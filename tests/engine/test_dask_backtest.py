"""``backtest --engine dask`` gives the single process's result, to the last bit, on a real
cluster (tests/engine/conftest.py): random chains and histories (fractional units too),
every policy, the cap nowhere, inside a run of products or between two, on every review."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stockshift.core.backtest import BacktestResult, BacktestSettings, prepare, run_backtest
from stockshift.core.types import PlanParameters
from stockshift.engine.dask_backtest import backtest_on_dask
from stockshift.io.backtestfile import backtest_document
from stockshift.io.readers import load_dataset
from tests.conftest import Cli
from tests.engine.test_dask_plan import write_parts
from tests.factories import long_history_chain

STORES = ["S1", "S10", "S2", "x", "Y", "z7"]
PRODUCTS = ["P1", "P10", "P2", "Q", "a", "é"]
DAY0 = np.datetime64("2026-03-01", "D")
DAYS = 30
POLICIES = ("warehouse", "greedy", "optimal", "expected-benefit")
DEMO = Path(__file__).parents[2] / "examples" / "demo"


@st.composite
def histories(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    stores = draw(st.lists(st.sampled_from(STORES), min_size=2, max_size=6, unique=True))
    products = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=6, unique=True))
    n = len(stores)
    lat = draw(st.lists(st.floats(40, 42), min_size=n, max_size=n))
    lon = draw(st.lists(st.floats(-94, -92), min_size=n, max_size=n))
    region = draw(st.lists(st.sampled_from("NS"), min_size=n, max_size=n))
    rows = [
        (s, p, draw(st.sampled_from([0, 0, 2, 30, 60])))  # badly placed: lines to cap
        for p in products
        for s in stores
        if draw(st.booleans())
    ]
    assume(rows)
    units = st.sampled_from([0.0, 1.0, 2.0, 3.0, 6.0, 0.1, 0.2, 0.7, 1.3])
    sales = [
        (str(DAY0 + np.timedelta64(d, "D")), s, p, draw(units))
        for s, p, _ in rows
        for d in draw(st.lists(st.integers(0, DAYS - 1), max_size=14, unique=True))
    ]
    s0, p0, _ = rows[0]  # the history spans every day
    sales += [(str(DAY0), s0, p0, 1.0), (str(DAY0 + np.timedelta64(DAYS - 1, "D")), s0, p0, 1.0)]
    return {
        "stores": pd.DataFrame({"store_id": stores, "lat": lat, "lon": lon, "cluster": region}),
        "inventory": pd.DataFrame(rows, columns=["store_id", "product_id", "on_hand"]),
        "sales": pd.DataFrame(sales, columns=["date", "store_id", "product_id", "units"]),
    }


def write(frame: pd.DataFrame, path: Path) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def both_ways(
    client: Any,
    tmp: Path,
    chain: dict[str, pd.DataFrame],
    params: PlanParameters,
    backtest: BacktestSettings,
    *,
    parts: int,
    ordered: bool,
    rows_per_task: int,
) -> tuple[BacktestResult, BacktestResult]:
    tmp.mkdir(parents=True, exist_ok=True)
    files = {name: write(frame, tmp / f"{name}.parquet") for name, frame in chain.items()}
    single = run_backtest(load_dataset(**files, sales_days=None), params, backtest)
    got, _ = backtest_on_dask(
        client,
        stores=str(files["stores"]),
        inventory=str(write_parts(chain["inventory"], tmp / "inventory", parts, ordered)),
        sales=str(write_parts(chain["sales"], tmp / "sales", 2, not ordered)),
        params=params,
        settings=backtest,
        rows_per_task=rows_per_task,
    )
    return single, got


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(chain=histories(), data=st.data())
def test_dask_replays_the_single_process_backtest(
    client: Any, tmp_path_factory: pytest.TempPathFactory, chain: dict[str, Any], data: Any
) -> None:
    params = PlanParameters(
        clusters=data.draw(st.sampled_from(["1", "2", "column"])),
        forecast=data.draw(st.sampled_from(["moving-average", "moving-average", "auto"])),
        window=data.draw(st.sampled_from([3, 7])),
        cover_days=data.draw(st.sampled_from([3, 7])),
        service_level=data.draw(st.sampled_from([None, 0.9])),
        max_distance_km=data.draw(st.sampled_from([None, 60.0])),
        max_transfers=data.draw(st.sampled_from([None, 0, 1, 2, 3, 5])),
        pack_size=data.draw(st.sampled_from([1, 2])),
        sale_value=20.0,
        cost_per_line=0.5,
    )
    backtest = BacktestSettings(
        start=DAY0 + np.timedelta64(data.draw(st.integers(1, 8)), "D"),
        weeks=data.draw(st.integers(1, 3)),
        review_days=data.draw(st.sampled_from([1, 3, 7])),
        warehouse_lead_days=data.draw(st.sampled_from([0, 2, 7])),
        transfer_lead_days=data.draw(st.sampled_from([0, 1])),
        policies=POLICIES,
    )
    single, got = both_ways(
        client,
        tmp_path_factory.mktemp("chain"),
        chain,
        params,
        backtest,
        parts=data.draw(st.integers(1, 3)),
        ordered=data.draw(st.booleans()),
        rows_per_task=data.draw(st.integers(1, 6)),
    )
    assert got == single
    assert backtest_document(got) == backtest_document(single)


def test_the_cap_between_two_runs_of_products(client: Any, tmp_path: Path) -> None:
    """Two products, one per run, each with lines on every review: a cap of 0 to 4 lines
    falls before, inside or between them, and the replay on the cluster follows it."""
    stores = pd.DataFrame(
        {"store_id": ["A", "B", "C"], "lat": [41.0, 41.1, 41.2], "lon": [-93.0, -93.1, -93.2]}
    )
    inventory = pd.DataFrame(
        {
            "store_id": ["A", "B", "C"] * 2,
            "product_id": ["P1"] * 3 + ["P2"] * 3,
            "on_hand": [60, 0, 0, 0, 60, 0],
        }
    )
    days = [str(DAY0 + np.timedelta64(d, "D")) for d in range(21)]
    sales = pd.DataFrame(
        [(d, s, p, 2.0) for d in days for s in "ABC" for p in ("P1", "P2")],
        columns=["date", "store_id", "product_id", "units"],
    )
    chain = {"stores": stores, "inventory": inventory, "sales": sales}
    backtest = BacktestSettings(start=DAY0 + np.timedelta64(7, "D"), weeks=2, policies=POLICIES)
    lines = []
    for cap in range(5):
        params = PlanParameters(clusters="1", window=7, cover_days=7, max_transfers=cap)
        single, got = both_ways(
            client, tmp_path / str(cap), chain, params, backtest,
            parts=2, ordered=True, rows_per_task=1,
        )  # fmt: skip
        assert got == single, cap
        lines.append(got.policy("greedy").weeks[0].transfer_lines)
    assert lines == [0, 1, 2, 3, 4]  # the cap bites on the first review


def test_backtest_engine_dask_on_a_running_scheduler(
    client: Any, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = ["--stores", DEMO / "stores.csv", "--inventory", DEMO / "inventory.csv"]
    files += ["--sales", DEMO / "sales.csv", "--weeks", "2", "--policies", "greedy,optimal"]
    single = cli("backtest", *files, "--output", tmp_path / "a.json", "--csv", tmp_path / "a.csv")
    assert single.exit_code == 0, single.output
    monkeypatch.setenv("STOCKSHIFT_DASK_SCHEDULER", client.scheduler.address)
    on_dask = cli(
        "backtest", *files, "--engine", "dask", "--rows-per-task", "150",
        "--output", tmp_path / "b.json", "--csv", tmp_path / "b.csv",
    )  # fmt: skip
    assert on_dask.exit_code == 0, on_dask.output
    assert on_dask.stdout.replace("b.json", "a.json").replace("b.csv", "a.csv") == single.stdout
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert json.loads((tmp_path / "b.json").read_text())["policies"][1]["transfer_lines"] > 0


@pytest.mark.usefixtures("quick_give_up")
@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--engine", "spark"], "--engine 'spark': use process or dask"),
        (["--engine", "dask", "--scheduler", "localhost:8786"], "--scheduler 'localhost:8786'"),
        (["--engine", "dask", "--worker-memory", "lots"], "--worker-memory 'lots'"),
        (["--engine", "dask", "--workers", "0"], "--workers"),
        (
            ["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"],
            "cannot reach the Dask scheduler at tcp://127.0.0.1:9",
        ),
    ],
)
def test_bad_engine_options_are_a_clear_exit_2(
    cli: Cli, tmp_path: Path, flags: list[str], message: str
) -> None:
    result = cli(
        "backtest", "--stores", DEMO / "stores.csv", "--inventory", DEMO / "inventory.csv",
        "--sales", DEMO / "sales.csv", *flags, "--output", tmp_path / "r.json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_the_dask_engine_needs_the_inventory(cli: Cli) -> None:
    result = cli(
        "backtest", "--stores", DEMO / "stores.csv", "--sales", DEMO / "sales.csv",
        "--engine", "dask",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--engine dask reads --stores, --inventory and --sales" in result.stderr


def test_a_cap_changes_the_replay(client: Any, tmp_path: Path) -> None:
    """The figures differ with a cap that bites, so the identity above is not vacuous."""
    chain = {
        "stores": pd.read_csv(DEMO / "stores.csv"),
        "inventory": pd.read_csv(DEMO / "inventory.csv"),
        "sales": pd.read_csv(DEMO / "sales.csv"),
    }
    backtest = BacktestSettings(start=None, weeks=1, policies=("greedy",))
    params = PlanParameters(max_transfers=10)
    single, got = both_ways(
        client, tmp_path, chain, params, backtest, parts=2, ordered=True, rows_per_task=200
    )
    assert got == single
    free = run_backtest(
        load_dataset(
            stores=tmp_path / "stores.parquet",
            inventory=tmp_path / "inventory.parquet",
            sales=tmp_path / "sales.parquet",
        ),
        replace(params, max_transfers=None),
        backtest,
    )
    assert got.policy("greedy").transfer_lines == 10 < free.policy("greedy").transfer_lines


@pytest.mark.parametrize("cap", [None, 3])
def test_dask_replays_the_learned_forecast_as_one_process(
    client: Any, tmp_path: Path, cap: int | None
) -> None:
    """``--forecast auto`` on a history long enough for its learned model at every review
    (fitted on the client from every run's rows): the single process's result, to the bit."""
    files = long_history_chain(tmp_path / "csv", products=5, days=160)
    chain = {name: pd.read_csv(path) for name, path in files.items()}
    chain["sales"] = chain["sales"].astype({"units": float})
    params = PlanParameters(
        forecast="auto", cover_days=7, service_level=0.9, clusters="2", max_transfers=cap
    )
    start = np.datetime64("2026-01-01", "D") + np.timedelta64(140, "D")
    backtest = BacktestSettings(start=start, weeks=2, policies=POLICIES)
    dataset = load_dataset(**files, sales_days=None)
    assert prepare(dataset, replace(params, target="forecast"), backtest).learned is not None
    single, got = both_ways(
        client, tmp_path / "parquet", chain, params, backtest,
        parts=2, ordered=False, rows_per_task=12,
    )  # fmt: skip
    assert got == single
