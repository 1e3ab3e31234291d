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
