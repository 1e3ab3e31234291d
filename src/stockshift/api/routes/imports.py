"""``POST /api/v1/import``: replace the master data from uploaded files, all or nothing."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from stockshift.api.deps import AdminKey, SessionDep, StateDep
from stockshift.api.problems import responses
from stockshift.api.schemas import ImportPublic
from stockshift.db.dataset import import_sources

router = APIRouter(tags=["import"])
SUFFIXES = (".csv.gz", ".csv", ".parquet", ".pq")
CHUNK = 1 << 20


def _safe_name(upload: UploadFile, field: str) -> str:
    """The upload's base name (kept for error messages), reduced to safe characters."""
    name = Path(upload.filename or field).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or field
    if not name.lower().endswith(SUFFIXES):
        name += ".csv"
    return name


async def _save(upload: UploadFile, folder: Path, field: str) -> Path:
    sub = folder / field
    sub.mkdir()
    path = sub / _safe_name(upload, field)
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            out.write(chunk)
    return path


@router.post(
    "/import",
    operation_id="importData",
    response_model=ImportPublic,
    responses=responses(400, 401, 403, 413, 422),
)
async def import_data(
    session: SessionDep,
    state: StateDep,
    key: AdminKey,
    stores: Annotated[UploadFile, File(description="stores.csv (SPEC section 1)")],
    inventory: Annotated[UploadFile, File(description="inventory.csv")],
    sales: Annotated[UploadFile | None, File(description="sales.csv (optional)")] = None,
) -> ImportPublic:
    """Replace stores, products, stock and sales (admin); CSV, .csv.gz or Parquet.

    Validated like ``stockshift plan``: any bad row and nothing changes (422 listing the
    rows). Plans and their transfers are kept; units in transit stay in transit.
    """
    with tempfile.TemporaryDirectory(prefix="stockshift-import-") as tmp:
        folder = Path(tmp)
        paths = {
            "stores": await _save(stores, folder, "stores"),
            "inventory": await _save(inventory, folder, "inventory"),
            "sales": await _save(sales, folder, "sales") if sales is not None else None,
        }
        summary = await run_in_threadpool(
            lambda: import_sources(session, key_id=key.key_id, **paths)  # type: ignore[arg-type]
        )
    state.broker.publish("stock", reason="import", store_ids=[])
    return ImportPublic(
        stores=summary.stores,
        products=summary.products,
        stock_rows=summary.stock_rows,
        sales_rows=summary.sales_rows,
        units_on_hand=summary.units_on_hand,
        warnings=list(summary.warnings),
    )
