"""``stockshift demo`` (a synthetic chain) and ``stockshift convert iowa`` (real public data).

Both write the three input files of SPEC section 1, ready for ``stockshift plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from stockshift.cli.app import app, console, fail, run
from stockshift.core.errors import ParameterError
from stockshift.io.datasetfiles import FileFormat, write_parts, write_tables
from stockshift.io.iowa import IowaOptions, convert_iowa

if TYPE_CHECKING:  # the generator is imported when it runs (cli/main.py)
    from stockshift.demo.generator import DemoConfig

convert_app = typer.Typer(
    name="convert",
    help="Convert public data sets into stockshift's stores, inventory and sales files.",
    no_args_is_help=True,
)
app.add_typer(convert_app)

OutDir = Annotated[Path, typer.Argument(help="Folder to write stores, inventory and sales into.")]
FormatOpt = Annotated[
    str, typer.Option("--format", help="csv or parquet (Parquet is faster for big chains).")
]


STREAM_ABOVE = 20_000_000
"""Store-product pairs above which ``demo`` writes parts (all at once would need many GB)."""


def _write(out_dir: Path, write: Callable[[], list[Path]]) -> list[Path]:
    """Write the tables, turning a folder that cannot be written into a clean error."""
    try:
        return write()
    except OSError as exc:
        raise ParameterError(
            f"cannot write into {out_dir}: {exc.strerror or exc}; choose a writable folder"
        ) from None


def _format(value: str) -> FileFormat:
    if value == "csv":
        return "csv"
    if value == "parquet":
        return "parquet"
    raise ParameterError(f"--format {value!r}: use csv or parquet")


@app.command("demo")
def demo_command(
    out_dir: OutDir,
    stores: Annotated[int, typer.Option("--stores", help="Number of stores.")] = 40,
    products: Annotated[int, typer.Option("--products", help="Number of products.")] = 30,
    days: Annotated[
        int, typer.Option("--days", help="Days of daily sales; 0 writes no sales file.")
    ] = 84,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed; same seed, same files."),
    ] = 0,
    cities: Annotated[
        int | None,
        typer.Option("--cities", help="US cities to place stores in (default: stores / 7)."),
    ] = None,
    assortment: Annotated[
        float,
        typer.Option("--assortment", help="Share of store-product pairs carried; 1 = all."),
    ] = 0.8,
    anchor: Annotated[
        str, typer.Option("--anchor", help="Home city of the chain; stores fill the nearest.")
    ] = "Chicago",
    fmt: FormatOpt = "csv",
    rows_per_part: Annotated[
        int | None,
        typer.Option(
            "--rows-per-part",
            help="Write inventory and sales as Parquet datasets (DIR/inventory/part-*.parquet) "
            "of about this many rows per part, drawn part by part in bounded memory; automatic "
            f"above {STREAM_ABOVE:,} store-product pairs.",
        ),
    ] = None,
) -> None:
    """Write a realistic synthetic chain: stores around real US cities, uneven stock, sales
    with weekly seasonality and trends (docs/demo-data.md)."""
    from stockshift.demo.generator import DemoConfig, generate

    config = DemoConfig(
        stores=stores,
        products=products,
        days=days,
        seed=seed,
        cities=cities,
        assortment=assortment,
        anchor=anchor,
    )
    file_format = run(lambda: _format(fmt))
    if rows_per_part is not None or stores * products > STREAM_ABOVE:
        _demo_parts(out_dir, config, file_format, rows_per_part)
        return
    data = run(lambda: generate(config))
    tables = {"stores": data.stores, "inventory": data.inventory}
    if days > 0:
        tables["sales"] = data.sales
    paths = run(lambda: _write(out_dir, lambda: write_tables(out_dir, tables, file_format)))
    console.print(
        f"{len(data.stores)} stores in {config.n_cities()} cities, "
        f"{len(data.inventory)} inventory rows, {len(data.sales)} sales rows"
    )
    for path in paths:
        console.print(f"wrote {path}")


def _demo_parts(
    out_dir: Path, config: DemoConfig, fmt: FileFormat, rows_per_part: int | None
) -> None:
    """A big chain, drawn and written one part at a time (:mod:`stockshift.demo.stream`)."""
    from stockshift.demo import stream

    pairs = config.stores * config.products
    if fmt != "parquet":
        why = "--rows-per-part" if rows_per_part is not None else f"{pairs:,} store-product pairs"
        fail(f"{why}: a chain written in parts is a Parquet dataset; add --format parquet")
    size = stream.ROWS_PER_PART if rows_per_part is None else rows_per_part
    chain = run(lambda: stream.plan_chain(config, size))
    inventory_rows, sales_rows = 0, 0

    def tables() -> Iterator[dict[str, pd.DataFrame | None]]:
        nonlocal inventory_rows, sales_rows
        for part in stream.parts(chain):
            inventory_rows += len(part.inventory)
            sales_rows += 0 if part.sales is None else len(part.sales)
            yield {"inventory": part.inventory, "sales": part.sales}

    paths = run(lambda: _write(out_dir, lambda: write_parts(out_dir, chain.stores, tables())))
    console.print(
        f"{len(chain.stores)} stores in {config.n_cities()} cities, {inventory_rows:,} "
        f"inventory rows, {sales_rows:,} sales rows, in {chain.n_parts} parts of "
        f"{chain.products_per_part} products",
        soft_wrap=True,
    )
    for path in paths:
        console.print(f"wrote {path}" + ("/" if path.is_dir() else ""), soft_wrap=True)


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ParameterError(f"--since {value!r}: give a date as YYYY-MM-DD") from None


@convert_app.command("iowa")
def convert_iowa_command(
    out_dir: OutDir,
    stores: Annotated[
        Path, typer.Option("--stores", help="Iowa liquor stores CSV (Store, Name, latitude, ...).")
    ],
    sales: Annotated[
        Path,
        typer.Option(
            "--sales", help="Iowa daily sales CSV(.gz): date, store_number, item_number, ..."
        ),
    ],
    chain: Annotated[
        str | None,
        typer.Option("--chain", help="Keep stores whose name contains this, e.g. HY-VEE."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Keep sales on or after YYYY-MM-DD.")
    ] = None,
    top_products: Annotated[
        int, typer.Option("--top-products", help="Keep the N best-selling items; 0 keeps all.")
    ] = 200,
    stock_days: Annotated[
        float, typer.Option("--stock-days", help="Median days of demand synthesised as stock.")
    ] = 14.0,
    stock_spread: Annotated[
        float,
        typer.Option("--stock-spread", help="Lognormal spread of synthesised stock (σ)."),
    ] = 0.6,
    stockout_share: Annotated[
        float, typer.Option("--stockout-share", help="Share of rows synthesised as empty.")
    ] = 0.1,
    seed: Annotated[
        int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed of the synthesised stock.")
    ] = 0,
    fmt: FormatOpt = "csv",
) -> None:
    """Convert the public Iowa liquor sales data (docs/how-to-iowa.md). Returns are dropped
    and counted; on hand is synthesised, since the data has no stock levels."""
    file_format = run(lambda: _format(fmt))
    if chain is not None and not chain.strip():
        fail("--chain '': give part of the chain's store names (e.g. HY-VEE), or leave it out")
    options = IowaOptions(
        chain=chain,
        since=run(lambda: _since(since)),
        top_products=None if top_products == 0 else top_products,
        stock_days=stock_days,
        stock_spread=stock_spread,
        stockout=stockout_share,
        seed=seed,
    )
    result = run(lambda: convert_iowa(stores, sales, options))
    for line in result.report.lines():
        console.print(line, markup=False, soft_wrap=True)
    tables = {"stores": result.stores, "inventory": result.inventory, "sales": result.sales}
    paths = run(lambda: _write(out_dir, lambda: write_tables(out_dir, tables, file_format)))
    for path in paths:
        console.print(f"wrote {path}")
