"""SPEC section 4 on hand-solved instances: each test pins one rule of the allocation order."""

from __future__ import annotations

from tests.factories import greedy, lines, orders

# Three stores on the equator; 0.01° of longitude is about 1.11 km.
ROW = {"A": (0.0, 0.0), "B": (0.0, 0.01), "C": (0.0, 0.02), "D": (0.0, 0.03)}


def run(positions, cluster, surplus, need, **params):  # type: ignore[no-untyped-def]
    alloc, ids, products, keys = greedy(positions, cluster, surplus, need, **params)
    return lines(alloc, ids, products), orders(alloc, products, keys), alloc


def test_nearest_source_first_and_multi_source() -> None:
    cl = dict.fromkeys(ROW, "x")
    got, wh, _ = run(ROW, cl, {("P", "B"): 3, ("P", "D"): 10}, {("P", "A"): 8, ("P", "C"): 0})
    assert got == [("P", "B", "A", 3, "intra-cluster"), ("P", "D", "A", 5, "intra-cluster")]
    assert wh == []


def test_deficits_in_descending_need_then_store_id_by_code_point() -> None:
    pos = {"S10": (0.0, 0.0), "S9": (0.0, 0.0), "S1": (0.0, 0.01)}
    cl = dict.fromkeys(pos, "x")
    # S10 and S9 need the same; "S10" < "S9" as strings, so S10 draws first.
    got, wh, _ = run(pos, cl, {("P", "S1"): 5}, {("P", "S10"): 4, ("P", "S9"): 4})
    assert got == [("P", "S1", "S10", 4, "intra-cluster"), ("P", "S1", "S9", 1, "intra-cluster")]
    assert wh == [("P", "S9", 3, "no-source")]


def test_equal_distance_sources_tie_by_store_id() -> None:
    pos = {"D": (0.0, 0.0), "S9": (0.0, 0.01), "S10": (0.0, -0.01), "S2": (0.0, 0.01)}
    cl = dict.fromkeys(pos, "x")
    got, _, _ = run(pos, cl, {("P", "S9"): 2, ("P", "S10"): 2, ("P", "S2"): 2}, {("P", "D"): 5})
    assert [g[1] for g in got] == ["S10", "S2", "S9"]


def test_stores_at_the_same_spot_are_distance_zero() -> None:
    pos = {"A": (45.0, 7.0), "B": (45.0, 7.0)}
    got, _, alloc = run(pos, {"A": "x", "B": "x"}, {("P", "B"): 9}, {("P", "A"): 4})
    assert got == [("P", "B", "A", 4, "intra-cluster")]
    assert alloc.distance_km[0] == 0.0


def test_phase_two_waits_for_every_phase_one_deficit() -> None:
    # A (cluster x) has a near cross-cluster source B; C in cluster y needs B's stock first.
    pos = {"A": (0.0, 0.0), "B": (0.0, 0.01), "C": (0.0, 0.5)}
    cl = {"A": "x", "B": "y", "C": "y"}
    got, wh, _ = run(pos, cl, {("P", "B"): 5}, {("P", "A"): 9, ("P", "C"): 4})
    assert got == [("P", "B", "C", 4, "intra-cluster"), ("P", "B", "A", 1, "cross-cluster")]
    assert wh == [("P", "A", 8, "no-source")]


def test_phase_two_orders_by_remaining_need() -> None:
    pos = {"A": (0.0, 0.0), "B": (0.0, 0.01), "X": (0.0, 0.3), "Y": (0.0, 0.3)}
    cl = {"A": "x", "B": "x", "X": "y", "Y": "y"}
    # A needs 2 and B needs 5, nothing in cluster x: B, the larger need, draws first.
    sur = {("P", "Y"): 3}
    nd = {("P", "A"): 2, ("P", "B"): 5}
    got, _, _ = run(pos, cl, sur, nd)
    assert got == [("P", "Y", "B", 3, "cross-cluster")]


def test_distance_limit_applies_to_both_phases_and_is_inclusive() -> None:
    pos = {"A": (0.0, 0.0), "B": (0.0, 1.0), "C": (0.0, 3.0)}
    cl = {"A": "x", "B": "x", "C": "y"}
    alloc0, *_ = greedy(pos, cl, {("P", "B"): 5}, {("P", "A"): 5})
    limit = float(alloc0.distance_km[0])
    got, wh, _ = run(
        pos, cl, {("P", "B"): 5, ("P", "C"): 5}, {("P", "A"): 8}, max_distance_km=limit
    )
    assert got == [("P", "B", "A", 5, "intra-cluster")]
    assert wh == [("P", "A", 3, "no-source")]


