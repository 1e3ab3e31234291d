"""The plan file of SPEC section 5, and CSV exports for spreadsheets and ERP import."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockshift.core.types import Plan
from stockshift.document import (
    fulfilment,
    header,
    tail,
    transfers_frame,
    warehouse_frame,
)
from stockshift.io.csvcells import write_frame


def targets_frame(plan: Plan) -> pd.DataFrame:
    """Every (store, product) that took part: on hand, target, surplus and need."""
    inv, t = plan.inventory, plan.targets
    frame = pd.DataFrame(
        {
            "product_id": inv.product_ids[inv.product],
            "store_id": plan.stores.ids[inv.store],
            "cluster": plan.clustering.labels[inv.store],
            "on_hand": inv.on_hand,
            **({} if inv.in_transit is None else {"in_transit": inv.in_transit}),
            "target": t.target,
            "surplus": t.surplus,
            "need": t.need,
        }
    )
    if t.rate is not None:
        frame["rate_per_day"] = t.rate
    if t.sigma is not None and t.method is not None:
        frame["sigma"] = t.sigma
        frame["method"] = t.method
    return frame


CHUNK = 500_000
Column = tuple[str, pa.Array]


def _json_texts(values: npt.NDArray[np.object_]) -> pa.Array:
    """Each id as a JSON string literal (escaped once per distinct id, not per line)."""
    return pa.array([json.dumps(str(v), ensure_ascii=False) for v in values], pa.string())


def _numbers(values: npt.NDArray[Any]) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _write_records(fh: BinaryIO, columns: list[Column], n: int) -> None:
    """Write ``[{...}, ...]`` from columns already encoded as JSON literals, in C, by chunks.

    Each chunk is joined element-wise by Arrow into one string per record ending in a
    comma, and the chunk's data buffer, which is exactly those records back to back, is
    written as it is: no Python object per line, and memory bounded by the chunk size.
    """
    fh.write(b"[")
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        parts: list[Any] = []
        for i, (name, col) in enumerate(columns):
            parts.append(("{" if i == 0 else ", ") + json.dumps(name) + ": ")
            parts.append(col.slice(lo, hi - lo))
        parts.append("},")
        joined = pc.binary_join_element_wise(*parts, "")
        if isinstance(joined, pa.ChunkedArray):
            joined = joined.combine_chunks()
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
        first, last = offsets[joined.offset], offsets[joined.offset + len(joined)]
        if hi == n:
            last -= 1  # no comma after the last record
        fh.write(memoryview(joined.buffers()[2])[first:last])
    fh.write(b"]")


def _transfer_columns(plan: Plan, products: pa.Array, stores: pa.Array) -> list[Column]:
    scope = pa.array(['"intra-cluster"', '"cross-cluster"'])
    cols = [
        ("product_id", products.take(pa.array(plan.t_product))),
        ("from_store", stores.take(pa.array(plan.t_from))),
        ("to_store", stores.take(pa.array(plan.t_to))),
        ("quantity", _numbers(plan.t_quantity)),
        ("distance_km", _numbers(np.round(plan.t_distance, 6))),
        ("scope", scope.take(pa.array(plan.t_cross.astype(np.int8)))),
    ]
    if plan.t_expected_gain is not None:
        cols.append(("expected_gain", _numbers(np.round(plan.t_expected_gain, 4))))
    return cols


def _fulfilment_columns(plan: Plan, products: pa.Array, stores: pa.Array) -> list[Column]:
    f = fulfilment(plan)
    scopes = pa.array(['"intra-cluster"', '"cross-cluster"', '"mixed"'])
    return [
        ("product_id", products.take(pa.array(f.product))),
        ("store_id", stores.take(pa.array(f.store))),
        ("scope", scopes.take(pa.array(f.scope))),
        ("received", _numbers(f.received)),
    ]


def _warehouse_columns(plan: Plan, products: pa.Array, stores: pa.Array) -> list[Column]:
    reasons = pa.array(['"no-source"', '"transfer-cap"'])
    return [
        ("product_id", products.take(pa.array(plan.w_product))),
        ("store_id", stores.take(pa.array(plan.w_store))),
        ("quantity", _numbers(plan.w_quantity)),
        ("reason", reasons.take(pa.array(plan.w_capped.astype(np.int8)))),
    ]


def _target_columns(plan: Plan, products: pa.Array, stores: pa.Array) -> list[Column]:
    """``--forecast auto``: per row the target, the forecast's mean rate and spread, and the
    model chosen (SPEC section 5 allows extra keys)."""
    inv, t = plan.inventory, plan.targets
    assert t.rate is not None and t.sigma is not None and t.method is not None
    names, codes = np.unique(t.method.astype(str), return_inverse=True)
    return [
        ("product_id", products.take(pa.array(inv.product))),
        ("store_id", stores.take(pa.array(inv.store))),
        ("on_hand", _numbers(inv.on_hand)),
        ("target", _numbers(t.target.astype(np.int64))),
        ("rate_per_day", _numbers(np.round(t.rate, 6))),
        ("sigma", _numbers(np.round(t.sigma, 6))),
        ("method", _json_texts(names).take(pa.array(codes))),
    ]


def write_plan_to(plan: Plan, fh: BinaryIO) -> None:
    """Stream the plan file of SPEC section 5 to a binary file."""
    products = _json_texts(plan.inventory.product_ids)
    stores = _json_texts(plan.stores.ids)
    head = json.dumps(header(plan), ensure_ascii=False)[:-1]
    fh.write(head.encode())
    sections = [
        ("transfers", _transfer_columns, plan.n_transfers),
        ("fulfilment", _fulfilment_columns, None),
        ("warehouse_orders", _warehouse_columns, len(plan.w_quantity)),
    ]
    if plan.targets.method is not None:
        sections.append(("targets", _target_columns, None))
    for name, make, _ in sections:
        cols = make(plan, products, stores)
        fh.write(f', "{name}": '.encode())
        _write_records(fh, cols, len(cols[0][1]))
    fh.write((", " + json.dumps(tail(plan), ensure_ascii=False)[1:]).encode())


def atomic_write(path: Path, writer: Any, *, binary: bool = False) -> None:
    """Write through a temporary file in the same folder, then rename: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        ) as fh:
            writer(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_plan(plan: Plan, path: Path) -> None:
    atomic_write(path, lambda fh: write_plan_to(plan, fh), binary=True)


def write_csvs(plan: Plan, folder: Path) -> list[Path]:
    """transfers.csv, warehouse_orders.csv and targets.csv for spreadsheets and ERP import."""
    out = []
    for name, frame in (
        ("transfers.csv", transfers_frame(plan)),
        ("warehouse_orders.csv", warehouse_frame(plan)),
        ("targets.csv", targets_frame(plan)),
    ):
        buf = io.StringIO()
        write_frame(frame, buf)
        atomic_write(folder / name, lambda fh, b=buf: fh.write(b.getvalue()))
        out.append(folder / name)
    return out
