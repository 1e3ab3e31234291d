"""``GET /api/v1/events``: a server-sent events stream of plan and stock changes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from stockshift.api.deps import StateDep, StreamKey
from stockshift.api.events import stream
from stockshift.api.problems import responses

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
    alone also takes the key as ``?access_token=``."""
    return StreamingResponse(
        stream(state.broker, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
