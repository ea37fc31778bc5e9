"""Beyond ``max_streams``: 503, Retry-After and a clear text; admitted again once streams end."""

from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp_sse_demo import Settings
from aiohttp_sse_demo.keys import REGISTRY
from aiohttp_sse_demo.stream import RETRY_AFTER_SECONDS
from tests.support.serving import in_process, wait_for
from tests.support.sockets import RawStream, closing_all, open_stream

LIMIT = 3
REQUESTS = 40


def header(stream: RawStream, name: str) -> str | None:
    """The value of header ``name`` in the stream's response head, if present."""
    for line in stream.head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


async def read_body(stream: RawStream) -> bytes:
    """The body of a response sent with Content-Length."""
    length = int(header(stream, "Content-Length") or 0)
    return await stream.reader.readexactly(length)


async def test_beyond_max_streams_is_503_then_admitted_again() -> None:
    """40 simultaneous requests with room for 3: 3 streams, 37 clear 503s; room again after."""
    settings = Settings(interval=30.0, max_streams=LIMIT)
    async with in_process(settings, handler_cancellation=False) as server:
        registry = server.app[REGISTRY]
        streams: list[RawStream] = []
        with closing_all(streams):
            async with asyncio.timeout(20):
                streams += await asyncio.gather(
                    *(open_stream(server.port) for _ in range(REQUESTS))
                )
            statuses = Counter(s.status for s in streams)
            rejected = [s for s in streams if s.status == 503]
            bodies = {await read_body(s) for s in rejected}
            print(
                f"\nadmission: max_streams={LIMIT}, {REQUESTS} requests at once -> "
                f"{dict(statuses)}; open streams {len(registry)}; 503 body {bodies!r}"
            )
            assert statuses == {200: LIMIT, 503: REQUESTS - LIMIT}
            assert len(registry) == LIMIT
            for stream in rejected:
                assert header(stream, "Retry-After") == str(RETRY_AFTER_SECONDS)
                assert (header(stream, "Content-Type") or "").startswith("text/plain")
            (body,) = bodies
            assert f"{LIMIT} streams are open".encode() in body

            admitted = [s for s in streams if s.status == 200]
            admitted[0].close(reset=True)
            admitted[1].close()
            assert await wait_for(lambda: len(registry) == LIMIT - 2, 5.0), len(registry)
            again = [await open_stream(server.port) for _ in range(3)]
            streams += again
            print(f"after 2 streams ended: {[s.status for s in again]}")
            assert [s.status for s in again] == [200, 200, 503]
            assert len(registry) == LIMIT


async def test_finished_streams_free_their_places() -> None:
    """Streams that run to their end release their places: a full server admits afresh."""
    settings = Settings(interval=0.05, max_streams=LIMIT)
    async with in_process(settings, handler_cancellation=False) as server:
        registry = server.app[REGISTRY]
        streams: list[RawStream] = []
        with closing_all(streams):
            for _round in range(3):
                batch = [await open_stream(server.port) for _ in range(LIMIT)]
                streams += batch
                assert [s.status for s in batch] == [200] * LIMIT
                streams.append(await open_stream(server.port))
                assert streams[-1].status == 503
                async with asyncio.timeout(5):
                    for stream in batch:
                        await stream.read_events(11)
                assert await wait_for(lambda: len(registry) == 0, 5.0)
