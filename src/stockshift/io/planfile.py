"""The plan file of SPEC section 5, and CSV exports for spreadsheets and ERP import."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockshift.core.clustering import centroids
from stockshift.core.types import Plan

SCHEMA = "stockshift.plan/1"


def parameters_dict(plan: Plan) -> dict[str, Any]:
    p = plan.parameters
    return {
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
    }


def transfers_frame(plan: Plan) -> pd.DataFrame:
    """Transfer lines in the order they were made."""
    s = plan.stores.ids
    return pd.DataFrame(
        {
            "product_id": plan.inventory.product_ids[plan.t_product],
            "from_store": s[plan.t_from],
            "to_store": s[plan.t_to],
            "quantity": plan.t_quantity,
            "distance_km": np.round(plan.t_distance, 6),
            "scope": np.where(plan.t_cross, "cross-cluster", "intra-cluster"),
        }
    )


def fulfilment_frame(plan: Plan) -> pd.DataFrame:
    """Per (product, destination) that received stock: scope and units, in first-line order."""
    key = plan.t_product.astype(np.int64) * max(len(plan.stores), 1) + plan.t_to
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    received = np.bincount(inv, weights=plan.t_quantity).astype(np.int64)
    n_cross = np.bincount(inv, weights=plan.t_cross.astype(np.int64))
    n_lines = np.bincount(inv)
    scope = np.where(
        n_cross == 0, "intra-cluster", np.where(n_cross == n_lines, "cross-cluster", "mixed")
    )
    order = np.argsort(first, kind="stable")
    return pd.DataFrame(
        {
            "product_id": plan.inventory.product_ids[plan.t_product[first]][order],
            "store_id": plan.stores.ids[plan.t_to[first]][order],
            "scope": scope[order],
            "received": received[order],
        }
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


def targets_frame(plan: Plan) -> pd.DataFrame:
    """Every (store, product) that took part: on hand, target, surplus and need."""
    inv, t = plan.inventory, plan.targets
    frame = pd.DataFrame(
        {
            "product_id": inv.product_ids[inv.product],
            "store_id": plan.stores.ids[inv.store],
            "cluster": plan.clustering.labels[inv.store],
            "on_hand": inv.on_hand,
            "target": t.target,
            "surplus": t.surplus,
            "need": t.need,
        }
    )
    if t.rate is not None:
        frame["rate_per_day"] = t.rate
    return frame


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
        "need_units": int(plan.targets.need.sum()),
        "cap_reached": plan.cap_reached,
    }


def _header(plan: Plan) -> dict[str, Any]:
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


def _records(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "[]"
    return str(frame.to_json(orient="records", double_precision=10, force_ascii=False))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan file as a dict (for the API and tests)."""
    return json.loads(plan_json(plan))  # type: ignore[no-any-return]


def plan_json(plan: Plan) -> str:
    """The plan file as JSON text; the large arrays are serialised column-wise in C."""
    head = json.dumps(_header(plan), ensure_ascii=False)[:-1]
    parts = [
        head,
        ', "transfers": ',
        _records(transfers_frame(plan)),
        ', "fulfilment": ',
        _records(fulfilment_frame(plan)),
        ', "warehouse_orders": ',
        _records(warehouse_frame(plan)),
        ', "summary": ',
        json.dumps(summary_dict(plan)),
        ', "warnings": ',
        json.dumps(list(plan.warnings), ensure_ascii=False),
        "}",
    ]
    return "".join(parts)


def atomic_write(path: Path, writer: Any) -> None:
    """Write through a temporary file in the same folder, then rename: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_plan(plan: Plan, path: Path) -> None:
    text = plan_json(plan)
    atomic_write(path, lambda fh: fh.write(text))


def write_csvs(plan: Plan, folder: Path) -> list[Path]:
    """transfers.csv, warehouse_orders.csv and targets.csv for spreadsheets and ERP import."""
    out = []
    for name, frame in (
        ("transfers.csv", transfers_frame(plan)),
        ("warehouse_orders.csv", warehouse_frame(plan)),
        ("targets.csv", targets_frame(plan)),
    ):
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        atomic_write(folder / name, lambda fh, b=buf: fh.write(b.getvalue()))
        out.append(folder / name)
    return out
