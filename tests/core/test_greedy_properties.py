"""Invariants of SPEC sections 4 and 7 on random instances, and agreement with a plain oracle."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import greedy, lines, orders
from tests.reference import haversine, reference_plan

STORE_IDS = ["S1", "S10", "S2", "S9", "501", "0501", "A", "b"]
# Coordinates on a coarse grid so that equal distances and same-spot stores happen often;
# longitudes near ±180 so that the meridian is crossed.
COORDS = st.sampled_from(
    [
        (0.0, 0.0),
        (0.0, 0.05),
        (0.05, 0.0),
        (0.0, 179.98),
        (0.0, -179.98),
        (10.0, 10.0),
        (89.9, 0.0),
        (89.9, 180.0),
    ]
)


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(2, 7))
    stores = draw(st.lists(st.sampled_from(STORE_IDS), min_size=n, max_size=n, unique=True))
    positions = {s: draw(COORDS) for s in stores}
    cluster = {s: draw(st.sampled_from(["c0", "c1", "c2"])) for s in stores}
    products = draw(
        st.lists(st.sampled_from(["P1", "P10", "P2"]), min_size=1, max_size=3, unique=True)
    )
    surplus: dict[tuple[str, str], int] = {}
    need: dict[tuple[str, str], int] = {}
    for p in products:
        for s in stores:
            kind = draw(st.sampled_from(["surplus", "need", "none", "absent"]))
            if kind == "surplus":
                surplus[(p, s)] = draw(st.integers(1, 40))
            elif kind == "need":
                need[(p, s)] = draw(st.integers(1, 40))
            elif kind == "none":
                surplus[(p, s)] = 0
    params = {
        "pack_size": draw(st.sampled_from([1, 1, 2, 5])),
        "min_transfer_units": draw(st.sampled_from([1, 1, 3, 8])),
        "max_transfers": draw(st.sampled_from([None, None, 0, 1, 2, 5])),
        "max_distance_km": draw(st.sampled_from([None, None, 0.0, 6.0, 600.0])),
    }
    return positions, cluster, surplus, need, params


@settings(max_examples=300, deadline=None)
@given(instances())
def test_matches_the_plain_reference(inst) -> None:  # type: ignore[no-untyped-def]
    positions, cluster, surplus, need, params = inst
    alloc, ids, products, keys = greedy(positions, cluster, surplus, need, **params)
    ref = reference_plan(positions, cluster, surplus, need, **params)
    assert lines(alloc, ids, products) == ref.transfers
    assert [round(float(d), 6) for d in alloc.distance_km] == [round(d, 6) for d in ref.distances]
    assert orders(alloc, products, keys) == ref.orders


@settings(max_examples=300, deadline=None)
@given(instances())
def test_invariants(inst) -> None:  # type: ignore[no-untyped-def]
    positions, cluster, surplus, need, params = inst
    alloc, ids, products, keys = greedy(positions, cluster, surplus, need, **params)
    got = lines(alloc, ids, products)
    given_out: dict[tuple[str, str], int] = defaultdict(int)
    received: dict[tuple[str, str], int] = defaultdict(int)
    for p, f, t, q, _ in got:
        assert q > 0 and q % params["pack_size"] == 0 and q >= params["min_transfer_units"]
        given_out[(p, f)] += q
        received[(p, t)] += q
    for k, q in given_out.items():
        assert q <= surplus.get(k, 0), "a source gave more than its surplus"
    for k, q in received.items():
        assert q <= need.get(k, 0), "a destination got more than its need"
    if params["max_transfers"] is not None:
        assert len(got) <= params["max_transfers"]
    # every unit of need ends transferred or in a warehouse order
    wh = {(p, s): q for p, s, q, _ in orders(alloc, products, keys)}
    for k, q in need.items():
        assert received[k] + wh.get(k, 0) == q
    # a cross-cluster line never exists while the destination's own cluster still had
    # reachable surplus it could have taken (surplus only shrinks, so the final one bounds it)
    left = {k: q - given_out[k] for k, q in surplus.items()}
    got_so_far: dict[tuple[str, str], int] = defaultdict(int)
    limit = params["max_distance_km"]
    pack, minu = params["pack_size"], params["min_transfer_units"]
    for p, _f, t, q, scope in got:
        if scope == "cross-cluster":
            still_needed = need[(p, t)] - got_so_far[(p, t)]
            for (pp, s), rest in left.items():
                if pp != p or cluster[s] != cluster[t]:
                    continue
                if limit is not None and haversine(positions[s], positions[t]) > limit:
                    continue
                usable = min(still_needed, rest)
                usable -= usable % pack
                assert usable == 0 or usable < minu, f"{s} could still have supplied {t}"
        got_so_far[(p, t)] += q
    seen_cross = {p: False for p in products}
    for p, _f, _t, _q, scope in got:
        if scope == "cross-cluster":
            seen_cross[p] = True
        else:
            assert not seen_cross[p], "an intra-cluster line after a cross-cluster one"
