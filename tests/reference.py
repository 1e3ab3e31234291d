"""A deliberately plain transcription of SPEC section 4, used as an oracle in tests.

No numpy, no cleverness: dicts, sorted() and loops, written from the SPEC text alone, so
that the compiled planner can be compared line by line on random inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    r = 6371.0088
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp = p2 - p1
    dl = math.radians(b[1]) - math.radians(a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@dataclass
class RefPlan:
    transfers: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    distances: list[float] = field(default_factory=list)
    orders: list[tuple[str, str, int, str]] = field(default_factory=list)


def reference_plan(
    positions: dict[str, tuple[float, float]],
    cluster: dict[str, str],
    surplus: dict[tuple[str, str], int],
    need: dict[tuple[str, str], int],
    *,
    max_distance_km: float | None = None,
    max_transfers: int | None = None,
    pack_size: int = 1,
    min_transfer_units: int = 1,
) -> RefPlan:
    """surplus/need keyed by (product, store); only keys present take part."""
    out = RefPlan()
    products = sorted({p for p, _ in surplus} | {p for p, _ in need})
    lines = 0

    def capped() -> bool:
        return max_transfers is not None and lines >= max_transfers

    for product in products:
        sur = {s: q for (p, s), q in surplus.items() if p == product and q > 0}
        nd = {s: q for (p, s), q in need.items() if p == product and q > 0}
        ended_capped: dict[str, bool] = {}

        def draw(
            product: str, dst: str, same: bool, sur: dict[str, int], nd: dict[str, int]
        ) -> None:
            nonlocal lines
            cands = [
                s
                for s in sur
                if (cluster[s] == cluster[dst]) == same
                and (
                    max_distance_km is None
                    or haversine(positions[dst], positions[s]) <= max_distance_km
                )
            ]
            cands.sort(key=lambda s: (haversine(positions[dst], positions[s]), s))
            for s in cands:
                if nd[dst] == 0:
                    break
                if capped():
                    break
                q = min(nd[dst], sur[s])
                q -= q % pack_size
                if q == 0 or q < min_transfer_units:
                    continue
                scope = "intra-cluster" if same else "cross-cluster"
                out.transfers.append((product, s, dst, q, scope))
                out.distances.append(haversine(positions[dst], positions[s]))
                lines += 1
                sur[s] -= q
                nd[dst] -= q

        for dst in sorted(nd, key=lambda s: (-nd[s], s)):
            draw(product, dst, True, sur, nd)
        for dst in sorted((s for s in nd if nd[s] > 0), key=lambda s: (-nd[s], s)):
            draw(product, dst, False, sur, nd)
            ended_capped[dst] = capped()
        for dst in sorted(nd):
            if nd[dst] > 0:
                reason = "transfer-cap" if ended_capped[dst] else "no-source"
                out.orders.append((product, dst, nd[dst], reason))
    return out


def reference_targets(
    cluster: dict[str, str],
    on_hand: dict[tuple[str, str], int],
    sales: list[tuple[str, str, str, float]] | None,
    *,
    target: str,
    forecast: str = "moving-average",
    window: int = 28,
    cover_days: int = 7,
    service_level: float | None = None,
) -> dict[tuple[str, str], float]:
    """SPEC section 3 in plain Python; keys (product, store)."""
    import datetime as dt
    from statistics import NormalDist, fmean, pstdev

    out: dict[tuple[str, str], float] = {}
    if target == "cluster-mean":
        size: dict[str, int] = {}
        for c in cluster.values():
            size[c] = size.get(c, 0) + 1
        for (p, s), q in on_hand.items():
            peers = [v for (pp, ss), v in on_hand.items() if pp == p and cluster[ss] == cluster[s]]
            out[(p, s)] = float(q) if size[cluster[s]] == 1 else sum(peers) / len(peers)
        return out
    assert sales
    days = sorted({dt.date.fromisoformat(d) for d, _, _, _ in sales})
    first, last = days[0], days[-1]
    n = (last - first).days + 1
    series: dict[tuple[str, str], list[float]] = {}
    for d, s, p, u in sales:
        series.setdefault((p, s), [0.0] * n)[(dt.date.fromisoformat(d) - first).days] += u
    z = 0.0 if service_level is None else NormalDist().inv_cdf(service_level)
    for key in on_hand:
        if key not in series:
            out[key] = 0.0
            continue
        y = series[key][-window:]
        w = len(y)
        if forecast == "moving-average":
            r = fmean(y)
        elif w == 1:
            r = max(y[0], 0.0)
        else:
            tm = (w - 1) / 2
            ym = fmean(y)
            b = sum((t - tm) * (v - ym) for t, v in enumerate(y)) / sum(
                (t - tm) ** 2 for t in range(w)
            )
            a = ym - b * tm
            r = max(fmean(a + b * t for t in range(w, w + cover_days)), 0.0)
        sigma = pstdev(y)
        out[key] = float(math.ceil(r * cover_days + z * sigma * math.sqrt(cover_days) - 1e-9))
    return out
