"""A stream's work stops soon after its client leaves; shutdown ends every open stream at once."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.keys import REGISTRY
from contract import EventParser
from tests.conftest import Launch
from tests.support.serving import wait_until

LONG = 30.0
"""A work interval no test waits for: streams stay open until something ends them."""


async def open_streams(
    session: aiohttp.ClientSession, url: str, count: int
) -> list[aiohttp.ClientResponse]:
    """Open ``count`` streams and read each until its first two events arrived."""
    responses = []
    for _ in range(count):
        resp = await session.get(url)
        parser = EventParser()
        seen = 0
        while seen < 2:
            seen += len(parser.feed(await resp.content.readany()))
        responses.append(resp)
    return responses


async def drop_clients_and_time_cleanup(app: web.Application, url: str) -> float:
    """Open 5 streams, close their sockets, return the seconds until the server holds none."""
    registry = app[REGISTRY]
    async with aiohttp.ClientSession() as session:
        responses = await open_streams(session, url + "/stream", 5)
        assert len(registry) == 5
        for resp in responses:
            resp.close()  # drops the connection
        return await wait_until(lambda: len(registry) == 0, limit=3.0)


async def test_disconnect_stops_work_under_run_app_settings(launch: Launch) -> None:
    # AppRunner defaults, as web.run_app uses them: no handler cancellation.
    running = await launch(create_app(Settings(interval=LONG, reap_interval=0.1)))
    took = await drop_clients_and_time_cleanup(running.app, running.url)
    print(f"work stopped {took * 1000:.0f} ms after the clients left (run_app settings)")
    assert took < 1.0


async def test_disconnect_stops_work_under_the_test_server() -> None:
    # The test server cancels handlers itself; the reaper must not get in its way.
    app = create_app(Settings(interval=LONG, reap_interval=60))
    async with TestServer(app, host="127.0.0.1", port=0) as server:
        url = str(server.make_url("")).rstrip("/")
        took = await drop_clients_and_time_cleanup(app, url)
    print(f"work stopped {took * 1000:.0f} ms after the clients left (handler cancellation)")
    assert took < 1.0


async def test_shutdown_ends_open_streams_cleanly(launch: Launch) -> None:
    running = await launch(create_app(Settings(interval=LONG)))
    async with aiohttp.ClientSession() as session:
        responses = await open_streams(session, running.url + "/stream", 20)
        start = time.monotonic()
        await running.runner.cleanup()
        took = time.monotonic() - start
        # Every client sees its body end properly (chunked terminator), not a reset.
        for resp in responses:
            await asyncio.wait_for(resp.content.read(), timeout=2)
            assert resp.content.at_eof()
    print(f"shutdown with 20 open streams took {took * 1000:.0f} ms")
    assert took < 2.0
    assert len(running.app[REGISTRY]) == 0
