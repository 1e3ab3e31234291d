"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
