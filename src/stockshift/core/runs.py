"""Runs of consecutive products planned apart and joined back into one (``--engine dask``,
and ``db plan``, which stores a run's lines while it plans the next).

Products are independent except for the global cap (SPEC section 4.4), so a chain's
products can be planned in runs, each on its own inventory rows, and joined in
``product_id`` order: what :func:`join_runs` returns is what one run over every product gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from stockshift.core.planning import Allocation
from stockshift.core.types import Dataset, IntArray, Inventory, Sales, Targets

A = TypeVar("A", bound=np.generic)


@dataclass(frozen=True, slots=True)
class ProductsPlan:
    """Consecutive products planned: their rows' targets, lines, and the need left per row."""

    inventory: Inventory
    targets: Targets
    alloc: Allocation
    need_left: IntArray
    need_units: int  # the need of every row, even those :func:`named_rows` leaves out

    @classmethod
    def of(
        cls, inventory: Inventory, targets: Targets, alloc: Allocation, need_left: IntArray
    ) -> ProductsPlan:
        return cls(inventory, targets, alloc, need_left, int(targets.need.sum()))


def named_rows(run: ProductsPlan, n_stores: int) -> ProductsPlan:
    """``run`` with only the inventory rows its plan names: a line's source or destination,
    or a row with need left (a warehouse order). That is all the plan file (but the per-row
    ``targets`` of ``--forecast auto``), the report and the summary read; every product stays."""
    inv = run.inventory
    n = max(n_stores, 1)
    keys = inv.product.astype(np.int64) * n + inv.store
    line = run.alloc.product.astype(np.int64) * n
    keep = run.need_left > 0
    keep[np.searchsorted(keys, line + run.alloc.source)] = True
    keep[np.searchsorted(keys, line + run.alloc.destination)] = True
    rows = np.flatnonzero(keep)
    indptr = np.zeros(len(inv.product_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(inv.product[rows], minlength=len(inv.product_ids)), out=indptr[1:])
    inventory = Inventory(
        product_ids=inv.product_ids,
        product=inv.product[rows],
        store=inv.store[rows],
        on_hand=inv.on_hand[rows],
        indptr=indptr,
        in_transit=None if inv.in_transit is None else inv.in_transit[rows],
    )
    t = run.targets
    targets = Targets(
        target=t.target[rows],
        surplus=t.surplus[rows],
        need=t.need[rows],
        rate=None if t.rate is None else t.rate[rows],
        skipped_clusters=t.skipped_clusters,
        sigma=None if t.sigma is None else t.sigma[rows],
        method=None if t.method is None else t.method[rows],
    )
    a = run.alloc
    alloc = Allocation(
        a.product, a.source, a.destination, a.quantity, a.distance_km, a.cross,
        need_left=a.need_left[rows], capped=a.capped[rows], cap_reached=a.cap_reached,
        expected_gain=a.expected_gain,
    )  # fmt: skip
    return ProductsPlan(inventory, targets, alloc, run.need_left[rows], run.need_units)


def cut_off(run: ProductsPlan) -> ProductsPlan:
    """``run`` as planned after the cap was reached: no line, every need a capped order."""
    need = run.targets.need
    a = run.alloc
    none = slice(0, 0)
    gain = None if a.expected_gain is None else a.expected_gain[none]
    alloc = Allocation(
        a.product[none], a.source[none], a.destination[none], a.quantity[none],
        a.distance_km[none], a.cross[none], need_left=need, capped=need > 0, cap_reached=True,
        expected_gain=gain,
    )  # fmt: skip
    return ProductsPlan(run.inventory, run.targets, alloc, need, run.need_units)


def _cat(arrays: Sequence[npt.NDArray[A]]) -> npt.NDArray[A]:
    return np.concatenate(arrays)


def _cat_optional(arrays: Sequence[npt.NDArray[A] | None]) -> npt.NDArray[A] | None:
    if any(a is None for a in arrays):
        return None
    return np.concatenate([a for a in arrays if a is not None])


def join_runs(runs: Sequence[ProductsPlan]) -> ProductsPlan:
    """One plan of every run's products, in the runs' order (ascending ``product_id``)."""
    if len(runs) == 1:
        return runs[0]
    invs = [r.inventory for r in runs]
    n_products = np.array([len(i.product_ids) for i in invs], dtype=np.int64)
    first_product = np.concatenate([[0], np.cumsum(n_products)[:-1]])
    first_row = np.concatenate([[0], np.cumsum([len(i) for i in invs])[:-1]])
    transit = [i.in_transit for i in invs]
    if any(t is not None for t in transit):
        transit = [
            np.zeros(len(i), np.int64) if i.in_transit is None else i.in_transit for i in invs
        ]
    inventory = Inventory(
        product_ids=_cat([i.product_ids for i in invs]),
        product=_cat([i.product + np.int32(f) for i, f in zip(invs, first_product, strict=True)]),
        store=_cat([i.store for i in invs]),
        on_hand=_cat([i.on_hand for i in invs]),
        indptr=_cat(
            [np.zeros(1, np.int64)]
            + [i.indptr[1:] + f for i, f in zip(invs, first_row, strict=True)]
        ),
        in_transit=_cat_optional(transit),
    )
    ts = [r.targets for r in runs]
    targets = Targets(
        target=_cat([t.target for t in ts]),
        surplus=_cat([t.surplus for t in ts]),
        need=_cat([t.need for t in ts]),
        rate=_cat_optional([t.rate for t in ts]),
        skipped_clusters=ts[0].skipped_clusters,
        sigma=_cat_optional([t.sigma for t in ts]),
        method=_cat_optional([t.method for t in ts]),
    )
    al = [r.alloc for r in runs]
    alloc = Allocation(
        product=_cat([a.product + np.int32(f) for a, f in zip(al, first_product, strict=True)]),
        source=_cat([a.source for a in al]),
        destination=_cat([a.destination for a in al]),
        quantity=_cat([a.quantity for a in al]),
        distance_km=_cat([a.distance_km for a in al]),
        cross=_cat([a.cross for a in al]),
        need_left=_cat([a.need_left for a in al]),
        capped=_cat([a.capped for a in al]),
        cap_reached=any(a.cap_reached for a in al),
        expected_gain=_cat_optional([a.expected_gain for a in al]),
    )
    need_left = _cat([r.need_left for r in runs])
    return ProductsPlan(inventory, targets, alloc, need_left, sum(r.need_units for r in runs))


def split_products(dataset: Dataset, rows_per_run: int) -> list[Dataset]:
    """``dataset`` as runs of consecutive products, each with its products' rows and sales:
    a run ends with the first product that brings it to ``rows_per_run`` inventory rows (a
    product is never split). One run when there are no more rows than that."""
    inv = dataset.inventory
    n_products = len(inv.product_ids)
    if len(inv) <= rows_per_run or n_products < 2:
        return [dataset]
    bounds = [0]
    while bounds[-1] < n_products:
        lo = bounds[-1]
        hi = int(np.searchsorted(inv.indptr, inv.indptr[lo] + rows_per_run))
        bounds.append(min(max(hi, lo + 1), n_products))
    return [_products(dataset, lo, hi) for lo, hi in itertools.pairwise(bounds)]


def _products(dataset: Dataset, lo: int, hi: int) -> Dataset:
    """Products ``lo:hi`` of ``dataset``, numbered from 0, with their rows."""
    inv = dataset.inventory
    first, end = int(inv.indptr[lo]), int(inv.indptr[hi])
    rows = slice(first, end)
    inventory = Inventory(
        product_ids=inv.product_ids[lo:hi],
        product=inv.product[rows] - np.int32(lo),
        store=inv.store[rows],
        on_hand=inv.on_hand[rows],
        indptr=inv.indptr[lo : hi + 1] - first,
        in_transit=None if inv.in_transit is None else inv.in_transit[rows],
    )
    s = dataset.sales
    sales = None
    if s is not None:
        sales = Sales(s.units[rows], s.has_sales[rows], s.first_day, s.last_day, s.total_days)
    return Dataset(dataset.stores, inventory, sales, dataset.warnings)
