"""Whole runs of ``stockshift plan`` against the plain SPEC oracle, on random CSV inputs."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli
from tests.factories import write_csv
from tests.reference import reference_plan, reference_targets

IDS = ["S1", "S10", "S2", "S9", "0501", "501", "x"]
SPOTS = [(41.6, -93.6), (41.61, -93.62), (41.9, -87.6), (0.0, 179.99), (0.0, -179.99)]
DATES = [f"2026-02-{d:02d}" for d in range(1, 29)]


@st.composite
def chains(draw):  # type: ignore[no-untyped-def]
    stores = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=6, unique=True))
    pos = {s: draw(st.sampled_from(SPOTS)) for s in stores}
    cluster = {s: draw(st.sampled_from(["north", "south", "z"])) for s in stores}
    products = draw(
        st.lists(st.sampled_from(["P1", "P10", "P2"]), min_size=1, max_size=3, unique=True)
    )
    on_hand = {}
    for p in products:
        for s in stores:
            if draw(st.booleans()) or len(on_hand) == 0:
                on_hand[(p, s)] = draw(st.integers(0, 60))
    sales = []
    for p, s in on_hand:
        for d in draw(st.lists(st.sampled_from(DATES), max_size=6, unique=True)):
            sales.append((d, s, p, float(draw(st.integers(0, 12)))))
    if not sales:
        sales.append((DATES[0], stores[0], products[0], 1.0))
    flags = {
        "target": draw(st.sampled_from(["cluster-mean", "forecast"])),
        "forecast": draw(st.sampled_from(["moving-average", "linear-regression"])),
        "window": draw(st.sampled_from([1, 5, 28])),
        "cover_days": draw(st.sampled_from([1, 7, 10])),
        "service_level": draw(st.sampled_from([None, 0.9, 0.95])),
        "max_distance_km": draw(st.sampled_from([None, 5.0, 500.0])),
        "max_transfers": draw(st.sampled_from([None, 0, 2, 4])),
        "pack_size": draw(st.sampled_from([1, 3])),
        "min_transfer_units": draw(st.sampled_from([1, 4])),
    }
    return pos, cluster, on_hand, sales, flags


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_plan_matches_the_oracle(chain) -> None:  # type: ignore[no-untyped-def]
    pos, cluster, on_hand, sales, f = chain
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        write_csv(
            tmp / "stores.csv",
            ["store_id", "lat", "lon", "cluster"],
            [(s, *pos[s], cluster[s]) for s in pos],
        )
        write_csv(
            tmp / "inventory.csv",
            ["store_id", "product_id", "on_hand"],
            [(s, p, q) for (p, s), q in on_hand.items()],
        )
        write_csv(tmp / "sales.csv", ["date", "store_id", "product_id", "units"], sales)
        args = [
            "plan",
            "--stores",
            "stores.csv",
            "--inventory",
            "inventory.csv",
            "--sales",
            "sales.csv",
            "--clusters",
            "column",
            "--output",
            "plan.json",
            "--quiet",
        ]
        for k, v in f.items():
            if v is not None:
                args += ["--" + k.replace("_", "-"), str(v)]
        result = Cli()(*args, cwd=tmp)
        assert result.exit_code == 0, result.output
        plan = json.loads((tmp / "plan.json").read_text())

    targets = reference_targets(
        cluster,
        on_hand,
        sales,
        target=f["target"],
        forecast=f["forecast"],
        window=f["window"],
        cover_days=f["cover_days"],
        service_level=f["service_level"],
    )
    surplus = {k: max(math.floor(on_hand[k] - t), 0) for k, t in targets.items()}
    need = {k: max(math.floor(t - on_hand[k]), 0) for k, t in targets.items()}
    ref = reference_plan(
        pos,
        cluster,
        surplus,
        need,
        max_distance_km=f["max_distance_km"],
        max_transfers=f["max_transfers"],
        pack_size=f["pack_size"],
        min_transfer_units=f["min_transfer_units"],
    )
    got = [
        (t["product_id"], t["from_store"], t["to_store"], t["quantity"], t["scope"])
        for t in plan["transfers"]
    ]
    assert got == ref.transfers
    wh = [
        (o["product_id"], o["store_id"], o["quantity"], o["reason"])
        for o in plan["warehouse_orders"]
    ]
    assert wh == ref.orders
