"""Where ``--engine dask`` runs: an existing scheduler, or a LocalCluster of its own."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from stockshift.core.errors import StockshiftError

ROWS_PER_TASK = 2_000_000
"""Inventory rows a task plans at once, by default (a worker holds a few times their size)."""
CONNECT_TIMEOUT = "10s"
"""How long Dask keeps retrying a scheduler given by address before it is called unreachable."""


class ClusterError(StockshiftError):
    """The Dask scheduler cannot be reached or the cluster cannot be started."""


@dataclass(frozen=True, slots=True)
class DaskOptions:
    """Where to run: an existing scheduler, or a LocalCluster of ``workers`` processes."""

    scheduler: str | None = None
    workers: int = 2
    memory_limit: str | None = None  # per worker, e.g. "6GB"; None: Dask's share of RAM
    rows_per_task: int = ROWS_PER_TASK


@contextmanager
def dask_client(options: DaskOptions) -> Iterator[Any]:
    """A client of the scheduler given, or of a LocalCluster that lives as long as it."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {options.scheduler}: {exc}; start one "
                "(dask-scheduler) or leave --scheduler and STOCKSHIFT_DASK_SCHEDULER unset"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=options.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=options.memory_limit or "auto",
            dashboard_address=":0",  # any free port: no warning when 8787 is taken
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client
