"""Dependencies shared by the routers: the app's state, DB sessions and the caller's key."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from stockshift.api.keycache import KeyCache, vouched
from stockshift.api.streamtoken import claimed_key, valid
from stockshift.config import Settings
from stockshift.db.keys import Role, authenticate, live_key, role_allows

if TYPE_CHECKING:
    from stockshift.api.backtester import Backtester
    from stockshift.api.events import Broker
    from stockshift.api.plancache import PlanCache
    from stockshift.api.planner import Planner
    from stockshift.api.readcache import ReadCache


@dataclass
class AppState:
    """What the app factory builds once: settings, engine, sessions and the helpers."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    broker: Broker
    planner: Planner
    plans: PlanCache
    backtester: Backtester
    keys: KeyCache[KeyInfo]
    reads: ReadCache


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key_id: int
    name: str
    role: Role


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.stockshift
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer ssk_...`")
query_token = APIKeyQuery(
    name="token",
    auto_error=False,
    description="A short-lived event token from POST /api/v1/events/token, for EventSource "
    "(GET /api/v1/events only; API keys are never accepted in the URL).",
)

CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="stockshift"'})


def _lookup(state: AppState, secret: str | None) -> KeyInfo:
    """The live key of ``secret``, from the key cache or the database; 401 if none."""
    if not secret:
        raise _unauthorized(
            "missing API key: send 'Authorization: Bearer <key>' "
            "(make one with: stockshift keys create --role viewer)"
        )
    known = vouched(state.keys, secret)
    if known is not None:
        return known
    with state.sessions() as session:
        row = authenticate(session, secret=secret)
    if row is None:
        raise _unauthorized("unknown or revoked API key")
    info = KeyInfo(key_id=row.id, name=row.name, role=row.role)  # type: ignore[arg-type]
    state.keys.put(row.key_hash, info)
    return info


def _allowed(info: KeyInfo, need: Role) -> KeyInfo:
    if not role_allows(info.role, need):
        raise HTTPException(403, f"this needs the {need} role; the key's role is {info.role}")
    return info


def _check(state: AppState, secret: str | None, need: Role) -> KeyInfo:
    return _allowed(_lookup(state, secret), need)


def check_key(state: AppState, secret: str | None) -> KeyInfo:
    """The live key of ``secret``; 401 when it is missing, unknown or revoked."""
    return _check(state, secret, "viewer")


def require(need: Role) -> Callable[..., Awaitable[KeyInfo]]:
    """A dependency that admits keys of role ``need`` or higher. A key checked in the last
    ``STOCKSHIFT_KEY_CACHE_SECONDS`` is admitted on the event loop; only others cost a
    query, on the thread pool."""

    async def dependency(state: StateDep, credentials: CredentialsDep) -> KeyInfo:
        secret = credentials.credentials if credentials else None
        known = vouched(state.keys, secret) if secret else None
        if known is None:
            known = await run_in_threadpool(_lookup, state, secret)
        return _allowed(known, need)

    return dependency


def _check_stream_token(state: AppState, token: str) -> KeyInfo:
    claim = claimed_key(token)
    with state.sessions() as session:
        row = live_key(session, key_id=claim[0]) if claim else None
    ttl = state.settings.event_token_seconds
    if row is None or not valid(token, key_hash=row.key_hash, now=time.time(), max_ttl=ttl):
        raise _unauthorized(
            "unknown, expired or revoked event token; get a new one with POST /api/v1/events/token"
        )
    return KeyInfo(key_id=row.id, name=row.name, role=row.role)  # type: ignore[arg-type]


def require_stream(need: Role) -> Callable[..., KeyInfo]:
    """Like :func:`require`, but also takes an event token as ``?token=`` (EventSource sends
    no headers). An API key in the URL (``?access_token=``) is refused: URLs end up in logs."""

    def dependency(
        request: Request,
        state: StateDep,
        credentials: CredentialsDep,
        token: Annotated[str | None, Depends(query_token)],
    ) -> KeyInfo:
        if "access_token" in request.query_params:
            raise _unauthorized(
                "API keys are not accepted in the URL (they end up in logs); get a "
                "short-lived token with POST /api/v1/events/token and pass it as ?token="
            )
        if credentials is None and token:
            return _check_stream_token(state, token)
        return _check(state, credentials.credentials if credentials else None, need)

    return dependency


ViewerKey = Annotated[KeyInfo, Depends(require("viewer"))]
PlannerKey = Annotated[KeyInfo, Depends(require("planner"))]
AdminKey = Annotated[KeyInfo, Depends(require("admin"))]
StreamKey = Annotated[KeyInfo, Depends(require_stream("viewer"))]