def test_pack_size_rounds_down_and_skips_small_sources() -> None:
    cl = dict.fromkeys(ROW, "x")
    sur = {("P", "B"): 5, ("P", "C"): 13}
    got, wh, _ = run(ROW, cl, sur, {("P", "A"): 14}, pack_size=6)
    # B's 5 is below one pack: skipped. C gives 12 (two packs); 2 left to the warehouse.
    assert got == [("P", "C", "A", 12, "intra-cluster")]
    assert wh == [("P", "A", 2, "no-source")]


def test_min_transfer_units_skips_a_source_but_not_the_next() -> None:
    cl = dict.fromkeys(ROW, "x")
    got, _, _ = run(ROW, cl, {("P", "B"): 2, ("P", "C"): 9}, {("P", "A"): 6}, min_transfer_units=3)
    assert got == [("P", "C", "A", 6, "intra-cluster")]


def test_cap_cuts_lines_in_product_order_with_reasons() -> None:
    cl = dict.fromkeys(ROW, "x")
    sur = {("P1", "B"): 1, ("P1", "C"): 1, ("P2", "B"): 5}
    nd = {("P1", "A"): 3, ("P2", "A"): 2}
    got, wh, alloc = run(ROW, cl, sur, nd, max_transfers=1)
    assert got == [("P1", "B", "A", 1, "intra-cluster")]
    assert wh == [("P1", "A", 2, "transfer-cap"), ("P2", "A", 2, "transfer-cap")]
    assert alloc.cap_reached


def test_cap_exactly_reached_by_the_last_line_is_not_off_by_one() -> None:
    cl = dict.fromkeys(ROW, "x")
    sur = {("P1", "B"): 5, ("P2", "B"): 5}
    nd = {("P1", "A"): 2, ("P1", "C"): 7, ("P2", "A"): 2}
    got, wh, _ = run(ROW, cl, sur, nd, max_transfers=2)
    # C (need 7) draws 5 from B, then A finds nothing left: ended before the cap was hit?
    # Lines: (P1 B->C 5). A had no source: no-source. P2: B->A 2 is line 2 == cap.
    assert got == [("P1", "B", "C", 5, "intra-cluster"), ("P2", "B", "A", 2, "intra-cluster")]
    assert wh == [("P1", "A", 2, "no-source"), ("P1", "C", 2, "no-source")]


def test_cap_zero_sends_everything_to_the_warehouse() -> None:
    cl = dict.fromkeys(ROW, "x")
    got, wh, _ = run(ROW, cl, {("P", "B"): 5}, {("P", "A"): 2}, max_transfers=0)
    assert got == []
    assert wh == [("P", "A", 2, "transfer-cap")]


def test_store_whose_allocation_ended_after_the_cap_gets_transfer_cap() -> None:
    cl = dict.fromkeys(ROW, "x")
    # A needs 9 and takes B's 5 (line 1 = cap); C needs 1 and would have had nothing anyway.
    got, wh, _ = run(ROW, cl, {("P", "B"): 5}, {("P", "A"): 9, ("P", "C"): 1}, max_transfers=1)
    assert got == [("P", "B", "A", 5, "intra-cluster")]
    assert wh == [("P", "A", 4, "transfer-cap"), ("P", "C", 1, "transfer-cap")]


def test_across_the_180th_meridian_is_near() -> None:
    pos = {"E": (0.0, 179.99), "W": (0.0, -179.99), "F": (0.0, 170.0)}
    cl = dict.fromkeys(pos, "x")
    got, _, alloc = run(pos, cl, {("P", "W"): 3, ("P", "F"): 3}, {("P", "E"): 3})
    assert got == [("P", "W", "E", 3, "intra-cluster")]
    assert 2.0 < alloc.distance_km[0] < 2.3


def test_empty_cluster_and_product_without_deficits() -> None:
    pos = {"A": (0.0, 0.0), "B": (0.0, 0.01)}
    got, wh, _ = run(pos, {"A": "x", "B": "y"}, {("P", "A"): 5}, {("P", "B"): 0})
    assert got == [] and wh == []
