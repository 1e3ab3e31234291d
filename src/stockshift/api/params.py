"""Query and path parameter types shared by the routers (bounded, so no input reaches the DB
as something it cannot store)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

ID_PATTERN = r"^[^\x00]+$"
MAX_ID = 2**31 - 1
# a transfer line's id: a big plan's lines are numbered from 2^40 on PostgreSQL
# (stockshift.db.linestore), and every id up to 2^53 is exact in a JavaScript number
MAX_LINE_ID = 2**53 - 1

StoreFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=64, pattern=ID_PATTERN, description="Only this store."),
]
ProductFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=64, pattern=ID_PATTERN, description="Only this product."),
]
PlanFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this plan.")]
Limit = Annotated[int, Query(ge=1, le=10_000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10**12, description="Items to skip.")]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]
TransferId = Annotated[int, Path(ge=1, le=MAX_LINE_ID)]
StoreId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
