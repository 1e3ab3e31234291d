"""The plan document of SPEC section 5 as data: its header, its line tables, its summary.

io writes it to the plan file and CSV files, db stores it, api serves it; so it lives
here, in a module each of them may import, and depends on nothing but core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from stockshift.core.clustering import centroids
from stockshift.core.runs import ProductsPlan
from stockshift.core.types import FloatArray, Int32Array, IntArray, Plan, StrArray

SCHEMA = "stockshift.plan/1"


def parameters_dict(plan: Plan) -> dict[str, Any]:
    p = plan.parameters
    return {
        "policy": p.policy,
        "target": plan.target_kind,
        "clusters": p.clusters,
        "forecast": p.forecast if plan.target_kind == "forecast" else None,
        "window": p.window,
        "cover_days": p.cover_days,
        "service_level": p.service_level,
        "max_distance_km": p.max_distance_km,
        "max_transfers": p.max_transfers,
        "pack_size": p.pack_size,
        "min_transfer_units": p.min_transfer_units,
        "seed": p.seed,
        **(
            {
                "warehouse_lead_days": p.warehouse_lead_days,
                "review_days": p.review_days,
                "transfer_lead_days": p.transfer_lead_days,
                "sale_value": p.sale_value,
                "cost_per_unit_km": p.cost_per_unit_km,
                "cost_per_line": p.cost_per_line,
                "min_benefit": p.min_benefit,
            }
            if p.policy == "expected-benefit"
            else {}
        ),
    }


def transfers_frame(plan: Plan) -> pd.DataFrame:
    """Transfer lines in the order they were made."""
    return _lines(
        plan.stores.ids, plan.inventory.product_ids[plan.t_product], plan.t_from, plan.t_to,
        plan.t_quantity, plan.t_distance, plan.t_cross, plan.t_expected_gain,
    )  # fmt: skip


def run_transfers_frame(store_ids: StrArray, run: ProductsPlan) -> pd.DataFrame:
    """A run of products' lines (core/runs.py) as :func:`transfers_frame` gives them in the
    plan the runs make."""
    a = run.alloc
    return _lines(
        store_ids, run.inventory.product_ids[a.product], a.source, a.destination, a.quantity,
        a.distance_km, a.cross, a.expected_gain,
    )  # fmt: skip


def _lines(
    store_ids: StrArray,
    products: StrArray,
    source: Int32Array,
    destination: Int32Array,
    quantity: IntArray,
    distance: FloatArray,
    cross: npt.NDArray[np.bool_],
    gain: FloatArray | None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": products,
            "from_store": store_ids[source],
            "to_store": store_ids[destination],
            "quantity": quantity,
            "distance_km": np.round(distance, 6),
            "scope": np.where(cross, "cross-cluster", "intra-cluster"),
            **({} if gain is None else {"expected_gain": np.round(gain, 4)}),
        }
    )


@dataclass(frozen=True, slots=True)
class Fulfilment:
    product: npt.NDArray[np.int32]
    store: npt.NDArray[np.int32]
    scope: npt.NDArray[np.int8]  # 0 intra-cluster, 1 cross-cluster, 2 mixed
    received: npt.NDArray[np.int64]


def fulfilment(plan: Plan) -> Fulfilment:
    """Per (product, destination) that received stock: scope and units, in first-line order."""
    key = plan.t_product.astype(np.int64) * max(len(plan.stores), 1) + plan.t_to
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    received = np.bincount(inv, weights=plan.t_quantity).astype(np.int64)
    n_cross = np.bincount(inv, weights=plan.t_cross.astype(np.int64))
    n_lines = np.bincount(inv)
    scope = np.where(n_cross == 0, 0, np.where(n_cross == n_lines, 1, 2)).astype(np.int8)
    order = np.argsort(first, kind="stable")
    return Fulfilment(
        plan.t_product[first][order], plan.t_to[first][order], scope[order], received[order]
    )


def warehouse_frame(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": plan.inventory.product_ids[plan.w_product],
            "store_id": plan.stores.ids[plan.w_store],
            "quantity": plan.w_quantity,
            "reason": np.where(plan.w_capped, "transfer-cap", "no-source"),
        }
    )


def summary_dict(plan: Plan) -> dict[str, Any]:
    return {
        "transfers": plan.n_transfers,
        "units_moved": plan.units_moved,
        "unit_km": round(plan.unit_km, 3),
        "warehouse_units": plan.warehouse_units,
        "warehouse_orders": len(plan.w_quantity),
        "products_analysed": len(plan.inventory.product_ids),
        "stores": len(plan.stores),
        "clusters": plan.clustering.k,
        "skipped_clusters": list(plan.targets.skipped_clusters),
        "need_units": (
            int(plan.targets.need.sum()) if plan.need_units is None else plan.need_units
        ),
        "cap_reached": plan.cap_reached,
        **(
            {}
            if plan.t_expected_gain is None
            else {"expected_gain": round(float(plan.t_expected_gain.sum()), 3)}
        ),
    }


def header(plan: Plan) -> dict[str, Any]:
    """The document's first part: schema, parameters, stores, clusters and elbow."""
    st, cl = plan.stores, plan.clustering
    clat, clon, radius = centroids(st, cl)
    stores = [
        {"store_id": i, "name": n, "lat": float(a), "lon": float(o), "cluster": str(c)}
        for i, n, a, o, c in zip(st.ids, st.names, st.lat, st.lon, cl.labels, strict=True)
    ]
    members: list[list[str]] = [[] for _ in cl.names]
    for sid, code in zip(st.ids, cl.codes, strict=True):
        members[code].append(sid)
    clusters = [
        {
            "cluster": name,
            "store_ids": members[i],
            "centroid": {"lat": float(clat[i]), "lon": float(clon[i])},
            "radius_km": round(float(radius[i]), 3),
        }
        for i, name in enumerate(cl.names)
    ]
    elbow = (
        {"k": list(cl.k_values), "wcss": list(cl.wcss), "chosen_k": cl.chosen_k}
        if cl.method == "auto"
        else None
    )
    return {
        "schema": SCHEMA,
        "parameters": parameters_dict(plan),
        "stores": stores,
        "clusters": clusters,
        "elbow": elbow,
    }


