"""A plan made run of products by run (``build_plan(..., on_run=...)``, which ``db plan``
stores as it goes) is the plan made in one run, and hands out every line once, in order."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from stockshift.core import pipeline
from stockshift.core.pipeline import build_plan, prepare_chain, sales_days
from stockshift.core.runs import ProductsPlan, join_runs, split_products
from stockshift.core.types import Dataset, Plan, PlanParameters
from stockshift.io.planfile import write_plan_to
from stockshift.io.readers import load_dataset
from tests.factories import long_history_chain


def _dataset(tmp_path: Path, params: PlanParameters) -> Dataset:
    files = long_history_chain(tmp_path, products=7, stores=9)
    return load_dataset(
        stores=files["stores"],
        inventory=files["inventory"],
        sales=files["sales"],
        sales_days=sales_days(params),
    )


def _bytes(plan: Plan) -> bytes:
    out = io.BytesIO()
    write_plan_to(plan, out)
    return out.getvalue()


def test_runs_cut_at_product_boundaries_and_join_back(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path, PlanParameters())
    inv, sales = dataset.inventory, dataset.sales
    assert sales is not None
    for rows in (1, 8, 10, 40, len(inv) - 1, len(inv)):
        runs = split_products(dataset, rows)
        assert [p for r in runs for p in r.inventory.product_ids] == list(inv.product_ids)
        assert np.array_equal(np.concatenate([r.inventory.on_hand for r in runs]), inv.on_hand)
        assert np.array_equal(
            np.concatenate([r.sales.units for r in runs if r.sales is not None]), sales.units
        )
        for run in runs[:-1]:  # each run ends with the product that brings it to ``rows``
            ptr = run.inventory.indptr
            assert ptr[-1] >= rows > ptr[-2]
        for run in runs:
            assert np.array_equal(run.inventory.indptr, _indptr(run.inventory.product))
    assert len(split_products(dataset, len(inv))) == 1
    assert len(split_products(dataset, 10)) == 4  # two products of 9 rows a run, then one


def _indptr(product: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    return np.concatenate([[0], np.cumsum(np.bincount(product))]).astype(np.int64)


@pytest.mark.parametrize(
    "params",
    [
        PlanParameters(),
        PlanParameters(target="cluster-mean", clusters="2", pack_size=2),
        PlanParameters(forecast="linear-regression", max_distance_km=60.0),
        PlanParameters(policy="optimal"),
        PlanParameters(policy="expected-benefit", sale_value=20.0, cost_per_line=0.5),
        PlanParameters(forecast="auto"),
        PlanParameters(max_transfers=5),
    ],
)
def test_a_plan_made_run_by_run_is_the_plan_made_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: PlanParameters
) -> None:
    dataset = _dataset(tmp_path, params)
    whole = build_plan(dataset, params)
    monkeypatch.setattr(pipeline, "RUN_ROWS", 10)  # runs of a product or two
    runs: list[ProductsPlan] = []
    chain = prepare_chain(dataset.stores, params)
    plan = build_plan(dataset, params, chain=chain, on_run=runs.append)
    assert _bytes(plan) == _bytes(whole)
    assert whole.n_transfers > 0
    # with a cap the products are planned in one run, so that the cap falls as in one plan,
    # and with forecast auto's model, which keeps the features of the rows it was fitted on
    one = params.max_transfers is not None or plan.targets.method is not None
    assert len(runs) == (1 if one else 4)
    handed = join_runs(runs).alloc
    assert np.array_equal(handed.product, whole.t_product)
    assert np.array_equal(handed.source, whole.t_from)
    assert np.array_equal(handed.quantity, whole.t_quantity)
