"""``stockshift backtest --engine dask``: the single-process backtest, replayed on a cluster.

A replay (SPEC section 10) touches one product's rows at a time, except where
``--max-transfers`` caps a review's lines over every product (section 4.4); the clusters
come from the stores alone and are computed once. So the client reads the stores, checks
the settings against the sales' first and last day, clusters the stores and computes their
distances once (:func:`~stockshift.core.backtest.network.prepare_setup`); each task reads a
run of products with their whole sales history, kept on the cluster for every policy. With
``--forecast auto`` the runs send their training rows and the client fits the learned
model of every review from all of them (:mod:`~stockshift.core.backtest.learned`), the
model one process fits. Then the setup is broadcast.

Without a cap, one task replays one policy over one run from the first day to the last.
With it, a policy's runs meet on every review day: each plans without the cap and reports
its line count, the client places the cap as ``plan --engine dask`` does
(:func:`~stockshift.core.pipeline.cap_split`: the run it falls in plans again with it, the
runs after make no line), and the runs apply their lines and go on to the next review.
The runs' figures are exact (:class:`~stockshift.core.backtest.tally.Tally`), so their sum
is the single process's figures to the last bit.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from stockshift.core.backtest import (
    BacktestResult,
    BacktestSettings,
    Lines,
    Network,
    Review,
    Setup,
    available_policies,
    resolve_policies,
)
from stockshift.core.backtest.learned import fit_model, training
from stockshift.core.backtest.network import prepare_setup, setup_cuts
from stockshift.core.backtest.replay import (
    Replay,
    close_day,
    is_review,
    open_day,
    replay,
    review_at,
    settle,
    start,
)
from stockshift.core.backtest.results import backtest_result
from stockshift.core.backtest.tally import Tally
from stockshift.core.forecast.learned import TrainingRows
from stockshift.core.pipeline import cap_split
from stockshift.core.types import POLICIES, Dataset, PlanParameters
from stockshift.engine.cluster import ROWS_PER_TASK
from stockshift.engine.inputs import Source, read_run, read_stores_file, scan_inputs
from stockshift.engine.runs import Run

Progress = Callable[[str, int, int], None]  # (policy, steps done, steps)

Loaded = tuple[Dataset, tuple[str, ...]]
"""A run's products read on a worker: (its dataset, its warnings)."""


def load_run(source: Source, run: Run) -> Loaded:
    """On a worker: a run's inventory and every day of its sales."""
    return read_run(source, run, None)


def _shape(loaded: Loaded) -> tuple[np.ndarray[Any, Any], int, int, tuple[str, ...]]:
    """A run's stores with stock rows, products, rows and warnings."""
    inv = loaded[0].inventory
    return np.unique(inv.store), len(np.unique(inv.product)), len(inv), loaded[1]


def _training(loaded: Loaded, cuts: list[int], horizon: int) -> TrainingRows | None:
    """On a worker: a run's training rows for the learned model's fits."""
    return training(loaded[0], cuts, horizon)


def replay_run(setup: Setup, loaded: Loaded, name: str) -> Tally:
    """On a worker: one policy over one run, every day (no cap joins the runs)."""
    return replay(Network.of(setup, loaded[0]), name, available_policies()[name])


@dataclass(frozen=True, slots=True)
class Pending:
    """A run on a review day: its state once the day's arrivals are in, what the policy
    sees, and the lines it is to apply."""

    state: Replay
    review: Review
    lines: Lines


def to_review(setup: Setup, loaded: Loaded, state: Replay | None, name: str) -> Pending:
    """On a worker: the days up to the next review, then its lines without the cap."""
    network = Network.of(setup, loaded[0])
    now = start(network) if state is None else state.copy()
    while not is_review(network, now.day):
        open_day(now)
        close_day(network, now)
    open_day(now)
    review = replace(review_at(network, now), max_transfers=None)
    return Pending(now, review, available_policies()[name](review, network))


def _line_count(pending: Pending) -> int:
    return len(pending.lines.quantity)


def replan(
    setup: Setup, loaded: Loaded, pending: Pending, name: str, cap: int, before: int
) -> Pending:
    """On a worker: the run the cap falls in plans again with it, after ``before`` lines."""
    network = Network.of(setup, loaded[0])
    review = replace(pending.review, max_transfers=cap, lines_before=before)
    return Pending(pending.state, review, available_policies()[name](review, network))


def _no_lines(pending: Pending) -> Pending:
    """A run after the one the cap falls in: it makes no line."""
    return replace(pending, lines=Lines.empty())


def settle_run(setup: Setup, loaded: Loaded, pending: Pending) -> Replay:
    """On a worker: the review's lines and warehouse orders applied, the day's sales served."""
    network = Network.of(setup, loaded[0])
    now = pending.state.copy()
    settle(network, now, pending.review, pending.lines)
    close_day(network, now)
    return now


def finish_run(setup: Setup, loaded: Loaded, state: Replay) -> Tally:
    """On a worker: the days after the last review."""
    network = Network.of(setup, loaded[0])
    now = state.copy()
    while now.day < setup.settings.days:
        assert not is_review(network, now.day)
        open_day(now)
        close_day(network, now)
    return now.tally()