FULFILMENT_SCOPES = ("intra-cluster", "cross-cluster", "mixed")


def fulfilment_records(plan: Plan) -> list[dict[str, Any]]:
    """The ``fulfilment`` section: per destination that received stock, scope and units."""
    f = fulfilment(plan)
    return [
        {"product_id": p, "store_id": s, "scope": FULFILMENT_SCOPES[c], "received": r}
        for p, s, c, r in zip(
            plan.inventory.product_ids[f.product].tolist(),
            plan.stores.ids[f.store].tolist(),
            f.scope.tolist(),
            f.received.tolist(),
            strict=True,
        )
    ]


def targets_records(plan: Plan) -> list[dict[str, Any]] | None:
    """``--forecast auto``: the ``targets`` section (an extra key, SPEC section 5), per row the
    target, the forecast's mean rate and spread, and the model chosen; None for other plans."""
    inv, t = plan.inventory, plan.targets
    if t.rate is None or t.sigma is None or t.method is None:
        return None
    return [
        {
            "product_id": p,
            "store_id": s,
            "on_hand": h,
            "target": g,
            "rate_per_day": r,
            "sigma": d,
            "method": m,
        }
        for p, s, h, g, r, d, m in zip(
            inv.product_ids[inv.product].tolist(),
            plan.stores.ids[inv.store].tolist(),
            inv.on_hand.tolist(),
            t.target.astype(np.int64).tolist(),
            np.round(t.rate, 6).tolist(),
            np.round(t.sigma, 6).tolist(),
            t.method.astype(str).tolist(),
            strict=True,
        )
    ]


def tail(plan: Plan) -> dict[str, Any]:
    """The document's last part: summary and warnings."""
    return {"summary": summary_dict(plan), "warnings": list(plan.warnings)}


def without_lines(plan: Plan) -> dict[str, Any]:
    """The whole document but its two line tables (``transfers``, ``warehouse_orders``), in
    the plan file's key order: what the database keeps beside the lines' own rows."""
    targets = targets_records(plan)
    return {
        **header(plan),
        "fulfilment": fulfilment_records(plan),
        **({} if targets is None else {"targets": targets}),
        **tail(plan),
    }
