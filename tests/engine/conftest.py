"""One real Dask cluster for every engine test: a LocalCluster of 2 worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture
def quick_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable scheduler is called so after 1 s, not 10: the tests that expect it
    check the message and the exit status, not how long Dask retried."""
    from stockshift.engine import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
