"""The successive-shortest-path transport flow (core/planning/transport.py) against an LP."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from stockshift.core.planning import transport
from stockshift.core.planning.optimal import exact_flow
from stockshift.core.planning.transport import NO_ARC, serve_smaller_side

Instance = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@st.composite
def instances(draw: Any) -> Instance:
    n_s, n_d = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    supply = np.array(draw(st.lists(st.integers(1, 6), min_size=n_s, max_size=n_s)))
    demand = np.array(draw(st.lists(st.integers(1, 6), min_size=n_d, max_size=n_d)))
    # few distinct costs make ties; a sparse mask makes sides that cannot be served
    cost = np.array(draw(st.lists(st.integers(0, 30), min_size=n_s * n_d, max_size=n_s * n_d)))
    density = draw(st.sampled_from([1.0, 1.0, 0.7, 0.3]))
    keep = draw(st.lists(st.floats(0, 1), min_size=n_s * n_d, max_size=n_s * n_d))
    allowed = np.array(keep) < density
    return (
        supply.astype(np.int64),
        demand.astype(np.int64),
        cost.reshape(n_s, n_d).astype(np.int64),
        allowed.reshape(n_s, n_d),
    )


def lp_optimum(supply, demand, cost, allowed):  # type: ignore[no-untyped-def]
    """Most packs, then least cost, over the allowed arcs: two transport LPs (HiGHS)."""
    arcs = np.argwhere(allowed)
    if len(arcs) == 0:
        return 0, 0
    n_s = len(supply)
    a_ub = np.zeros((n_s + len(demand), len(arcs)))
    a_ub[arcs[:, 0], np.arange(len(arcs))] = 1
    a_ub[n_s + arcs[:, 1], np.arange(len(arcs))] = 1
    b_ub = np.concatenate([supply, demand])
    first = linprog(-np.ones(len(arcs)), A_ub=a_ub, b_ub=b_ub, method="highs")
    packs = round(-first.fun)
    second = linprog(
        cost[arcs[:, 0], arcs[:, 1]], A_ub=a_ub, b_ub=b_ub,
        A_eq=np.ones((1, len(arcs))), b_eq=[packs], method="highs",
    )  # fmt: skip
    return packs, round(second.fun)


def check(supply, demand, cost, allowed, src, dst, packs):  # type: ignore[no-untyped-def]
    assert (packs > 0).all() and allowed[src, dst].all()
    assert (np.bincount(src, weights=packs, minlength=len(supply)) <= supply).all()
    assert (np.bincount(dst, weights=packs, minlength=len(demand)) <= demand).all()
    return int(packs.sum()), int((cost[src, dst] * packs).sum())


@settings(max_examples=400, deadline=None)
@given(instances())
def test_the_flow_is_the_lp_optimum(inst: Instance) -> None:
    supply, demand, cost, allowed = inst
    best = lp_optimum(supply, demand, cost, allowed)
    fast = serve_smaller_side(supply, demand, np.where(allowed, cost, NO_ARC))
    assert fast is not None
    assert check(supply, demand, cost, allowed, *fast) == best


def test_a_full_nearest_source_is_freed_along_a_far_arc() -> None:
    # Both destinations' nearest source is S0 (one pack). Destination 0 is served first and
    # takes it; destination 1 is served best by moving destination 0 to the far S1 (cost 2)
    # and taking S0 itself (1 + 2 = 3), not by its own far arc (100).
    supply, demand = np.array([1, 1]), np.array([1, 1])
    cost = np.array([[1, 1], [2, 100]])
    src, dst, packs = serve_smaller_side(supply, demand, cost)
    assert sorted(zip(src.tolist(), dst.tolist(), packs.tolist(), strict=True)) == [
        (0, 1, 1),
        (1, 0, 1),
    ]


def test_when_not_every_pack_can_move_the_cheapest_that_can_do() -> None:
    # 3 packs a side, but S0 and S1 reach only D0, so 2 move (D0's and D2's) and one source
    # keeps its pack: the cheapest two are S1 -> D0 and S2 -> D2. A pack no column can take
    # goes to the unserved column, dearer than any augmenting path, so most packs come first.
    supply, demand = np.array([1, 1, 1]), np.array([1, 1, 1])
    cost = np.array([[4, 0, 0], [2, 0, 0], [0, 3, 1]])
    allowed = np.array([[True, False, False], [True, False, False], [False, True, True]])
    src, dst, packs = serve_smaller_side(supply, demand, np.where(allowed, cost, NO_ARC))
    assert sorted(zip(src.tolist(), dst.tolist(), packs.tolist(), strict=True)) == [
        (1, 0, 1),
        (2, 2, 1),
    ]
    # a destination served first gives its source up to a later, nearer one: S0's one pack
    # reaches D0 (10) and D1 (1); destinations are the rows (3 packs a side) and D0 comes
    # first, so D1's path goes S0 -> D0 -> unserved (U - 9), cheaper than its own U
    cost = np.array([[10, 1, NO_ARC], [NO_ARC, NO_ARC, 5]])
    src, dst, packs = serve_smaller_side(np.array([1, 2]), np.array([1, 1, 1]), cost)
    assert sorted(zip(src.tolist(), dst.tolist(), packs.tolist(), strict=True)) == [
        (0, 1, 1),
        (1, 2, 1),
    ]


@settings(max_examples=100, deadline=None)
@given(instances())
def test_the_general_solver_is_the_lp_optimum(inst: Instance) -> None:
    # with no room for the unserved price the kernel declines and OR-Tools solves it
    supply, demand, cost, allowed = inst
    masked = np.where(allowed, cost, NO_ARC)
    with patch.object(transport, "MAX_UNSERVED", 0):
        assert serve_smaller_side(supply, demand, masked) is None or not allowed.any()
        flow = exact_flow(supply, demand, masked)
    got = check(supply, demand, cost, allowed, flow.source, flow.destination, flow.packs)
    assert got == lp_optimum(supply, demand, cost, allowed)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_no_store_on_a_side_moves_nothing(shape: tuple[int, int]) -> None:
    got = serve_smaller_side(
        np.ones(shape[0], dtype=np.int64),
        np.ones(shape[1], dtype=np.int64),
        np.zeros(shape, dtype=np.int64),
    )
    assert got is not None and all(len(a) == 0 for a in got)
