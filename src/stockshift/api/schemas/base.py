"""What every schema module shares: the literal types, strict JSON numbers, problems,
the simple resources (health, config, stores, stock, imports) and the page shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
)

from stockshift.core.parameters import RANGES

Role = Literal["viewer", "planner", "admin"]
PlanStatus = Literal["running", "completed", "failed", "executed"]
TransferStatus = Literal["proposed", "dispatched", "received", "cancelled"]
Scope = Literal["intra-cluster", "cross-cluster"]
FulfilmentScope = Literal["intra-cluster", "cross-cluster", "mixed"]
Reason = Literal["no-source", "transfer-cap"]


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


JsonInt = Annotated[int, Strict()]
"""An integer in a request body: ``true``, ``1.0`` or ``"1"`` are refused (422), not read as 1."""
JsonNumber = Annotated[float, BeforeValidator(_not_bool)]
"""A number in a request body: ``true``/``false`` are refused, not read as 1 and 0."""


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="Row-level issues or the lines that did not fit."
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ConfigPublic(BaseModel):
    """What the dashboard needs to know about this server."""

    version: str
    tile_url: str
    tile_attribution: str
    intra_cluster_warn_km: float = Field(
        description="Intra-cluster lines longer than this are flagged on the map."
    )


class MePublic(BaseModel):
    key_id: int
    name: str
    role: Role


class EventTokenPublic(BaseModel):
    token: str = Field(description="Pass as GET /api/v1/events?token=...; opens nothing else.")
    expires_at: dt.datetime = Field(description="After this the stream cannot be opened with it.")
    expires_in: int = Field(description="Seconds from now until expires_at.")


class PageBase(BaseModel):
    total: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    offset: int


class StorePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    store_id: str
    name: str
    lat: float
    lon: float
    cluster: str | None = Field(
        description="Cluster in the newest computed plan, else the stores file's cluster column."
    )
    region: str | None = Field(None, description="The stores file's own cluster column.")
    capacity: float | None = None


class StorePage(PageBase):
    items: list[StorePublic]


class StockPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    store_id: str
    product_id: str
    on_hand: int
    in_transit: int = Field(description="Units dispatched to this store, not yet received.")


class StockPage(PageBase):
    items: list[StockPublic]


class StockTotals(BaseModel):
    on_hand: int
    in_transit: int
    total: int


class ImportPublic(BaseModel):
    stores: int
    products: int
    stock_rows: int
    sales_rows: int
    units_on_hand: int
    warnings: list[str]


def _limits(field: str) -> dict[str, Any]:
    """The core's range of a planning parameter, as pydantic bounds (one copy of the rule)."""
    r = RANGES[field]
    return {"gt" if r.low_open else "ge": r.low, "lt" if r.high_open else "le": r.high}


# What a move costs and a sale is worth: the expected-benefit settings, one definition each
# for plans and backtests (defaults never move a unit at an expected loss).
SaleValue = Annotated[
    float,
    Field(description="expected-benefit: what one more sale earns.", **_limits("sale_value")),
]
CostPerUnitKm = Annotated[
    float,
    Field(
        description="expected-benefit: cost of moving one unit 1 km.",
        **_limits("cost_per_unit_km"),
    ),
]
CostPerLine = Annotated[
    float,
    Field(
        description="expected-benefit: fixed cost of a transfer line.",
        **_limits("cost_per_line"),
    ),
]
MinBenefit = Annotated[
    float,
    Field(
        description="expected-benefit: net value a unit must earn beyond its costs.",
        **_limits("min_benefit"),
    ),
]


class CursorPageBase(BaseModel):
    """One page of a keyset-paged listing: pass ``next_cursor`` as ``cursor`` for the next."""

    total: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    sort: str = Field(description="The sort order of the pages.")
    next_cursor: str | None = Field(
        description="Opaque; null on the last page. Valid only with the same filters and sort."
    )
