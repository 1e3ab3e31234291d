"""``stockshift clusters``: look at the store clusters before planning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from stockshift.cli.app import app, check_output, console, fail, run
from stockshift.cli.options import (
    ClustersOpt,
    PaperFile,
    SeedOpt,
    StoresOpt,
)
from stockshift.core.errors import ParameterError
from stockshift.core.parameters import validate_parameters
from stockshift.core.types import Clustering, Dataset, Inventory, PlanParameters
from stockshift.io.readers import load_dataset, read_stores
from stockshift.io.tables import Issues


@app.command("clusters")
def clusters_command(
    paper: PaperFile = None,
    stores: StoresOpt = None,
    clusters: ClustersOpt = "auto",
    seed: SeedOpt = 0,
    elbow_png: Annotated[
        Path | None, typer.Option("--elbow-png", help="Write the elbow curve (WCSS per k) here.")
    ] = None,
) -> None:
    """Cluster the stores: the chosen k, the WCSS per k, each cluster's stores and radius."""
    from stockshift.core.clustering import centroids, cluster_stores  # see cli/main.py

    check_output(elbow_png, "--elbow-png", (".png", ".svg", ".pdf"))

    def go() -> tuple[Dataset, Clustering]:
        if paper is not None:
            ds = load_dataset(paper=paper)
        elif stores is not None:
            ds = _stores_only(stores)
        else:
            raise ParameterError("give --stores stores.csv (or one paper-layout file)")
        validate_parameters(PlanParameters(clusters=clusters, seed=seed))
        return ds, cluster_stores(ds.stores, clusters, seed=seed)

    dataset, result = run(go)
    st = dataset.stores
    if result.k_values and result.method == "auto":
        console.print(f"Chosen k: [bold]{result.chosen_k}[/] (elbow of the WCSS curve)")
        wcss = Table("k", "WCSS (unit sphere)", title="Elbow curve")
        for k, w in zip(result.k_values, result.wcss, strict=True):
            wcss.add_row(str(k), f"{w:.6f}" + ("  <- chosen" if k == result.chosen_k else ""))
        console.print(wcss)
    else:
        console.print(f"Clusters: [bold]{result.k}[/] ({result.method})")
    clat, clon, radius = centroids(st, result)
    table = Table("cluster", "stores", "centroid", "radius km", "store ids", title="Clusters")
    for i, name in enumerate(result.names):
        ids = [str(s) for s in st.ids[result.codes == i]]
        shown = ", ".join(ids[:12]) + (f" … (+{len(ids) - 12})" if len(ids) > 12 else "")
        table.add_row(
            name, str(len(ids)), f"{clat[i]:.4f}, {clon[i]:.4f}", f"{radius[i]:.1f}", shown
        )
    console.print(table)
    if elbow_png is not None:
        if not result.k_values or result.method != "auto":
            fail("--elbow-png needs --clusters auto (the curve is computed for k = 1..10)")
        _write_elbow_png(elbow_png, list(result.k_values), list(result.wcss), result.chosen_k)
        console.print(f"Elbow curve written to {elbow_png}")


def _stores_only(stores: Path) -> Dataset:
    """Load just the stores file (its own validation, no inventory needed)."""
    issues = Issues()
    warnings: list[str] = []
    st, _ = read_stores(stores, issues, warnings)
    empty = Inventory(
        np.array([], dtype=object),
        np.array([], np.int32),
        np.array([], np.int32),
        np.array([], np.int64),
        np.zeros(1, np.int64),
    )
    return Dataset(st, empty, None, tuple(warnings))


def _write_elbow_png(path: Path, ks: list[int], wcss: list[float], chosen: int | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.plot(ks, wcss, marker="o", color="#0072B2")
    if chosen is not None:
        ax.axvline(chosen, color="#D55E00", linestyle="--", label=f"chosen k = {chosen}")
        ax.legend()
    ax.set_xlabel("k (clusters)")
    ax.set_ylabel("WCSS")
    ax.set_title("Elbow curve of store clusters")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
