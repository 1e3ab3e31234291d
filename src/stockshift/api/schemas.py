"""Request and response schemas; their names are the dashboard's generated TypeScript types.

Names are stable: ``XPublic`` is what the API returns about X, ``XCreate`` what a client
sends to make one, ``XPage`` one page of a listing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from stockshift.core.parameters import CLUSTERS_PATTERN, RANGES
from stockshift.core.types import ForecastKind, PolicyKind, TargetKind
from stockshift.io.limits import (
    EARLIEST_DATE,
    FUTURE_MARGIN_DAYS,
    MAX_ID_LENGTH,
    MAX_SALES_UNITS,
    latest_date,
)

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


class CursorPageBase(BaseModel):
    """One page of a keyset-paged listing: pass ``next_cursor`` as ``cursor`` for the next."""

    total: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    sort: str = Field(description="The sort order of the pages.")
    next_cursor: str | None = Field(
        description="Opaque; null on the last page. Valid only with the same filters and sort."
    )


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

    transfer_ids: list[Annotated[JsonInt, Field(ge=1, le=2**31 - 1)]] | None = Field(
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


# --- backtests (SPEC section 10) --------------------------------------------------------------

BacktestStatus = Literal["running", "completed", "failed"]
BacktestPolicy = Literal["warehouse", "greedy", "optimal", "expected-benefit"]


class BacktestCreate(BaseModel):
    """The settings of ``stockshift backtest`` (SPEC section 10), as JSON."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    start: dt.date | None = Field(
        None,
        description="First day replayed (the stock in the database is the stock that "
        "morning); default: the last `weeks` weeks of the sales.",
    )
    weeks: int = Field(8, ge=1, le=520, description="Weeks replayed.")
    policies: list[BacktestPolicy] = Field(
        ["warehouse", "greedy"],
        min_length=1,
        max_length=4,
        description="Policies compared; warehouse (no transfers) always runs as the baseline.",
    )
    review_days: JsonInt = Field(
        7, description="Days between reviews (R).", **_limits("review_days")
    )
    warehouse_lead_days: JsonInt = Field(
        7, description="Warehouse lead time (L).", **_limits("warehouse_lead_days")
    )
    transfer_lead_days: JsonInt = Field(
        1, description="Transfer lead time (T).", **_limits("transfer_lead_days")
    )
    clusters: str = Field(
        "auto", pattern=r"^(auto|column|[1-9][0-9]{0,3})$", description="auto, column or K."
    )
    forecast: str = Field(
        "moving-average", min_length=1, max_length=32, description="As in POST /plans."
    )
    window: JsonInt = Field(28, **_limits("window"))
    cover_days: JsonInt = Field(7, **_limits("cover_days"))
    service_level: JsonNumber | None = Field(None, **_limits("service_level"))
    max_distance_km: JsonNumber | None = Field(None, **_limits("max_distance_km"))
    pack_size: JsonInt = Field(1, **_limits("pack_size"))
    min_transfer_units: JsonInt = Field(1, **_limits("min_transfer_units"))
    seed: JsonInt = Field(0, **_limits("seed"))
    sale_value: SaleValue = 10.0
    cost_per_unit_km: CostPerUnitKm = 0.01
    cost_per_line: CostPerLine = 2.0
    min_benefit: MinBenefit = 0.0


class BacktestCreated(BaseModel):
    backtest_id: int
    status: BacktestStatus


class BacktestProgress(BaseModel):
    policy: str
    day: int = Field(description="Days of this policy replayed so far.")
    days: int


class BacktestWeek(BaseModel):
    week: int
    start: dt.date
    demand: float
    sold: float
    lost: float
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float


class BacktestPolicyResult(BaseModel):
    policy: str
    demand: float
    sold: float
    lost: float
    fill_rate: float | None
    lost_vs_warehouse_pct: float | None = Field(
        description="100·(lost − lost of warehouse) / lost of warehouse."
    )
    warehouse_units: float
    transfer_units: int
    transfer_lines: int
    unit_km: float
    average_stock: float
    start_stock: float
    end_stock: float
    pipeline: float
    weeks: list[BacktestWeek]


class BacktestNetwork(BaseModel):
    stores: int
    products: int
    rows: int
    clusters: int


class BacktestFile(BaseModel):
    """The result file of ``stockshift backtest --output`` (``stockshift.backtest/1``)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field("stockshift.backtest/1", alias="schema")
    parameters: dict[str, Any]
    network: BacktestNetwork
    policies: list[BacktestPolicyResult]


class BacktestPublic(BaseModel):
    """A backtest: status, progress while it runs, and once completed the result file."""

    backtest_id: int
    status: BacktestStatus
    progress: BacktestProgress | None
    error: str | None
    parameters: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: BacktestFile | None


class BacktestPage(PageBase):
    items: list[BacktestPublic] = Field(description="Newest first; `result` is left out here.")
