"""Small builders for planner inputs, shared by the tests (factories, not fixture files)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.planning import Allocation, Problem, plan


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def greedy(
    positions: Mapping[str, tuple[float, float]],
    cluster: Mapping[str, str],
    surplus: Mapping[tuple[str, str], int],
    need: Mapping[tuple[str, str], int],
    *,
    planner: Callable[[Problem], Allocation] = plan,
    **params: Any,
) -> tuple[Allocation, list[str], list[str], list[tuple[str, str]]]:
    """Run a planner (greedy by default) on dict inputs; returns the allocation and index maps."""
    store_ids = sorted(positions)
    products = sorted({p for p, _ in surplus} | {p for p, _ in need})
    s_idx = {s: i for i, s in enumerate(store_ids)}
    keys = sorted(set(surplus) | set(need), key=lambda k: (products.index(k[0]), s_idx[k[1]]))
    lat = np.array([positions[s][0] for s in store_ids])
    lon = np.array([positions[s][1] for s in store_ids])
    names = sorted(set(cluster.values()))
    codes = np.array([names.index(cluster[s]) for s in store_ids], dtype=np.int32)
    prod = np.array([products.index(p) for p, _ in keys], dtype=np.int64)
    indptr = np.zeros(len(products) + 1, dtype=np.int64)
    np.cumsum(np.bincount(prod, minlength=len(products)), out=indptr[1:])
    dist = distance_matrix(lat, lon)
    problem = Problem(
        indptr=indptr,
        store=np.array([s_idx[s] for _, s in keys], dtype=np.int32),
        surplus=np.array([surplus.get(k, 0) for k in keys], dtype=np.int64),
        need=np.array([need.get(k, 0) for k in keys], dtype=np.int64),
        cluster=codes,
        n_clusters=max(len(names), 1),
        dist=dist,
        order=neighbour_order(dist),
        **params,
    )
    return planner(problem), store_ids, products, keys


def lines(alloc: Allocation, store_ids: list[str], products: list[str]) -> list[tuple[Any, ...]]:
    """Transfer lines as (product, from, to, quantity, scope) tuples, in creation order."""
    return [
        (
            products[p],
            store_ids[f],
            store_ids[t],
            int(q),
            "cross-cluster" if x else "intra-cluster",
        )
        for p, f, t, q, x in zip(
            alloc.product, alloc.source, alloc.destination, alloc.quantity, alloc.cross, strict=True
        )
    ]


def orders(
    alloc: Allocation, products: list[str], keys: list[tuple[str, str]]
) -> list[tuple[str, str, int, str]]:
    out = []
    for r in np.flatnonzero(alloc.need_left > 0):
        p, s = keys[r]
        out.append(
            (p, s, int(alloc.need_left[r]), "transfer-cap" if alloc.capped[r] else "no-source")
        )
    return out


def long_history_chain(
    folder: Path, *, products: int = 6, stores: int = 8, days: int = 150, seed: int = 0
) -> dict[str, Path]:
    """stores.csv, inventory.csv and sales.csv of a chain with ``days`` days of lumpy daily
    sales (Poisson rates from a gamma, a slow wave per product): long enough for ``--forecast
    auto``'s learned model at ``--cover-days 7`` (core/forecast/learned.py)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    store_ids = [f"S{i:02d}" for i in range(stores)]
    product_ids = [f"P{p:02d}" for p in range(products)]
    lat, lon = rng.uniform(41.0, 42.0, stores), rng.uniform(-94.0, -93.0, stores)
    write_csv(
        folder / "stores.csv",
        ["store_id", "lat", "lon"],
        [(s, f"{a:.4f}", f"{b:.4f}") for s, a, b in zip(store_ids, lat, lon, strict=True)],
    )
    write_csv(
        folder / "inventory.csv",
        ["store_id", "product_id", "on_hand"],
        [(s, p, int(rng.integers(0, 30))) for p in product_ids for s in store_ids],
    )
    dates = np.datetime64("2026-01-01") + np.arange(days)
    rows = []
    for p in range(products):
        wave = 1 + 0.4 * np.sin(np.arange(days) / 15.0 + p)
        for s in store_ids:
            units = rng.poisson(rng.gamma(0.6, 0.8) * wave)
            rows += [(str(dates[d]), s, product_ids[p], int(u)) for d, u in enumerate(units) if u]
    write_csv(folder / "sales.csv", ["date", "store_id", "product_id", "units"], rows)
    return {name: folder / f"{name}.csv" for name in ("stores", "inventory", "sales")}
