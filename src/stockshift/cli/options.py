"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stockshift.core.errors import ParameterError
from stockshift.core.pipeline import validate_parameters
from stockshift.core.types import PlanParameters

PaperFile = Annotated[
    Path | None,
    typer.Argument(
        help="One file in the paper's layout (product_id, store_id, stock, latitude, longitude)."
    ),
]
StoresOpt = Annotated[
    Path | None, typer.Option("--stores", help="Stores CSV/Parquet: store_id, lat, lon.")
]
InventoryOpt = Annotated[
    Path | None,
    typer.Option("--inventory", help="Inventory CSV/Parquet: store_id, product_id, on_hand."),
]
SalesOpt = Annotated[
    Path | None,
    typer.Option("--sales", help="Daily sales CSV/Parquet: date, store_id, product_id, units."),
]
ClustersOpt = Annotated[
    str,
    typer.Option(
        "--clusters", help="auto (K-Means, elbow-chosen k), a number K, or column (stores file)."
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of K-Means.")]
ForecastOpt = Annotated[
    str, typer.Option("--forecast", help="moving-average or linear-regression.")
]
WindowOpt = Annotated[int, typer.Option("--window", help="Days of history the forecast uses.")]
CoverOpt = Annotated[
    int, typer.Option("--cover-days", help="Days of demand the target stock should cover.")
]
ServiceOpt = Annotated[
    float | None,
    typer.Option("--service-level", help="Service level for safety stock, e.g. 0.95 (none: 0)."),
]
TargetOpt = Annotated[
    str | None,
    typer.Option("--target", help="cluster-mean or forecast (default: forecast with sales)."),
]
MaxDistanceOpt = Annotated[
    float | None, typer.Option("--max-distance-km", help="Longest transfer allowed, km.")
]
MaxTransfersOpt = Annotated[
    int | None, typer.Option("--max-transfers", help="Cap on transfer lines, all products.")
]
PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="greedy (the paper's two phases), optimal (most units, least unit-km) or "
        "expected-benefit (move a unit only where it is expected to sell more).",
    ),
]
PackSizeOpt = Annotated[int, typer.Option("--pack-size", help="Move whole packs of N.")]
MinTransferOpt = Annotated[
    int, typer.Option("--min-transfer-units", help="Smallest line worth making.")
]


def plan_parameters(
    *,
    target: str | None,
    clusters: str,
    forecast: str,
    window: int,
    cover_days: int,
    service_level: float | None,
    max_distance_km: float | None,
    max_transfers: int | None,
    pack_size: int,
    min_transfer_units: int,
    seed: int,
    policy: str = "greedy",
) -> PlanParameters:
    """The planning flags as parameters, checked (ParameterError names the flag)."""
    if target not in (None, "cluster-mean", "forecast"):
        raise ParameterError(f"--target {target!r}: use cluster-mean or forecast")
    params = PlanParameters(
        target=target,  # type: ignore[arg-type]
        clusters=clusters,
        forecast=forecast,  # type: ignore[arg-type]
        window=window,
        cover_days=cover_days,
        service_level=service_level,
        max_distance_km=max_distance_km,
        max_transfers=max_transfers,
        pack_size=pack_size,
        min_transfer_units=min_transfer_units,
        seed=seed,
        policy=policy,  # type: ignore[arg-type]
    )
    validate_parameters(params)
    return params
