"""The event stream: what the broker publishes reaches every open stream, in order."""

from __future__ import annotations

import asyncio
import threading

from stockshift.api.events import Broker, stream


def test_events_reach_every_subscriber_from_any_thread() -> None:
    async def scenario() -> list[list[str]]:
        broker = Broker()
        done = asyncio.Event()

        async def disconnected() -> bool:
            return done.is_set()

        async def read(n: int) -> list[str]:
            out = []
            async for chunk in stream(broker, disconnected, heartbeat_s=0.05):
                if chunk.startswith("event:"):
                    out.append(chunk)
                if len(out) == n:
                    break
            return out

        readers = [asyncio.create_task(read(2)) for _ in range(2)]
        while broker.subscribers < 2:
            await asyncio.sleep(0.01)
        worker = threading.Thread(
            target=lambda: (
                broker.publish("plan", plan_id=1, status="completed"),
                broker.publish("stock", reason="dispatch", plan_id=1),
            )
        )
        worker.start()
        worker.join()
        results = await asyncio.gather(*readers)
        done.set()
        return results

    results = asyncio.run(scenario())
    for chunks in results:
        assert chunks[0] == 'event: plan\ndata: {"plan_id": 1, "status": "completed"}\n\n'
        assert chunks[1].startswith("event: stock\n")


def test_stream_ends_when_the_client_leaves() -> None:
    async def scenario() -> int:
        broker = Broker()

        async def disconnected() -> bool:
            return True

        chunks = [c async for c in stream(broker, disconnected, heartbeat_s=0.05)]
        assert chunks[0].startswith("retry:")
        return broker.subscribers

    assert asyncio.run(scenario()) == 0
