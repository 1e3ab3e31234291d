"""Options shared by several commands, defined once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import fields
from inspect import Parameter
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from stockshift.cli.app import run
from stockshift.core.parameters import validate_parameters
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
    str,
    typer.Option(
        "--forecast",
        help="moving-average, linear-regression, or auto (a model per series, chosen on "
        "rolling origins of the history; reads every day of sales).",
    ),
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
WarehouseLeadOpt = Annotated[
    int,
    typer.Option("--warehouse-lead-days", help="Days a warehouse order takes to arrive (L)."),
]
ReviewDaysOpt = Annotated[
    int, typer.Option("--review-days", help="Days between reviews, plan and order (R).")
]
TransferLeadOpt = Annotated[
    int, typer.Option("--transfer-lead-days", help="Days a transfer takes to arrive (T).")
]
SaleValueOpt = Annotated[
    float,
    typer.Option(
        "--sale-value", help="expected-benefit: what one more sale earns (e.g. unit margin)."
    ),
]
CostUnitKmOpt = Annotated[
    float,
    typer.Option("--cost-per-unit-km", help="expected-benefit: cost of moving a unit 1 km."),
]
CostLineOpt = Annotated[
    float, typer.Option("--cost-per-line", help="expected-benefit: fixed cost of one line.")
]
MinBenefitOpt = Annotated[
    float,
    typer.Option(
        "--min-benefit", help="expected-benefit: net value a unit must earn beyond its costs."
    ),
]
PackSizeOpt = Annotated[int, typer.Option("--pack-size", help="Move whole packs of N.")]
MinTransferOpt = Annotated[
    int, typer.Option("--min-transfer-units", help="Smallest line worth making.")
]


PLANNING_OPTIONS: dict[str, Any] = {
    "target": TargetOpt,
    "clusters": ClustersOpt,
    "forecast": ForecastOpt,
    "window": WindowOpt,
    "cover_days": CoverOpt,
    "service_level": ServiceOpt,
    "max_distance_km": MaxDistanceOpt,
    "max_transfers": MaxTransfersOpt,
    "pack_size": PackSizeOpt,
    "min_transfer_units": MinTransferOpt,
    "seed": SeedOpt,
    "policy": PolicyOpt,
    "warehouse_lead_days": WarehouseLeadOpt,
    "review_days": ReviewDaysOpt,
    "transfer_lead_days": TransferLeadOpt,
    "sale_value": SaleValueOpt,
    "cost_per_unit_km": CostUnitKmOpt,
    "cost_per_line": CostLineOpt,
    "min_benefit": MinBenefitOpt,
}
"""The flag of each :class:`PlanParameters` field; the defaults are the dataclass's."""

R = TypeVar("R")


def with_plan_parameters(command: Callable[..., R]) -> Callable[..., R]:
    """Give ``command`` every planning flag in place of its ``params`` argument.

    The command receives the flags as one checked :class:`PlanParameters`; a bad value stops
    with the flag named and exit status 2 before anything is read.
    """
    return _with_parameters(command, {})


def with_plan_parameters_fixing(
    *defaults: str, **fixed: Any
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """:func:`with_plan_parameters` for a command that sets some parameters itself: those
    get no flag and take the values given here (``stockshift backtest``: target=forecast),
    or, for the names in ``defaults``, their :class:`PlanParameters` default."""
    return lambda command: _with_parameters(command, {**_defaults(defaults), **fixed})


def _defaults(names: tuple[str, ...]) -> dict[str, Any]:
    return {f.name: f.default for f in fields(PlanParameters) if f.name in names}


def _with_parameters(command: Callable[..., R], fixed: dict[str, Any]) -> Callable[..., R]:
    hints = get_type_hints(command, include_extras=True)
    defaults = {f.name: f.default for f in fields(PlanParameters)}
    flags = {name: option for name, option in PLANNING_OPTIONS.items() if name not in fixed}
    signature: list[Parameter] = []
    for own in inspect.signature(command).parameters.values():
        if own.name == "params":
            signature += [
                Parameter(name, Parameter.KEYWORD_ONLY, default=defaults[name], annotation=option)
                for name, option in flags.items()
            ]
        else:
            signature.append(own.replace(kind=Parameter.KEYWORD_ONLY, annotation=hints[own.name]))

    @functools.wraps(command)
    def with_params(**kwargs: Any) -> R:
        values = {**fixed, **{name: kwargs.pop(name) for name in flags}}
        return command(params=run(lambda: plan_parameters(**values)), **kwargs)

    with_params.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    with_params.__annotations__ = {p.name: p.annotation for p in signature}
    return with_params


def plan_parameters(**values: Any) -> PlanParameters:
    """The planning flags' values as checked parameters (the error names the field)."""
    return validate_parameters(PlanParameters(**values))
