"""The demo page in headless Chromium: a full run, resume, 204, a busy server, hostile data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import expect

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.keys import REGISTRY
from aiohttp_sse_demo.tasks import script
from contract import Event, EventParser
from tests.conftest import Launch
from tests.support.browser import (
    RETRY_MS,
    DemoPage,
    StreamLog,
    chromium,
    new_context,
    open_event_stream,
    page_app,
    resuming_proxy,
    send_events,
)
from tests.support.serving import wait_until

pytestmark = pytest.mark.browser

INTERVAL = 0.05
FULL_LOG = [(str(s.id), s.type, s.data) for s in script()]
"""The log after a whole run: every event once, in order."""


@pytest.fixture
async def demo_page() -> AsyncIterator[DemoPage]:
    """A fresh headless Chromium with one 1000x800 tab; a missing browser fails the test."""
    async with chromium() as browser:
        yield DemoPage(await (await new_context(browser)).new_page())


async def test_full_run(launch: Launch, demo_page: DemoPage) -> None:
    streams = StreamLog()
    demo = await launch(streams.watch(create_app(Settings(interval=INTERVAL))))

    await demo_page.open(demo.url)
    await demo_page.start()
    await demo_page.wait_state("done")

    assert await demo_page.status.text_content() == "done: api completed"
    assert await demo_page.stages() == {"function1": "ended", "function2": "ended"}
    assert await demo_page.log() == FULL_LOG
    assert len(streams.requests) == 1, streams.requests
    assert await demo_page.ready_state() == 2
    assert await demo_page.status_history() == ["connecting", "streaming", "done"]
    await expect(demo_page.page.locator("#start")).to_have_text("Start again")
    await demo_page.screenshot("full-run")

    await demo_page.start()
    await demo_page.wait_state("done")
    assert await demo_page.log() == FULL_LOG, "a second run starts from an empty log"
    assert len(streams.requests) == 2
    demo_page.assert_no_errors()


async def test_resume_after_a_dropped_connection(launch: Launch, demo_page: DemoPage) -> None:
    upstream_log = StreamLog()
    upstream = await launch(upstream_log.watch(create_app(Settings(interval=INTERVAL))))
    proxy_log = StreamLog()

    async def page_has_event_4() -> None:
        await expect(demo_page.page.locator("#log tbody tr")).to_have_count(5)

    relay = resuming_proxy(upstream.url + "/stream", drop_after="4", before_drop=page_has_event_4)
    proxy = await launch(proxy_log.watch(page_app(relay)))

    await demo_page.open(proxy.url)
    await demo_page.start()
    await demo_page.wait_state("done")

    assert await demo_page.log() == FULL_LOG, "every event exactly once, no gap"
    assert [h.get("last-event-id") for h in proxy_log.requests] == [None, "4"]
    assert [h.get("last-event-id") for h in upstream_log.requests] == [None, "4"]
    assert "reconnecting" in await demo_page.status_history()
    assert await demo_page.ready_state() == 2
    await demo_page.screenshot("resume")
    demo_page.assert_no_errors(stream_failures=1)  # the dropped connection


async def test_204_stops_reconnecting(launch: Launch, demo_page: DemoPage) -> None:
    first_task = [Event(s.type, s.data, str(s.id)) for s in script()[:5]]

    async def stream(request: web.Request) -> web.StreamResponse:
        if "Last-Event-ID" in request.headers:
            return web.Response(status=204)
        resp = await open_event_stream(request)
        await send_events(resp, first_task)
        return resp  # ends the response without `close`: the browser comes back

    async def check(request: web.Request) -> web.Response:
        return web.json_response({"status": 204 if "Last-Event-ID" in request.headers else 200})

    streams = StreamLog()
    server = await launch(streams.watch(page_app(stream, check)))

    await demo_page.open(server.url)
    await demo_page.start()
    await demo_page.wait_state("ended")
    await asyncio.sleep(3 * RETRY_MS / 1000)  # time for a reconnect that must not come

    assert [h.get("last-event-id") for h in streams.requests] == [None, "4"]
    assert [h.get("last-event-id") for h in streams.checks] == ["4"]
    assert await demo_page.ready_state() == 2
    assert await demo_page.status.text_content() == "ended: the server has no more events"
    assert await demo_page.log() == FULL_LOG[:5]
    assert await demo_page.stages() == {"function1": "ended", "function2": "waiting"}
    await expect(demo_page.page.locator("#start")).to_be_enabled()
    await demo_page.screenshot("ended-by-204")
    demo_page.assert_no_errors()


async def test_busy_server(launch: Launch, demo_page: DemoPage) -> None:
    streams = StreamLog()
    demo = await launch(streams.watch(create_app(Settings(interval=0.5, max_streams=1))))
    await demo_page.open(demo.url)

    async with aiohttp.ClientSession() as session:
        held = await session.get(demo.url + "/stream")
        assert held.status == 200
        assert EventParser().feed(await held.content.readuntil(b"\r\n\r\n"))
        await demo_page.start()
        await demo_page.wait_state("busy")
        assert await demo_page.status.text_content() == "server busy, retry in 5 s"
        assert await demo_page.ready_state() == 2
        await expect(demo_page.page.locator("#start")).to_have_text("Try again")
        await demo_page.screenshot("busy")
        held.close()

    registry = demo.app[REGISTRY]
    await wait_until(lambda: len(registry) == 0, limit=5)
    # The held stream and the EventSource's: no retry after the 503, and the check opened none.
    assert len(streams.requests) == 2, streams.requests
    assert len(streams.checks) == 1

    await demo_page.start()
    await demo_page.wait_state("done")
    assert await demo_page.log() == FULL_LOG
    demo_page.assert_no_errors(stream_failures=1)  # the EventSource's 503


async def test_event_data_is_shown_as_text(launch: Launch, demo_page: DemoPage) -> None:
    img = "<img src=x onerror=window.pwned=1>"
    script_tag = "<script>window.pwned=1</script>"
    hostile = [
        Event("start", "function1 started", "0"),
        Event("progress", img, "1"),
        Event("progress", f"function1 {script_tag}", "2"),
        Event("progress", 'x"]<b> halfway done', "3"),
        Event("end", "function1 ended", img),
        Event("close", f"<b>api</b> {script_tag}", "5"),
    ]

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = await open_event_stream(request)
        await send_events(resp, hostile)
        return resp

    server = await launch(page_app(stream))
    await demo_page.open(server.url)
    await demo_page.start()
    await demo_page.wait_state("done")

    assert await demo_page.log() == [(e.last_event_id, e.type, e.data) for e in hostile]
    assert await demo_page.status.text_content() == f"done: <b>api</b> {script_tag}"
    assert await demo_page.page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert await demo_page.page.evaluate("document.scripts.length") == 1
    assert await demo_page.page.evaluate("typeof window.pwned") == "undefined"
    await expect(demo_page.page.get_by_text(img).first).to_be_visible()
    await demo_page.screenshot("hostile-data")
    demo_page.assert_no_errors()
