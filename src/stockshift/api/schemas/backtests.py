"""Backtests (SPEC section 10): what a client sends and what a run returns."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from stockshift.api.schemas.base import (
    CostPerLine,
    CostPerUnitKm,
    JsonInt,
    JsonNumber,
    MinBenefit,
    PageBase,
    SaleValue,
    _limits,
)

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
