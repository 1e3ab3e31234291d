"""The plan document as data (stockshift.document) is the plan file, section for section."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from stockshift.core.pipeline import build_plan
from stockshift.core.types import PlanParameters
from stockshift.document import transfers_frame, warehouse_frame, without_lines
from stockshift.io.planfile import write_plan_to
from stockshift.io.readers import load_dataset
from tests.db.factory import chain_files


@pytest.mark.parametrize(
    "params",
    [
        PlanParameters(target="cluster-mean", max_transfers=5),
        PlanParameters(target="forecast", forecast="auto", service_level=0.9),  # type: ignore[arg-type]
    ],
)
def test_what_the_database_keeps_is_the_plan_file(tmp_path: Path, params: PlanParameters) -> None:
    files = chain_files(tmp_path)
    dataset = load_dataset(
        stores=files.stores, inventory=files.inventory, sales=files.sales, sales_days=28
    )
    plan = build_plan(dataset, params)
    buf = io.BytesIO()
    write_plan_to(plan, buf)
    document = json.loads(buf.getvalue())
    transfers, orders = document.pop("transfers"), document.pop("warehouse_orders")
    kept = without_lines(plan)
    assert list(kept) == list(document)
    assert json.loads(json.dumps(kept)) == document
    assert transfers_frame(plan).to_dict("records") == transfers
    assert warehouse_frame(plan).to_dict("records") == orders
