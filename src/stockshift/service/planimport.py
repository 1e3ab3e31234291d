"""Store a plan computed elsewhere — a plan file (SPEC section 5) or a plan dataset folder
(issue 12 part 3) — in the database, so the service serves, pages and executes it like a
plan it computed: the use case behind ``stockshift db import-plan``.

A plan made by ``stockshift plan`` (or ``--engine dask``) on a big machine or cluster is
written as a dataset; importing it reads one part at a time into the lines' tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from stockshift.core.errors import InputError
from stockshift.db.models import Product, Store
from stockshift.db.plans import store_imported
from stockshift.io.plandataset import PlanDocument, read_plan

CHUNK = 1_000_000
"""Lines inserted at a time."""


@dataclass(frozen=True, slots=True)
class ImportedPlan:
    plan_id: int
    transfers: int
    warehouse_orders: int


def import_plan(session: Session, path: Path, *, key_id: int | None = None) -> ImportedPlan:
    """Read the plan at ``path`` and store it as a completed plan; all or nothing.

    Raises :class:`~stockshift.core.errors.InputError` (nothing stored) when the file is not
    a plan, or names a store or product the database does not hold (import those first).
    """
    doc = read_plan(path)
    _check_known(session, str(path), doc)
    header = doc.header
    document: dict[str, Any] = {k: v for k, v in header.items() if k not in ("summary", "warnings")}
    document["fulfilment"] = doc.tables["fulfilment"].to_pylist()
    if "targets" in doc.tables:
        document["targets"] = doc.tables["targets"].to_pylist()
    document["summary"] = header.get("summary", {})
    document["warnings"] = header.get("warnings", [])
    plan_id = store_imported(
        session,
        parameters=header.get("parameters") or {},
        document=document,
        transfers=_frames(doc.tables["transfers"]),
        orders=_frames(doc.tables["warehouse_orders"]),
        key_id=key_id,
    )
    return ImportedPlan(plan_id, len(doc.tables["transfers"]), len(doc.tables["warehouse_orders"]))


def _frames(table: pa.Table) -> Iterator[pd.DataFrame]:
    for lo in range(0, len(table), CHUNK):
        yield table.slice(lo, CHUNK).to_pandas()


def _check_known(session: Session, label: str, doc: PlanDocument) -> None:
    """Every store and product the lines name must be in the database's master data."""
    lines = (doc.tables["transfers"], doc.tables["warehouse_orders"])
    store_columns = ("from_store", "to_store", "store_id")
    wanted = {
        "store": [t[c] for t in lines for c in store_columns if c in t.column_names],
        "product": [t["product_id"] for t in lines],
    }
    known = {
        "store": set(session.scalars(select(Store.store_id))),
        "product": set(session.scalars(select(Product.product_id))),
    }
    for kind, columns in wanted.items():
        ids = set()
        for col in columns:
            ids.update(pc.unique(col).to_pylist())
        missing = sorted(ids - known[kind])
        if missing:
            shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise InputError.single(
                label, None, None,
                f"names {len(missing)} {kind}(s) the database does not hold ({shown}): import "
                "the stores and stock the plan was made on first (stockshift db import)",
            )  # fmt: skip
