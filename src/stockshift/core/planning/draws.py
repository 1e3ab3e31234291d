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

import numba
import numpy as np
import numpy.typing as npt

from stockshift.core.geo import EARTH_RADIUS_KM, store_km
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
    """The product's sources that may still give a line, by cluster: cluster c's are
    ``store[start[c] : start[c] + size[c]]``, ascending. A source whose surplus no longer
    passes :func:`_usable` never will again (surplus only falls) and is dropped when met."""

    store: IntArray
    start: IntArray
    size: IntArray


@numba.njit(cache=True, nogil=True)
def _usable(units, rules):  # type: ignore[no-untyped-def]
    """Whether ``units`` (a source's surplus or a store's need) can make a line: with both
    usable, q = min(need, surplus) rounded down to packs is one (SPEC section 4, step 3),
    since ⌊min(a, b)/p⌋·p = min(⌊a/p⌋·p, ⌊b/p⌋·p); with either not, no q from it is. So
    whether a source can give is its own, whatever the need."""
    return units >= rules.smallest_line


@numba.njit(cache=True, nogil=True)
def _done(need, n_lines, cross, home, rules, supply):  # type: ignore[no-untyped-def]
    """Whether a draw can take nothing more: its need or the cap, or the clusters this
    phase draws from hold less than one line."""
    if not _usable(need, rules) or n_lines >= rules.cap:
        return True
    by_cluster, total = supply.by_cluster, supply.total[0]
    left = total - by_cluster[home] if cross else by_cluster[home]
    return left < rules.smallest_line


@numba.njit(cache=True, nogil=True)
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


@numba.njit(cache=True, nogil=True)
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


@numba.njit(cache=True, nogil=True)
def _chord2(geo, a, b):  # type: ignore[no-untyped-def]
    """Squared chord between stores ``a`` and ``b`` (unit vectors): 4·hav(d/R), no
    trigonometry, so it orders sources cheaply but not bit for bit."""
    dx = geo.xyz[a, 0] - geo.xyz[b, 0]
    dy = geo.xyz[a, 1] - geo.xyz[b, 1]
    dz = geo.xyz[a, 2] - geo.xyz[b, 2]
    return dx * dx + dy * dy + dz * dz


@numba.njit(cache=True, nogil=True)
def _chord2_of_km(km):  # type: ignore[no-untyped-def]
    if km >= math.pi * EARTH_RADIUS_KM:
        return np.inf
    half = 2.0 * math.sin(km / (2.0 * EARTH_RADIUS_KM))
    return half * half


@numba.njit(cache=True, nogil=True)
def _km_below(chord2):  # type: ignore[no-untyped-def]
    """A distance below that of any pair whose squared chord is ``chord2`` or more."""
    if chord2 == np.inf:
        return np.inf
    a = min(max(chord2 * (1.0 - ROUGH) - ROUGH_ZERO, 0.0) / 4.0, 1.0)
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a)) * (1.0 - ROUGH)


@numba.njit(cache=True, nogil=True)
def _draw_past(  # type: ignore[no-untyped-def]
    dest, need, cross, after_km, after, geo, rules, supply, live, lines, first_slot, n_lines
):
    """Go on with a draw past the end of its shortened list, ``(after_km, after)``: among
    the product's live sources of the phase's clusters (dropping those that died), those
    later in (distance, store) order within the limit, nearest first.

    Each source gets a rough key, its squared chord; the nearest by exact distance
    (:func:`~stockshift.core.geo.store_km`, the dense matrix's) is taken once every source
    whose key says it may be as near has its exact distance: so the order is the dense
    list's, and only a few sources per draw need the trigonometry."""
    home = geo.cluster[dest]
    found = 0
    for c in range(live.start.shape[0]):
        if (c == home) != cross:
            found += live.size[c]
    cand = np.empty(found, dtype=np.int64)
    key = np.empty(found)
    key_hi = _chord2_of_km(rules.max_distance_km) * (1.0 + ROUGH) + ROUGH_ZERO
    key_lo = _chord2_of_km(after_km) * (1.0 - ROUGH) - ROUGH_ZERO if after_km > 0 else -1.0
    found = 0
    for c in range(live.start.shape[0]):
        if (c == home) == cross:
            continue
        first, kept = live.start[c], live.start[c]
        for i in range(first, first + live.size[c]):
            s = live.store[i]
            if not _usable(supply.by_store[s], rules):
                continue
            live.store[kept] = s
            kept += 1
            k2 = _chord2(geo, dest, s)
            if s != dest and key_lo <= k2 <= key_hi:
                cand[found] = s
                key[found] = k2
                found += 1
        live.size[c] = kept - first
    near = np.empty(found, dtype=np.int64)  # sources with their exact distance, not yet drawn
    near_km = np.empty(found)
    n_near = 0
    while not _done(need, n_lines, cross, home, rules, supply):
        least = np.inf
        for i in range(found):
            least = min(least, key[i])
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
        # exact distances for every source whose key says it may be as near as the least
        reach = least * (1.0 + 2.0 * ROUGH) + 2.0 * ROUGH_ZERO
        for i in range(found):
            if key[i] > reach:
                continue
            key[i] = np.inf
            s = cand[i]
            d = store_km(geo.phi, geo.lmb, geo.cos_phi, dest, s)
            if d > rules.max_distance_km or (d, s) <= (after_km, after):
                continue
            near[n_near], near_km[n_near] = s, d
            n_near += 1
    return need, n_lines


@numba.njit(cache=True, nogil=True)
def live_sources(lo, hi, rows, n_clusters, geo, rules):  # type: ignore[no-untyped-def]
    """The product's (rows lo:hi) sources able to give a line, by cluster, each cluster's
    in store order (rows are in store order)."""
    count = np.zeros(n_clusters, dtype=np.int64)
    for r in range(lo, hi):
        if _usable(rows.surplus[r], rules):
            count[geo.cluster[rows.store[r]]] += 1
    start = np.zeros(n_clusters, dtype=np.int64)
    for c in range(1, n_clusters):
        start[c] = start[c - 1] + count[c - 1]
    store = np.empty(count.sum(), dtype=np.int64)
    count[:] = 0
    for r in range(lo, hi):
        if _usable(rows.surplus[r], rules):
            c = geo.cluster[rows.store[r]]
            store[start[c] + count[c]] = rows.store[r]
            count[c] += 1
    return Live(store, start, count)
