"""The app factory: settings in, a FastAPI app out; the engine is made here, not at import."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.staticfiles import StaticFiles

from stockshift.api import logredact, problems
from stockshift.api.app_info import package_version
from stockshift.api.backtester import Backtester
from stockshift.api.deps import AppState, check_key
from stockshift.api.events import Broker, Relay
from stockshift.api.keycache import KeyCache
from stockshift.api.keyfirst import KeyBeforeBody
from stockshift.api.limits import BodyLimit
from stockshift.api.methods import MethodsMiddleware, allowed_methods
from stockshift.api.plancache import PlanCache
from stockshift.api.planner import Planner
from stockshift.api.readcache import CachedReads, ReadCache
from stockshift.api.routes import ROUTERS
from stockshift.api.timing import ServerTiming
from stockshift.api.uploads import clean_stale, upload_root
from stockshift.config import Settings
from stockshift.db.backtests import fail_interrupted_backtests
from stockshift.db.engine import make_engine, session_factory
from stockshift.db.plans import fail_interrupted

API_PREFIX = "/api/v1"


DESCRIPTION = """
Inventory redistribution for retail chains: import stores, stock and sales, plan
store-to-store transfers, execute them and receive them. Every path but `/api/v1/health`
needs `Authorization: Bearer <key>` (`stockshift keys create --role viewer|planner|admin`).
Errors are RFC 9457 problem details. See docs/api.md.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service for ``settings`` (default: from the environment)."""
    settings = settings or Settings()
    logredact.install()
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    broker = Broker()
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        broker=broker,
        planner=Planner(
            sessions,
            broker,
            settings.plan_workers,
            settings.plan_queue,
            mode=settings.plan_mode,
            database_url=settings.database_url,
        ),
        plans=PlanCache(),
        backtester=Backtester(sessions, broker),
        keys=KeyCache(settings.key_cache_seconds),
        reads=ReadCache(int(settings.read_cache_mib * 1024 * 1024)),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Few threads for sync routes: with anyio's default 40, fifty clients' pages kept
        # forty threads fighting the event loop for the interpreter lock (docs/api.md).
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        if settings.workers == 1:  # with several, serve did this once before they started
            recover(settings, sessions)
        relay = Relay(broker, sessions) if settings.workers > 1 else None
        if relay is not None:  # events cross to the other server processes
            relay.start()
        yield
        if relay is not None:
            relay.stop()
        state.planner.shutdown()
        state.backtester.shutdown()
        engine.dispose()

    app = FastAPI(
        title="stockshift",
        version=package_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.stockshift = state
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.add_middleware(
        BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(KeyBeforeBody)
    app.add_middleware(MethodsMiddleware, routes_of=app)
    # JSON answers of a KiB or more are gzipped for clients that accept it; the plan
    # document comes compressed already (plancache.py) and event streams are left alone.
    # Level 1: a 100-line page (18 KB) in 0.2 ms to 2.1 KB, where starlette's default 9
    # took 0.9 ms for 1.7 KB, on every page of every client.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    # Outside gzip, so a kept answer is sent as the app sent it, compressed or not.
    app.add_middleware(
        CachedReads,
        reads=state.reads,
        keys=state.keys,
        check=partial(check_key, state),
        engine=engine,
    )
    app.add_middleware(ServerTiming)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    _mount_dashboard(app, settings.web_dist)
    return app


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app of a ``stockshift serve`` process: :func:`create_app`, then everything made so
    far (modules, the app: some 300,000 objects) moved out of the garbage collector's sight.
    It lives as long as the process, and a full collection then scans only what requests
    leave behind: it stopped the event loop for 13 ms instead of 614 in a test under load."""
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app


def recover(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """At start-up: plans and backtests left running by a server that died are failed, and
    its unfinished uploads removed. Only the first of several server processes may do this
    (a later one would fail the plans the others are computing)."""
    with sessions() as session:
        fail_interrupted(session)
        fail_interrupted_backtests(session)
    clean_stale(upload_root(settings.upload_dir))


def _mount_dashboard(app: FastAPI, folder: Path) -> None:
    """Serve the built dashboard at ``/``; unknown non-API paths get index.html (SPA routes)."""
    index = folder / "index.html"
    if not index.is_file():
        return
    assets = folder / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    root = folder.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(path: str, request: Request) -> FileResponse:
        if path.startswith(("api/", "openapi.json", "docs")):
            from fastapi import HTTPException

            if allowed_methods(app, request.scope):
                raise HTTPException(405)
            raise HTTPException(404, f"no such path: /{path}")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(index)
