"""Stock movements and sales, the ledger, forecasts and clusters, and API keys."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from stockshift.api.schemas.base import (
    JsonInt,
    JsonNumber,
    PageBase,
    Role,
)
from stockshift.api.schemas.plans import Elbow, LatLon
from stockshift.io.limits import (
    EARLIEST_DATE,
    FUTURE_MARGIN_DAYS,
    MAX_ID_LENGTH,
    MAX_SALES_UNITS,
    latest_date,
)


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    store_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")
    product_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")
    delta: JsonInt = Field(ge=-(10**12), le=10**12, description="Units to add (negative: remove).")
    reason: str = Field(
        min_length=1, max_length=500, pattern=r"^[^\x00]+$", description="Why, for the ledger."
    )


class SaleCreate(BaseModel):
    """One day's sales of a product at a store, within the limits of an imported sales row."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    date: dt.date = Field(
        description=f"From {EARLIEST_DATE.isoformat()} to today (UTC) "
        f"plus {FUTURE_MARGIN_DAYS} days."
    )
    store_id: str = Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")
    product_id: str = Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")
    units: JsonNumber = Field(ge=0, le=MAX_SALES_UNITS)

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        latest = latest_date()
        if not EARLIEST_DATE <= value <= latest:
            raise ValueError(
                f"must be from {EARLIEST_DATE.isoformat()} to {latest.isoformat()} "
                f"(today plus {FUTURE_MARGIN_DAYS} days); is the year mistyped?"
            )
        return value


class SalesBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    sales: list[SaleCreate] = Field(min_length=1, max_length=10_000)


class SaleResult(BaseModel):
    store_id: str
    product_id: str
    units: float
    taken: int = Field(description="Units taken off on hand.")
    short: int = Field(description="Units sold that were not on hand (on hand stays ≥ 0).")


class SalesResult(BaseModel):
    lines: int
    units_taken: int
    units_short: int
    results: list[SaleResult]


class LedgerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: int
    at: dt.datetime
    key_id: int | None
    reason: str
    note: str | None
    store_id: str | None
    product_id: str | None
    on_hand_delta: int
    in_transit_delta: int
    plan_id: int | None
    transfer_id: int | None


class LedgerPage(PageBase):
    items: list[LedgerPublic]


class SalesDay(BaseModel):
    date: dt.date
    units: float


class DemandIntervalPublic(BaseModel):
    """A central interval of the demand over the cover days."""

    level: float = Field(description="Share of the demand's distribution inside the interval.")
    low: float
    high: float


class ForecastPublic(BaseModel):
    method: Literal["moving-average", "linear-regression", "auto"]
    window: int
    cover_days: int
    service_level: float | None
    rate_per_day: float
    target: int = Field(
        description="ceil(r·C + z·σ·√C), SPEC section 3; with auto ceil(μ + z·σ_C), "
        "docs/architecture.md."
    )
    daily: list[SalesDay] = Field(description="The forecast for the next cover days.")
    chosen_method: str | None = Field(
        default=None,
        description="auto: the model chosen for this series on rolling origins of its history.",
    )
    sigma: float | None = Field(
        default=None, description="auto: standard deviation of the demand over the cover days."
    )
    interval: DemandIntervalPublic | None = Field(
        default=None, description="auto: the central 80 % interval of the cover days' demand."
    )


class HistoryPublic(BaseModel):
    """Sales history and forecast of one store/product, for charts."""

    store_id: str
    product_id: str
    on_hand: int
    in_transit: int
    history: list[SalesDay]
    forecast: ForecastPublic | None = Field(description="Null when no sales are loaded.")


class ClusterPublic(BaseModel):
    cluster: str
    store_ids: list[str]
    centroid: LatLon
    radius_km: float


class ClustersPublic(BaseModel):
    method: str
    k: int
    clusters: list[ClusterPublic]
    elbow: Elbow | None


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    role: Role
    name: str = Field("", max_length=200, pattern=r"^[^\x00]*$")


class KeyCreated(BaseModel):
    key_id: int
    role: Role
    name: str
    key: str = Field(description="The secret; shown once, stored only as a hash.")
