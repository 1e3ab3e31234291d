"""Plans: what a client sends to make one, and every way a plan is read back (document,
keyset pages of lines and orders, totals, flows, stock check, routes, execute and receive)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from stockshift.api.params import MAX_LINE_ID
from stockshift.api.schemas.base import (
    CostPerLine,
    CostPerUnitKm,
    CursorPageBase,
    FulfilmentScope,
    JsonInt,
    JsonNumber,
    MinBenefit,
    PageBase,
    PlanStatus,
    Reason,
    SaleValue,
    Scope,
    TransferStatus,
    _limits,
)
from stockshift.core.parameters import CLUSTERS_PATTERN
from stockshift.core.types import ForecastKind, PolicyKind, TargetKind


class PlanCreate(BaseModel):
    """The parameters of ``stockshift plan`` (SPEC section 6), as JSON."""

    # the limits are the core's (core/parameters.py), stated here for the OpenAPI document

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    target: TargetKind | None = Field(
        None, description="Default: forecast when sales are loaded, else cluster-mean."
    )
    clusters: str = Field("auto", pattern=CLUSTERS_PATTERN, description="auto, column or K.")
    forecast: ForecastKind = Field(
        "moving-average",
        description="auto: a model per series (long moving averages, optimised exponential "
        "smoothing, ADIDA) chosen on rolling origins of the sales history; its choice is "
        "the plan's targets[].method.",
    )
    window: JsonInt = Field(28, **_limits("window"))
    cover_days: JsonInt = Field(7, **_limits("cover_days"))
    service_level: JsonNumber | None = Field(None, **_limits("service_level"))
    max_distance_km: JsonNumber | None = Field(None, **_limits("max_distance_km"))
    max_transfers: JsonInt | None = Field(None, **_limits("max_transfers"))
    pack_size: JsonInt = Field(1, **_limits("pack_size"))
    min_transfer_units: JsonInt = Field(1, **_limits("min_transfer_units"))
    seed: JsonInt = Field(0, **_limits("seed"))
    policy: PolicyKind = Field(
        "greedy",
        description="greedy: the paper's two phases (SPEC section 4); optimal: the most units "
        "within the distance limit at the least unit-km; expected-benefit: move a unit only "
        "where it is expected to sell more, by a margin that pays for the move (SPEC section 9).",
    )
    warehouse_lead_days: JsonInt = Field(
        7,
        description="expected-benefit: days a warehouse order takes (L).",
        **_limits("warehouse_lead_days"),
    )
    review_days: JsonInt = Field(
        7, description="expected-benefit: days between reviews (R).", **_limits("review_days")
    )
    transfer_lead_days: JsonInt = Field(
        1,
        description="expected-benefit: days a transfer takes (T).",
        **_limits("transfer_lead_days"),
    )
    sale_value: SaleValue = 10.0
    cost_per_unit_km: CostPerUnitKm = 0.01
    cost_per_line: CostPerLine = 2.0
    min_benefit: MinBenefit = 0.0


class PlanCreated(BaseModel):
    plan_id: int
    status: PlanStatus


class TransferPublic(BaseModel):
    """A transfer line (SPEC section 5) with its id and life cycle status."""

    model_config = ConfigDict(from_attributes=True)

    transfer_id: int
    plan_id: int
    product_id: str
    from_store: str
    to_store: str
    quantity: int
    distance_km: float
    scope: Scope
    expected_gain: float | None = Field(
        None, description="expected-benefit plans: the expected extra units sold; else null."
    )
    status: TransferStatus
    dispatched_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class TransferPage(PageBase):
    items: list[TransferPublic]


class PlanLine(BaseModel):
    """A transfer line inside the plan file, with ``transfer_id`` and ``status`` added."""

    transfer_id: int
    product_id: str
    from_store: str
    to_store: str
    quantity: int
    distance_km: float
    scope: Scope
    expected_gain: float | None = Field(
        None, description="expected-benefit plans: the expected extra units sold; else null."
    )
    status: TransferStatus


class WarehouseOrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: int
    plan_id: int
    product_id: str
    store_id: str
    quantity: int
    reason: Reason


class WarehouseOrderPage(PageBase):
    items: list[WarehouseOrderPublic]


class PlanWarehouseOrder(BaseModel):
    product_id: str
    store_id: str
    quantity: int
    reason: Reason


class PlanStore(BaseModel):
    store_id: str
    name: str
    lat: float
    lon: float
    cluster: str


class LatLon(BaseModel):
    lat: float
    lon: float


class PlanCluster(BaseModel):
    cluster: str
    store_ids: list[str]
    centroid: LatLon
    radius_km: float


class Elbow(BaseModel):
    k: list[int]
    wcss: list[float]
    chosen_k: int | None


class Fulfilment(BaseModel):
    product_id: str
    store_id: str
    scope: FulfilmentScope
    received: int


class PlanSummary(BaseModel):
    transfers: int
    units_moved: int
    unit_km: float
    warehouse_units: int
    warehouse_orders: int
    products_analysed: int
    stores: int
    clusters: int
    skipped_clusters: list[str]
    need_units: int
    cap_reached: bool
    expected_gain: float | None = Field(
        None, description="expected-benefit plans: expected extra units sold, all lines."
    )


class PlanPublic(BaseModel):
    """A plan in the list: its status and, once computed, its summary."""

    plan_id: int
    status: PlanStatus
    progress: str | None
    error: str | None
    parameters: dict[str, Any]
    summary: PlanSummary | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    executed_at: dt.datetime | None


class PlanPage(PageBase):
    items: list[PlanPublic]


class PlanDocument(PlanPublic):
    """The plan file of SPEC section 5 plus ``plan_id``, ``status`` and timing.

    While the plan runs, the lists are empty and ``summary`` is null.
    """

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field("stockshift.plan/1", alias="schema")
    stores: list[PlanStore]
    clusters: list[PlanCluster]
    elbow: Elbow | None
    transfers: list[PlanLine]
    fulfilment: list[Fulfilment]
    warehouse_orders: list[PlanWarehouseOrder]
    warnings: list[str]


LineSort = Literal[
    "seq", "-seq", "quantity", "-quantity", "distance_km", "-distance_km",
    "product_id", "-product_id", "from_store", "-from_store", "to_store", "-to_store",
    "expected_gain", "-expected_gain", "scope", "-scope", "status", "-status",
]  # fmt: skip
OrderSort = Literal[
    "seq", "-seq", "quantity", "-quantity", "product_id", "-product_id", "store_id", "-store_id",
    "reason", "-reason",
]  # fmt: skip
FlowLevel = Literal["cluster", "store"]


class PlanLinePage(CursorPageBase):
    items: list[PlanLine]


class PlanOrder(BaseModel):
    """A warehouse order of the plan file, with its id."""

    order_id: int
    product_id: str
    store_id: str
    quantity: int
    reason: Reason


class PlanOrderPage(CursorPageBase):
    items: list[PlanOrder]


class LineGroup(BaseModel):
    """Lines, units and unit-km (units x km) of a group of a plan's lines."""

    lines: int
    units: int
    unit_km: float


