"""The terminal report of SPEC section 6, in the form of the paper's Fig. 2."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from stockshift.core.types import Plan

RULE = "-----"


def product_blocks(plan: Plan) -> Iterator[list[str]]:
    """Per product with transfers, its lines: MOVE lines, then an Info line per destination.

    Everything a line shows is looked up for all lines at once (one ``searchsorted`` for the
    inventory rows, numbers formatted in one pass over Python lists), so a report of a
    million lines costs about a second, not the planning time over again.
    """
    if plan.n_transfers == 0:
        return
    ids, inv, t = plan.stores.ids.tolist(), plan.inventory, plan.targets
    n = max(len(ids), 1)
    keys = inv.product.astype(np.int64) * n + inv.store
    product = plan.t_product.astype(np.int64) * n
    source_row = np.searchsorted(keys, product + plan.t_from)
    dest_row = np.searchsorted(keys, product + plan.t_to)
    source, dest = plan.t_from.tolist(), plan.t_to.tolist()
    source_held = inv.on_hand[source_row].tolist()
    dest_held = inv.on_hand[dest_row].tolist()
    if plan.target_kind == "cluster-mean":
        below = "below average"
        goal = [f"Cluster average: {v:.1f}" for v in t.target[dest_row].tolist()]
    else:
        below = "below target"
        goal = [f"Target: {int(v)} units" for v in t.target[dest_row].tolist()]
    gains = (
        [""] * plan.n_transfers
        if plan.t_expected_gain is None
        else [f" | expected +{g:.2f} sold" for g in plan.t_expected_gain.tolist()]
    )
    moves = [
        f"MOVE {q} unit(s) | {ids[s]} -> {ids[d]} | {SCOPES[x]} | {km:.2f} km{g}"
        for q, s, d, x, km, g in zip(
            plan.t_quantity.tolist(),
            source,
            dest,
            plan.t_cross.tolist(),
            plan.t_distance.tolist(),
            gains,
            strict=True,
        )
    ]
    bounds = np.flatnonzero(np.diff(plan.t_product)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [plan.n_transfers]]).tolist()
    for lo, hi in zip(starts, ends, strict=True):
        block = [f"Product: {inv.product_ids[plan.t_product[lo]]}", RULE, *moves[lo:hi]]
        # per destination, in the order of its first line: its sources, each once
        sources: dict[int, dict[int, int]] = {}
        first_line: dict[int, int] = {}
        for i in range(lo, hi):
            first_line.setdefault(dest[i], i)
            sources.setdefault(dest[i], {}).setdefault(source[i], source_held[i])
        block += [
            f"Info: {_sources_text(ids, held)}, {ids[d]} is {below} "
            f"({dest_held[first_line[d]]} units). {goal[first_line[d]]}"
            for d, held in sources.items()
        ]
        block.append(RULE)
        yield block


SCOPES = ("intra-cluster", "cross-cluster")


def _sources_text(ids: list[str], held: dict[int, int]) -> str:
    """``S1 has surplus (40 units)``, or ``S1 (40 units), S2 (35 units) have surplus``."""
    if len(held) == 1:
        ((s, units),) = held.items()
        return f"{ids[s]} has surplus ({units} units)"
    return ", ".join(f"{ids[s]} ({units} units)" for s, units in held.items()) + " have surplus"


def totals(plan: Plan) -> list[str]:
    lines = [
        f"Total transfer orders : {plan.n_transfers}",
        f"Products analysed    : {len(plan.inventory.product_ids)}",
        f"Stores               : {len(plan.stores)}",
        f"Clusters             : {plan.clustering.k}",
        f"Units moved          : {plan.units_moved}",
        f"Unit-km              : {plan.unit_km:.1f}",
        *(
            []
            if plan.t_expected_gain is None
            else [f"Expected extra sales : {float(plan.t_expected_gain.sum()):.1f} units"]
        ),
        f"Warehouse orders     : {len(plan.w_quantity)} ({plan.warehouse_units} units)",
    ]
    if plan.cap_reached:
        lines.append(
            f"Transfer cap reached ({plan.parameters.max_transfers}); the rest goes to warehouse"
        )
    lines.append(RULE)
    lines += [f"Cluster {c} skipped (only one store)" for c in plan.targets.skipped_clusters]
    lines.append(f"Transfers ready: {plan.n_transfers}")
    return lines
