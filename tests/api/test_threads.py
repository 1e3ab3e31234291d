"""How a server process is set up for load: routes that do database work run on a bounded
number of threads (STOCKSHIFT_REQUEST_THREADS), and start-up objects are frozen out of the
garbage collector."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from fastapi.testclient import TestClient

from stockshift.api.app import create_app
from stockshift.config import Settings


def test_routes_run_on_the_set_number_of_threads(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, web_dist=tmp_path / "none", request_threads=3)
    with TestClient(create_app(settings)) as client:
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
    assert tokens == 3


def test_a_served_app_is_frozen_out_of_the_collector(database_url: str, tmp_path: Path) -> None:
    import gc

    from stockshift.api.app import served_app

    gc.unfreeze()
    try:
        served_app(Settings(database_url=database_url, web_dist=tmp_path / "none"))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # back in the collector's sight, collected with the test's garbage


def test_health_is_answered_on_the_event_loop() -> None:
    """The load benchmark's floor is HTTP and the event loop alone: no thread-pool hop
    (FastAPI runs a route on the loop only when it is a coroutine function)."""
    import inspect

    from stockshift.api.routes.meta import health

    assert inspect.iscoroutinefunction(health)
