"""One deficit store's draw in the greedy kernel (SPEC section 4, steps 1-3), compiled.

A draw walks the store's candidate list (core/neighbours.py), nearest first. A list the
BallTree shortened may end while the draw could take more: the draw then goes on among the
product's *live* sources (those that can still give a line), nearest first past the list's
last entry, by the same Haversine the dense matrix holds, so the plan is the dense path's.
Live sources are few exactly when lists run out, so no store ever needs a long list.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from stockshift.core.geo import EARTH_RADIUS_KM, store_km
from stockshift.core.jit import kernel
from stockshift.core.types import FloatArray, Int32Array, IntArray

ROUGH, ROUGH_ZERO = 1e-6, 1e-14
"""How far a squared chord from unit vectors may be from 4·hav(d/R) of the exact distance:
relative, and absolute near 0 (rounding makes both about 1e-15; these are kept wide)."""


class Rules(NamedTuple):
    """The quantity rules of SPEC section 4, step 3, and the line cap of step 4."""

    max_distance_km: float  # inf: no limit
    pack_size: int
    min_units: int  # --min-transfer-units
    smallest_line: int  # the least multiple of the pack size ≥ max(minimum line, 1)
    cap: int  # lines this run may make, all products (NO_CAP: none)


class Supply(NamedTuple):
    """Surplus not yet drawn in the product being allocated: per store, per cluster, all."""

    by_store: IntArray
    by_cluster: IntArray
    total: IntArray  # one element, so that the kernel can change it in place


class Lines(NamedTuple):
    """The transfer lines, one slot per inventory row: a product makes at most one line per
    row it has, because each line uses up either a source's surplus or a store's need."""

    source: Int32Array
    destination: Int32Array
    quantity: IntArray
    distance_km: FloatArray
    cross: npt.NDArray[np.bool_]


class Live(NamedTuple):
    """The product's sources that may still give a line, by bucket (core/neighbours.py):
    bucket b's are ``store[start[b] : start[b] + size[b]]``, ascending. A source whose
    surplus no longer passes :func:`_usable` never will again (surplus only falls) and is
    dropped when met."""

    store: IntArray
    start: IntArray
    size: IntArray


@kernel(nogil=True)
def _usable(units, rules):  # type: ignore[no-untyped-def]
    """Whether ``units`` (a source's surplus or a store's need) can make a line: with both
    usable, q = min(need, surplus) rounded down to packs is one (SPEC section 4, step 3),
    since ⌊min(a, b)/p⌋·p = min(⌊a/p⌋·p, ⌊b/p⌋·p); with either not, no q from it is. So
    whether a source can give is its own, whatever the need."""
    return units >= rules.smallest_line


@kernel(nogil=True)
def _done(need, n_lines, cross, home, rules, supply):  # type: ignore[no-untyped-def]
    """Whether a draw can take nothing more: its need or the cap, or the clusters this
    phase draws from hold less than one line."""
    if not _usable(need, rules) or n_lines >= rules.cap:
        return True
    by_cluster, total = supply.by_cluster, supply.total[0]
    left = total - by_cluster[home] if cross else by_cluster[home]
    return left < rules.smallest_line


@kernel(nogil=True)
def _take(dest, need, source, km, cross, geo, rules, supply, lines, slot):  # type: ignore[no-untyped-def]
    """Draw from ``source`` if it can give a line; the line goes to ``slot``. Returns the
    need left and whether a line was made."""
    available = supply.by_store[source]
    if not _usable(available, rules):
        return need, False
    quantity = min(need, available)
    quantity -= quantity % rules.pack_size
    lines.source[slot] = source
    lines.destination[slot] = dest
    lines.quantity[slot] = quantity
    lines.distance_km[slot] = km
    lines.cross[slot] = cross
    supply.by_store[source] = available - quantity
    supply.by_cluster[geo.cluster[source]] -= quantity
    supply.total[0] -= quantity
    return need - quantity, True


@kernel(nogil=True)
def draw(  # type: ignore[no-untyped-def]
    dest, need, cross, geo, rules, supply, live, lines, first_slot, n_lines
):
    """Draw for deficit store ``dest`` from sources nearest first (SPEC section 4, steps 1-3).

    ``cross``: phase 2, sources of other clusters; else phase 1, of ``dest``'s own cluster.
    Lines go to ``lines`` from slot ``first_slot + n_lines``. Returns (need left, n_lines).
    """
    home = geo.cluster[dest]
    if cross:
        indptr, store, dist, truncated = (
            geo.other_indptr,
            geo.other_store,
            geo.other_km,
            geo.other_truncated,
        )
    else:
        indptr, store, dist, truncated = (
            geo.own_indptr,
            geo.own_store,
            geo.own_km,
            geo.own_truncated,
        )
    lo, hi = indptr[dest], indptr[dest + 1]
    for k in range(lo, hi):
        if _done(need, n_lines, cross, home, rules, supply):
            return need, n_lines
        if dist[k] > rules.max_distance_km:
            return need, n_lines  # nearest first: every later one is farther
        need, made = _take(
            dest, need, store[k], dist[k], cross, geo, rules, supply, lines, first_slot + n_lines
        )
        n_lines += made
    if not truncated[dest] or _done(need, n_lines, cross, home, rules, supply):
        return need, n_lines
    # the list was shortened: every store it lacks comes after its last entry
    after_km, after = -1.0, -1
    if hi > lo:
        after_km, after = dist[hi - 1], int(store[hi - 1])
    return _draw_past(
        dest, need, cross, after_km, after, geo, rules, supply, live, lines, first_slot, n_lines
    )


@kernel(nogil=True)
def _chord2(geo, a, b):  # type: ignore[no-untyped-def]
    """Squared chord between stores ``a`` and ``b`` (unit vectors): 4·hav(d/R), no
    trigonometry, so it orders sources cheaply but not bit for bit."""
    dx = geo.xyz[a, 0] - geo.xyz[b, 0]
    dy = geo.xyz[a, 1] - geo.xyz[b, 1]
    dz = geo.xyz[a, 2] - geo.xyz[b, 2]
    return dx * dx + dy * dy + dz * dz


@kernel(nogil=True)
def _chord2_of_km(km):  # type: ignore[no-untyped-def]
    if km >= math.pi * EARTH_RADIUS_KM:
        return np.inf
    half = 2.0 * math.sin(km / (2.0 * EARTH_RADIUS_KM))
    return half * half


@kernel(nogil=True)
def _km_below(chord2):  # type: ignore[no-untyped-def]
    """A distance below that of any pair whose squared chord is ``chord2`` or more."""
    if chord2 == np.inf:
        return np.inf
    a = min(max(chord2 * (1.0 - ROUGH) - ROUGH_ZERO, 0.0) / 4.0, 1.0)
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a)) * (1.0 - ROUGH)


@kernel(nogil=True)
def _draw_past(  # type: ignore[no-untyped-def]
    dest, need, cross, after_km, after, geo, rules, supply, live, lines, first_slot, n_lines
):
    """Go on with a draw past the end of its shortened list, ``(after_km, after)``: among
    the product's live sources of the phase's clusters (dropping those that died), those
    later in (distance, store) order within the limit, nearest first.

    Sources are met bucket by bucket, nearest bucket first, each with a rough key, its
    squared chord; the nearest by exact distance (:func:`~stockshift.core.geo.store_km`,
    the dense matrix's) is taken once every source whose key, or whose unopened bucket,
    says it may be as near has its exact distance. So the order is the dense list's, and
    a draw reads a few buckets and computes a few exact distances."""
    home = geo.cluster[dest]
    key_hi = _chord2_of_km(rules.max_distance_km) * (1.0 + ROUGH) + ROUGH_ZERO
    key_lo = _chord2_of_km(after_km) * (1.0 - ROUGH) - ROUGH_ZERO if after_km > 0 else -1.0
    # the phase's buckets (its own cluster's, or every other's) that may hold a candidate,
    # with the least squared chord any of their stores can be at
    own_lo, own_hi = geo.bucket_first[home], geo.bucket_first[home + 1]
    n_buckets = geo.bucket_first[-1]
    bound = np.empty(n_buckets)
    which = np.empty(n_buckets, dtype=np.int64)
    n_open, room = 0, 0
    for b in range(n_buckets):
        if (own_lo <= b < own_hi) == cross or live.size[b] == 0:
            continue
        dx = geo.xyz[dest, 0] - geo.bucket_centre[b, 0]
        dy = geo.xyz[dest, 1] - geo.bucket_centre[b, 1]
        dz = geo.xyz[dest, 2] - geo.bucket_centre[b, 2]
        centre = math.sqrt(dx * dx + dy * dy + dz * dz)
        nearest = max(centre - geo.bucket_radius[b], 0.0)
        farthest = centre + geo.bucket_radius[b]
        if nearest * nearest > key_hi or farthest * farthest < key_lo:
            continue
        bound[n_open], which[n_open] = nearest * nearest, b
        n_open += 1
        room += live.size[b]
    cand = np.empty(room, dtype=np.int64)  # sources met with their key, not yet resolved
    key = np.empty(room)
    found, least_key = 0, np.inf
    near = np.empty(room, dtype=np.int64)  # sources with their exact distance, not yet drawn
    near_km = np.empty(room)
    n_near = 0
    while not _done(need, n_lines, cross, home, rules, supply):
        least_bound, nearest_bucket = np.inf, -1
        for j in range(n_open):
            if bound[j] < least_bound:
                least_bound, nearest_bucket = bound[j], j
        least = min(least_key, least_bound)
        best = -1
        for j in range(n_near):
            if best < 0 or (near_km[j], near[j]) < (near_km[best], near[best]):
                best = j
        if best >= 0 and near_km[best] < _km_below(least):
            need, made = _take(
                dest, need, near[best], near_km[best], cross, geo, rules, supply, lines,
                first_slot + n_lines,
            )  # fmt: skip
            n_lines += made
            n_near -= 1
            near[best], near_km[best] = near[n_near], near_km[n_near]
            continue
        if least == np.inf:
            break
        if least_bound <= least_key:
            # open the nearest bucket: its live sources get their keys
            b = which[nearest_bucket]
            bound[nearest_bucket] = np.inf
            first, kept = live.start[b], live.start[b]
            for i in range(first, first + live.size[b]):
                s = live.store[i]
                if not _usable(supply.by_store[s], rules):
                    continue
                live.store[kept] = s
                kept += 1
                k2 = _chord2(geo, dest, s)
                if s != dest and key_lo <= k2 <= key_hi:
                    cand[found], key[found] = s, k2
                    found += 1
                    least_key = min(least_key, k2)
            live.size[b] = kept - first
            continue
        # exact distances for every source whose key says it may be as near as the least
        reach = least_key * (1.0 + 2.0 * ROUGH) + 2.0 * ROUGH_ZERO
        kept, least_key = 0, np.inf
        for i in range(found):
            s = cand[i]
            if key[i] > reach:
                cand[kept], key[kept] = s, key[i]
                least_key = min(least_key, key[i])
                kept += 1
                continue
            d = store_km(geo.phi, geo.lmb, geo.cos_phi, dest, s)
            if d <= rules.max_distance_km and (d, s) > (after_km, after):
                near[n_near], near_km[n_near] = s, d
                n_near += 1
        found = kept
    return need, n_lines


@kernel(nogil=True)
def live_sources(lo, hi, rows, geo, rules):  # type: ignore[no-untyped-def]
    """The product's (rows lo:hi) sources able to give a line, by bucket, each bucket's in
    store order (rows are in store order). None without buckets (complete lists)."""
    n_buckets = geo.bucket_first[-1]
    count = np.zeros(n_buckets, dtype=np.int64)
    if n_buckets:
        for r in range(lo, hi):
            if _usable(rows.surplus[r], rules):
                count[geo.bucket_of[rows.store[r]]] += 1
    start = np.zeros(n_buckets, dtype=np.int64)
    for b in range(1, n_buckets):
        start[b] = start[b - 1] + count[b - 1]
    store = np.empty(count.sum(), dtype=np.int64)
    count[:] = 0
    if n_buckets:
        for r in range(lo, hi):
            if _usable(rows.surplus[r], rules):
                b = geo.bucket_of[rows.store[r]]
                store[start[b] + count[b]] = rows.store[r]
                count[b] += 1
    return Live(store, start, count)
