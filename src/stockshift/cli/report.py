"""The terminal report of SPEC section 6, in the form of the paper's Fig. 2."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from stockshift.core.types import IntArray, Plan, StrArray

RULE = "-----"


def _fmt_target(value: float) -> str:
    return f"{value:.1f}"


def product_blocks(plan: Plan) -> Iterator[str]:
    """Per product with transfers: MOVE lines, then an Info line per destination."""
    if plan.n_transfers == 0:
        return
    ids, inv, t = plan.stores.ids, plan.inventory, plan.targets
    n = max(len(ids), 1)
    keys = inv.product.astype(np.int64) * n + inv.store
    bounds = np.flatnonzero(np.diff(plan.t_product)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [plan.n_transfers]])
    cluster_mean = plan.target_kind == "cluster-mean"
    for lo, hi in zip(starts, ends, strict=True):
        p = int(plan.t_product[lo])
        yield f"Product: {inv.product_ids[p]}"
        yield RULE
        sources: dict[int, list[int]] = {}
        for i in range(lo, hi):
            src, dst = int(plan.t_from[i]), int(plan.t_to[i])
            scope = "cross-cluster" if plan.t_cross[i] else "intra-cluster"
            yield (
                f"MOVE {int(plan.t_quantity[i])} unit(s) | {ids[src]} -> {ids[dst]}"
                f" | {scope} | {plan.t_distance[i]:.2f} km"
            )
            sources.setdefault(dst, [])
            if src not in sources[dst]:
                sources[dst].append(src)
        for dst, srcs in sources.items():
            row_of = {s: int(np.searchsorted(keys, p * n + s)) for s in (dst, *srcs)}
            d = row_of[dst]
            verb = "has" if len(srcs) == 1 else "have"
            if cluster_mean:
                yield (
                    f"Info: {_sources_text(ids, srcs, inv.on_hand, row_of, verb)}, "
                    f"{ids[dst]} is below average ({int(inv.on_hand[d])} units). "
                    f"Cluster average: {_fmt_target(float(t.target[d]))}"
                )
            else:
                yield (
                    f"Info: {_sources_text(ids, srcs, inv.on_hand, row_of, verb)}, "
                    f"{ids[dst]} is below target ({int(inv.on_hand[d])} units). "
                    f"Target: {int(t.target[d])} units"
                )
        yield RULE


def _sources_text(
    ids: StrArray, srcs: list[int], on_hand: IntArray, row_of: dict[int, int], verb: str
) -> str:
    if len(srcs) == 1:
        s = srcs[0]
        return f"{ids[s]} has surplus ({int(on_hand[row_of[s]])} units)"
    held = ", ".join(f"{ids[s]} ({int(on_hand[row_of[s]])} units)" for s in srcs)
    return f"{held} {verb} surplus"


def totals(plan: Plan) -> list[str]:
    lines = [
        f"Total transfer orders : {plan.n_transfers}",
        f"Products analysed    : {len(plan.inventory.product_ids)}",
        f"Stores               : {len(plan.stores)}",
        f"Clusters             : {plan.clustering.k}",
        f"Units moved          : {plan.units_moved}",
        f"Unit-km              : {plan.unit_km:.1f}",
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
