"""``GET /api/v1/events``: a server-sent events stream of plan and stock changes, and
``POST /api/v1/events/token``: the short-lived token a browser opens it with."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from stockshift.api import streamtoken
from stockshift.api.deps import SessionDep, StateDep, StreamKey, ViewerKey
from stockshift.api.events import stream
from stockshift.api.problems import responses
from stockshift.api.schemas import EventTokenPublic
from stockshift.db.keys import live_key

router = APIRouter(tags=["events"])


@router.get(
    "/events",
    operation_id="streamEvents",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "text/event-stream: `event: plan` (plan_id, status, progress, "
            "error) and `event: stock` (reason, store_ids, plan_id, transfer_id).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **responses(401),
    },
)
async def events(request: Request, state: StateDep, _key: StreamKey) -> StreamingResponse:
    """Events as they happen. Browsers' EventSource cannot send headers, so this route
    also takes ``?token=`` from ``POST /api/v1/events/token``; an API key in the URL
    (``?access_token=``) is refused with 401."""
    return StreamingResponse(
        stream(state.broker, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/events/token",
    operation_id="createEventToken",
    response_model=EventTokenPublic,
    responses=responses(401),
)
def event_token(session: SessionDep, state: StateDep, key: ViewerKey) -> EventTokenPublic:
    """A token that opens the event stream, and nothing else, for a few minutes
    (``STOCKSHIFT_EVENT_TOKEN_SECONDS``, 300 by default); it dies with the key."""
    row = live_key(session, key_id=key.key_id)
    if row is None:  # revoked since the check
        raise HTTPException(401, "unknown or revoked API key")
    ttl = state.settings.event_token_seconds
    expires = int(time.time()) + ttl
    token = streamtoken.issue(key_id=row.id, key_hash=row.key_hash, expires=expires)
    return EventTokenPublic(
        token=token, expires_at=datetime.fromtimestamp(expires, UTC), expires_in=ttl
    )