class OrderGroup(BaseModel):
    orders: int
    units: int


class PlanTotals(BaseModel):
    """What a plan's header shows: its settings, its summary and its lines counted per
    scope, per status and per warehouse-order reason; no lines."""

    plan_id: int
    status: PlanStatus
    progress: str | None
    error: str | None
    parameters: dict[str, Any] = Field(description="The settings the plan was made with.")
    summary: PlanSummary | None = Field(description="The plan file's summary (SPEC section 5).")
    lines: LineGroup = Field(description="Every line, whatever its status.")
    scopes: dict[Scope, LineGroup]
    statuses: dict[TransferStatus, LineGroup]
    warehouse: dict[Reason, OrderGroup]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    executed_at: dt.datetime | None


class Flow(BaseModel):
    """Lines from one store or cluster to another, summed, with both ends' positions."""

    origin: str
    destination: str
    origin_lat: float
    origin_lon: float
    destination_lat: float
    destination_lon: float
    lines: int
    units: int
    unit_km: float


class FlowCollection(BaseModel):
    plan_id: int
    level: FlowLevel
    total: int = Field(description="Origin-destination pairs matching the filters.")
    limit: int
    flows: list[Flow] = Field(description="The pairs with the most units first (at most limit).")


class ShortSource(BaseModel):
    """A source holding less of a product than the plan's proposed lines take from it."""

    model_config = ConfigDict(from_attributes=True)

    store_id: str
    product_id: str
    needed: int = Field(description="Units the plan's proposed lines take from this store.")
    on_hand: int = Field(description="Units on hand there now.")


class PlanStockCheck(BaseModel):
    """Whether the stock moved since the plan was made, and what executing would refuse."""

    model_config = ConfigDict(from_attributes=True)

    plan_id: int
    made_at: dt.datetime = Field(description="When the plan was made: it read the stock then.")
    stale: bool = Field(description="The stock changed since (a sale, adjustment, import...).")
    changes: int = Field(description="Stock changes recorded since, counted up to 1,000.")
    more: bool = Field(description="More than 1,000 changes since.")
    last_change_at: dt.datetime | None
    short_count: int = Field(
        description="Sources now holding less than the plan's proposed lines take: "
        "executing would be refused (409) while any is short."
    )
    short: list[ShortSource] = Field(description="The first 20 of them, by store and product.")


class ExecutePublic(BaseModel):
    plan_id: int
    status: PlanStatus
    lines: int = Field(description="Transfer lines dispatched.")
    units: int = Field(description="Units now in transit.")


class ReceiveCreate(BaseModel):
    """Which lines to receive at once: ``transfer_ids``, or every line in transit to
    ``to_store`` (of ``plan_id`` if given)."""

    model_config = ConfigDict(extra="forbid")

    transfer_ids: list[Annotated[JsonInt, Field(ge=1, le=MAX_LINE_ID)]] | None = Field(
        None, min_length=1, max_length=10_000, description="These lines, each in transit."
    )
    to_store: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00]+$",
        description="Every line in transit to this store (inbound only).",
    )
    plan_id: JsonInt | None = Field(
        None, ge=1, le=2**31 - 1, description="With to_store: only lines of this plan."
    )

    @model_validator(mode="after")
    def _one_selection(self) -> ReceiveCreate:
        if (self.transfer_ids is None) == (self.to_store is None):
            raise ValueError("give either transfer_ids or to_store, not both")
        if self.plan_id is not None and self.to_store is None:
            raise ValueError("plan_id narrows to_store; with transfer_ids leave it out")
        return self


class ReceivePublic(BaseModel):
    lines: int = Field(description="Transfer lines received.")
    units: int = Field(description="Units moved from in transit to on hand.")
    transfer_ids: list[int]
    store_ids: list[str] = Field(description="The destinations that received.")


class LineString(BaseModel):
    type: Literal["LineString"] = "LineString"
    coordinates: list[list[float]] = Field(description="[[lon, lat], [lon, lat]]: from, to.")


class RouteProperties(PlanLine):
    plan_id: int


class RouteFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: LineString
    properties: RouteProperties


class RouteCollection(BaseModel):
    """GeoJSON FeatureCollection: one LineString per transfer line."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[RouteFeature]
