"""``POST /api/v1/import``: replace the master data from uploaded files, all or nothing."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from stockshift.api.deps import AdminKey, SessionDep, StateDep
from stockshift.api.problems import responses
from stockshift.api.schemas import ImportPublic
from stockshift.api.uploads import UploadReader, new_folder, upload_root
from stockshift.service.imports import import_sources

router = APIRouter(tags=["import"])

_FILE = {"type": "string", "format": "binary"}
MULTIPART_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "title": "ImportFiles",
                "required": ["stores", "inventory"],
                "properties": {
                    "stores": {**_FILE, "description": "stores.csv (SPEC section 1)"},
                    "inventory": {**_FILE, "description": "inventory.csv"},
                    "sales": {**_FILE, "description": "sales.csv (optional)"},
                },
            }
        }
    },
}


@router.post(
    "/import",
    operation_id="importData",
    response_model=ImportPublic,
    responses=responses(401, 403, 409, 413, 422),
    openapi_extra={"requestBody": MULTIPART_BODY},
)
async def import_data(
    request: Request, session: SessionDep, state: StateDep, key: AdminKey
) -> ImportPublic:
    """Replace stores, products, stock and sales (admin); CSV, .csv.gz or Parquet.

    Validated like ``stockshift plan``: any bad row and nothing changes (422 listing the
    rows). Plans and their transfers are kept; units in transit stay in transit: a stores
    file that lacks a store with open transfers is 409, naming the store and its transfers,
    as is a second import while one runs (PostgreSQL). The key
    is checked before the body is read; the upload is bounded by
    ``STOCKSHIFT_MAX_UPLOAD_BYTES`` and a ``.gz`` file's inflated size by
    ``STOCKSHIFT_MAX_INFLATED_BYTES`` (413 beyond either).
    """
    settings = state.settings
    folder = new_folder(upload_root(settings.upload_dir))
    try:
        reader = UploadReader(
            folder, max_bytes=settings.max_upload_bytes, max_inflated=settings.max_inflated_bytes
        )
        paths = await reader.read(request.headers.get("content-type", ""), request.stream())
        summary = await run_in_threadpool(
            lambda: import_sources(
                session,
                key_id=key.key_id,
                stores=paths["stores"],
                inventory=paths["inventory"],
                sales=paths.get("sales"),
            )
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    state.broker.publish("stock", reason="import", store_ids=[])
    return ImportPublic(
        stores=summary.stores,
        products=summary.products,
        stock_rows=summary.stock_rows,
        sales_rows=summary.sales_rows,
        units_on_hand=summary.units_on_hand,
        warnings=list(summary.warnings),
    )
