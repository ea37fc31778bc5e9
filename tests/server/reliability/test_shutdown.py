"""SIGTERM with 1,000 open streams: the server exits quickly and cleanly, every stream ends."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from tests.support.serving import start_demo
from tests.support.sockets import RawStream, closing_all, open_stream, raise_fd_limit

STREAMS = 1000
CONCURRENCY = 200
EXIT_WITHIN = 2.0
"""The requirement: seconds from SIGTERM to the process having exited."""


async def open_many(port: int, count: int) -> list[RawStream]:
    """Open ``count`` streams, each having read its first events (the server is mid-run)."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one() -> RawStream:
        async with gate:
            stream = await open_stream(port)
            await stream.read_events(2)
            return stream

    return list(await asyncio.gather(*(one() for _ in range(count))))


@pytest.mark.slow
async def test_sigterm_with_1000_streams(tmp_path: Path) -> None:
    """Exit status 0 within 2 s of SIGTERM, and each client sees its chunked body end."""
    raise_fd_limit(2 * STREAMS + 512)
    async with start_demo(tmp_path / "server.log", "--interval", "30") as server:
        streams: list[RawStream] = []
        with closing_all(streams):
            async with asyncio.timeout(60):
                streams += await open_many(server.port, STREAMS)
            assert all(s.status == 200 and len(s.events) == 2 for s in streams)
            start = time.monotonic()
            server.signal(signal.SIGTERM)
            status = await server.wait_exit(10.0)
            seconds = time.monotonic() - start
            async with asyncio.timeout(10):
                ended = await asyncio.gather(*(s.read_to_end() for s in streams))
        print(
            f"\nshutdown: {STREAMS} open streams, SIGTERM -> exit {status} in {seconds:.2f} s; "
            f"{sum(ended)} of {STREAMS} bodies ended cleanly"
        )
        assert status == 0, server.log_text()
        assert seconds < EXIT_WITHIN
        assert all(ended)
        assert "Traceback" not in server.log_text()
