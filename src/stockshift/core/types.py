"""The data the planner works on and the plan it returns.

Stores are indexed 0..n-1 in ascending ``store_id`` (code-point) order, products 0..m-1 in
ascending ``product_id`` order, so that comparing indices is comparing ids (SPEC section 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

TargetKind = Literal["cluster-mean", "forecast"]
ForecastKind = Literal["moving-average", "linear-regression", "auto"]
PolicyKind = Literal["greedy", "optimal", "expected-benefit"]
POLICIES: tuple[PolicyKind, ...] = ("greedy", "optimal", "expected-benefit")

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
#: Labels of groups (e.g. the product of each row), any integer type.
GroupArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class Stores:
    """The chain's stores, sorted by ``store_id``."""

    ids: StrArray
    lat: FloatArray
    lon: FloatArray
    names: StrArray
    given_cluster: StrArray | None = None  # the stores file's ``cluster`` column, if present
    capacity: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Inventory:
    """On-hand stock, one row per (product, store), sorted by product then store.

    ``indptr`` is the CSR offset array: product p owns rows ``indptr[p]:indptr[p+1]``.
    """

    product_ids: StrArray
    product: Int32Array
    store: Int32Array
    on_hand: IntArray
    indptr: IntArray
    in_transit: IntArray | None = None  # units on their way to the store (SPEC section 9)

    def __len__(self) -> int:
        return len(self.store)

    @property
    def position(self) -> IntArray:
        """On hand plus in transit: what targets, surplus and need are measured against."""
        if self.in_transit is None:
            return self.on_hand
        out: IntArray = self.on_hand + self.in_transit
        return out

    @property
    def sendable(self) -> IntArray:
        """Units a source can send now: only those on hand."""
        return self.on_hand


@dataclass(frozen=True, slots=True)
class Sales:
    """Zero-filled daily units for every inventory row over the last days of the sales file.

    ``units[i, t]`` is inventory row i on day ``first_day + t``; the matrix ends on the last
    date of the sales file. ``has_sales[i]`` is False where the row never sold (r = σ = 0).
    """

    units: FloatArray
    has_sales: npt.NDArray[np.bool_]
    first_day: np.datetime64
    last_day: np.datetime64
    total_days: int  # days in the whole sales file's date range


@dataclass(frozen=True, slots=True)
class Dataset:
    stores: Stores
    inventory: Inventory
    sales: Sales | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanParameters:
    """The planner's settings (SPEC sections 2-4); defaults are SPEC's."""

    target: TargetKind | None = None  # None: forecast when sales are given, else cluster-mean
    clusters: str = "auto"  # "auto", "column" or an integer K as text
    forecast: ForecastKind = "moving-average"
    window: int = 28
    cover_days: int = 7
    service_level: float | None = None
    max_distance_km: float | None = None
    max_transfers: int | None = None
    pack_size: int = 1
    min_transfer_units: int = 1
    seed: int = 0
    policy: PolicyKind = "greedy"
    # expected-benefit (SPEC section 9): horizons in days, economics in the user's money
    warehouse_lead_days: int = 7
    review_days: int = 7
    transfer_lead_days: int = 1
    sale_value: float = 10.0
    cost_per_unit_km: float = 0.01
    cost_per_line: float = 2.0
    min_benefit: float = 0.0

    def resolved_target(self, has_sales: bool) -> TargetKind:
        if self.target is not None:
            return self.target
        return "forecast" if has_sales else "cluster-mean"


@dataclass(frozen=True, slots=True)
class Clustering:
    """Cluster labels per store (strings) and, for K-Means, the elbow curve."""

    labels: StrArray
    codes: Int32Array  # 0..k-1, index into ``names``
    names: tuple[str, ...]
    method: str
    k_values: tuple[int, ...] = ()
    wcss: tuple[float, ...] = ()
    chosen_k: int | None = None

    @property
    def k(self) -> int:
        return len(self.names)


@dataclass(frozen=True, slots=True)
class Targets:
    """Per inventory row: target stock (float), surplus and need (whole units)."""

    target: FloatArray
    surplus: IntArray
    need: IntArray
    rate: FloatArray | None = None  # forecast units per day, when the target is a forecast
    skipped_clusters: tuple[str, ...] = ()  # cluster-mean: clusters of one store
    sigma: FloatArray | None = None  # --forecast auto: σ of demand over the cover days
    method: StrArray | None = None  # --forecast auto: the model chosen for each row


@dataclass(frozen=True, slots=True)
class Plan:
    """A transfer plan. Transfer arrays are in the order the lines were made (SPEC section 5)."""

    parameters: PlanParameters
    target_kind: TargetKind
    stores: Stores
    clustering: Clustering
    inventory: Inventory
    targets: Targets
    # transfer lines
    t_product: Int32Array
    t_from: Int32Array
    t_to: Int32Array
    t_quantity: IntArray
    t_distance: FloatArray
    t_cross: npt.NDArray[np.bool_]
    # warehouse orders, sorted by product then store
    w_product: Int32Array
    w_store: Int32Array
    w_quantity: IntArray
    w_capped: npt.NDArray[np.bool_]
    cap_reached: bool = False
    warnings: tuple[str, ...] = field(default=())
    t_expected_gain: FloatArray | None = None  # expected-benefit: extra units sold per line
    # the need of every row; ``inventory`` and ``targets`` may then hold only the rows the
    # plan names (lines' ends, warehouse orders: core/runs.py's named_rows)
    need_units: int | None = None

    @property
    def n_transfers(self) -> int:
        return len(self.t_quantity)

    @property
    def units_moved(self) -> int:
        return int(self.t_quantity.sum())

    @property
    def unit_km(self) -> float:
        return float((self.t_quantity * self.t_distance).sum())

    @property
    def warehouse_units(self) -> int:
        return int(self.w_quantity.sum())