def backtest_on_dask(
    client: Any,
    *,
    stores: str,
    inventory: str,
    sales: str | None,
    params: PlanParameters,
    settings: BacktestSettings,
    rows_per_task: int = ROWS_PER_TASK,
    progress: Progress | None = None,
) -> tuple[BacktestResult, tuple[str, ...]]:
    """What ``run_backtest`` gives for the same inputs, replayed on ``client``'s cluster;
    and the inputs' warnings. ``stores`` is read here, ``inventory`` and ``sales`` (files,
    folders of Parquet parts or URLs every worker can read) on the workers. ``progress``
    counts runs of products replayed (no cap) or review days (with the cap)."""
    names = list(resolve_policies(settings.policies))
    params = replace(params, target="forecast")
    warnings: list[str] = []
    st, dropped = read_stores_file(stores, warnings)
    scan = None
    if sales is not None:
        scan = scan_inputs(
            client, st, dropped, inventory=inventory, sales=sales, rows_per_task=rows_per_task
        )
    days = None if scan is None else scan.source.sales_days
    first = None if days is None else np.datetime64(days[0], "D")
    last = None if days is None else np.datetime64(days[1], "D")
    setup = prepare_setup(st, params, settings, sales_first_day=first, sales_last_day=last)
    assert scan is not None and first is not None  # prepare_setup refuses it without sales
    [source] = client.scatter([scan.source], broadcast=True)
    loaded = [client.submit(load_run, source, run, pure=False) for run in scan.runs]
    shapes = client.gather([client.submit(_shape, f, pure=False) for f in loaded])
    cuts, h = setup_cuts(setup, first), setup.params.cover_days
    if cuts:  # --forecast auto's learned model, fitted here on every run's training rows
        parts = client.gather([client.submit(_training, f, cuts, h, pure=False) for f in loaded])
        setup = replace(setup, learned=fit_model(parts, cuts, h))
    [on_workers] = client.scatter([setup], broadcast=True)
    say = progress or (lambda _policy, _done, _total: None)
    if params.max_transfers is None:
        tallies = _replay_runs(client, on_workers, loaded, names, say)
    else:
        tallies = _replay_capped(client, (setup, on_workers), loaded, names, say)
    for f in loaded:
        f.release()
    result = backtest_result(
        setup,
        {name: functools.reduce(operator.add, tallies[name]) for name in names},
        stores=len(np.unique(np.concatenate([s[0] for s in shapes]))),
        products=sum(s[1] for s in shapes),
        rows=sum(s[2] for s in shapes),
    )
    return result, (*warnings, *(w for s in shapes for w in s[3]), *scan.sales_warnings)


def _replay_runs(
    client: Any, setup: Any, loaded: Sequence[Any], names: Sequence[str], say: Progress
) -> dict[str, list[Tally]]:
    """Every policy over every run, a task each; the runs' tallies in product order."""
    from distributed import as_completed

    futures = {
        n: [client.submit(replay_run, setup, f, n, pure=False) for f in loaded] for n in names
    }
    policy_of = {f.key: n for n, fs in futures.items() for f in fs}
    done = dict.fromkeys(names, 0)
    for future in as_completed(  # type: ignore[no-untyped-call]
        [f for fs in futures.values() for f in fs]
    ):
        name = policy_of[future.key]
        done[name] += 1
        say(name, done[name], len(loaded))
    return {n: client.gather(fs) for n, fs in futures.items()}


def _replay_capped(
    client: Any,
    setups: tuple[Setup, Any],
    loaded: Sequence[Any],
    names: Sequence[str],
    say: Progress,
) -> dict[str, list[Tally]]:
    """Every policy over every run, review by review, the cap placed across the runs.
    ``setups``: the setup here, and on the workers."""
    plain, setup = setups
    every, days = plain.settings.review_days, plain.settings.days
    states: dict[str, list[Any]] = {n: [None] * len(loaded) for n in names}
    for day in range(0, days, every):
        pending = {
            n: [
                client.submit(to_review, setup, f, s, n, pure=False)
                for f, s in zip(loaded, states[n], strict=True)
            ]
            for n in names
        }
        counts = client.gather(
            {
                n: [client.submit(_line_count, p, pure=False) for p in ps]
                for n, ps in pending.items()
            }
        )
        for name in names:
            # warehouse makes no line; the others place the cap as their planner does
            kind = next((p for p in POLICIES if p == name), None)
            split = None
            if kind is not None:
                split = cap_split(counts[name], replace(plain.params, policy=kind))
            if split is not None:
                at, before = split
                ps, cap = pending[name], plain.params.max_transfers
                ps[at] = client.submit(
                    replan, setup, loaded[at], ps[at], name, cap, before, pure=False
                )
                ps[at + 1 :] = [client.submit(_no_lines, p, pure=False) for p in ps[at + 1 :]]
            states[name] = [
                client.submit(settle_run, setup, f, p, pure=False)
                for f, p in zip(loaded, pending[name], strict=True)
            ]
            say(name, day, days)
    tallies = {
        n: [
            client.submit(finish_run, setup, f, s, pure=False)
            for f, s in zip(loaded, states[n], strict=True)
        ]
        for n in names
    }
    out = {n: client.gather(fs) for n, fs in tallies.items()}
    for name in names:
        say(name, days, days)
    return out
