"""The jobs page in headless Chromium: start, list, share, two tabs, a reload, a cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import BrowserContext, expect

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.page import add_routes, static_dir
from aiohttp_sse_demo.tasks import script
from contract import Event
from tests.conftest import Launch
from tests.jobs.page import EventsLog, EventsRequest, JobsPage
from tests.jobs.support import cancel_job, get_json, post_job
from tests.support.browser import chromium, new_context, open_event_stream, send_events
from tests.support.serving import read_events

pytestmark = pytest.mark.browser

FULL_LOG = [(str(s.id), s.type, s.data) for s in script()]
"""The log of a job that succeeds: the events of ``/stream``, each once, in order."""
CANCELLED_AFTER_2 = [
    *FULL_LOG[:2],
    ("2", "cancelled", "cancelled by a client (DELETE)"),
    ("3", "close", "job cancelled"),
]
"""The log of a job cancelled while its first unit of work runs."""
LONG = 30.0
"""An interval no test waits for: a job stays at its first unit of work."""


@pytest.fixture
async def profile() -> AsyncIterator[BrowserContext]:
    """A fresh headless Chromium profile; each of its tabs has its own sessionStorage."""
    async with chromium() as chrome:
        yield await new_context(chrome)


async def tab(profile: BrowserContext) -> JobsPage:
    """A new tab."""
    return JobsPage(await profile.new_page())


async def test_start_a_job_watch_it_reload_it_and_share_it(
    launch: Launch, profile: BrowserContext
) -> None:
    streams = EventsLog()
    demo = await launch(streams.watch(create_app(Settings(interval=5))))
    first = await tab(profile)
    await first.open_jobs(demo.url)
    await expect(first.page.locator("#no-job")).to_be_visible()

    job = await first.start_job("0.1 s")
    await first.wait_state("done")
    assert await first.status.text_content() == "succeeded: api completed"
    assert await first.log() == FULL_LOG
    assert await first.stages() == {"function1": "ended", "function2": "ended"}
    assert await first.ready_state() == 2
    await expect(first.cancel_button).to_be_disabled()
    await expect(first.listed(job)).to_have_attribute("data-status", "succeeded")
    await expect(first.page.locator("#job-link")).to_have_text(job)
    async with aiohttp.ClientSession() as session:
        status, snapshot = await get_json(session, f"{demo.url}/jobs/{job}")
    assert (status, snapshot["interval"], snapshot["status"]) == (200, 0.1, "succeeded")
    assert streams.requests == [EventsRequest(job, None, None)]

    # A reload of a finished job shows what the tab saw, as it saw it, without asking again.
    times = await first.times()
    await first.page.reload()
    await first.wait_state("done")
    assert await first.log() == FULL_LOG
    assert await first.times() == times
    assert await first.stages() == {"function1": "ended", "function2": "ended"}
    assert len(streams.requests) == 1

    # Its URL opens it in another tab: the whole log, from the server.
    second = await tab(profile)
    await second.page.goto(first.page.url)
    await second.wait_state("done")
    assert await second.log() == FULL_LOG
    assert streams.requests[1:] == [EventsRequest(job, None, None)]
    first.assert_no_errors()
    second.assert_no_errors()


async def test_a_reload_mid_job_continues_with_no_duplicate(
    launch: Launch, profile: BrowserContext
) -> None:
    streams = EventsLog()
    demo = await launch(streams.watch(create_app(Settings())))
    async with aiohttp.ClientSession() as session:
        job = (await post_job(session, demo.url, interval=0.5))["id"]  # 2 s in all
    page = await tab(profile)
    await page.open_jobs(demo.url, job)
    await page.page.wait_for_function("document.querySelectorAll('#log tbody tr').length >= 3")
    kept = (await page.times())[:3]

    await page.page.reload()
    await page.wait_state("done")

    assert await page.log() == FULL_LOG, "every event once, in order"
    assert (await page.times())[:3] == kept, "the rows before the reload are the tab's own"
    first, resumed = streams.requests
    assert first == EventsRequest(job, None, None)
    assert resumed.job == job
    assert resumed.header is None
    assert resumed.query is not None
    assert 2 <= int(resumed.query) < 10, "resumed mid-job, after the last row it showed"
    assert await page.ready_state() == 2
    page.assert_no_errors()


async def _two_tabs_and_a_cancel(
    profile: BrowserContext, url_a: str, url_b: str, streams: list[EventsRequest]
) -> JobsPage:
    """Tabs on ``url_a`` and ``url_b`` watch one job started on A; B cancels it; returns A."""
    async with aiohttp.ClientSession() as session:
        started = await post_job(session, url_a, interval=LONG)
    job = started["id"]
    a, b = await tab(profile), await tab(profile)
    await b.own(url_b, [started])  # B's browser started it: B may cancel it, A may not
    await a.open_jobs(url_a, job)
    await b.open_jobs(url_b, job)
    for page in (a, b):
        await expect(page.rows).to_have_count(2)
        await page.wait_state("streaming")
    await expect(b.listed(job)).to_have_attribute("data-status", "running")
    await expect(b.cancel_button).to_be_enabled()
    if url_a != url_b:  # another origin: another browser as far as storage goes
        await expect(a.cancel_button).to_be_disabled()
        await expect(a.listed(job)).to_have_count(0)
    assert await a.log() == await b.log() == FULL_LOG[:2]

    await b.cancel_button.click()
    for page in (a, b):
        await page.wait_state("cancelled")
        assert await page.status.text_content() == "cancelled: cancelled by a client (DELETE)"
        assert await page.log() == CANCELLED_AFTER_2
        assert await page.stages() == {"function1": "cancelled", "function2": "cancelled"}
        assert await page.ready_state() == 2
        await expect(page.cancel_button).to_be_disabled()
        page.assert_no_errors()
    await expect(b.listed(job)).to_have_attribute("data-status", "cancelled")
    assert streams == [EventsRequest(job, None, None)] * 2
    async with aiohttp.ClientSession() as session:
        status, snapshot = await get_json(session, f"{url_b}/jobs/{job}")
    assert (status, snapshot["status"]) == (200, "cancelled")
    return a


async def test_two_tabs_watch_one_job_and_both_see_its_cancel(
    launch: Launch, profile: BrowserContext
) -> None:
    streams = EventsLog()
    demo = await launch(streams.watch(create_app(Settings())))
    watcher = await _two_tabs_and_a_cancel(profile, demo.url, demo.url, streams.requests)
    await watcher.screenshot("jobs-cancelled")


async def test_two_tabs_on_two_servers_sharing_redis(
    launch: Launch, profile: BrowserContext, redis_url: str
) -> None:
    streams = EventsLog()
    one = await launch(streams.watch(create_app(Settings(broker=redis_url))))
    two = await launch(streams.watch(create_app(Settings(broker=redis_url))))
    await _two_tabs_and_a_cancel(profile, one.url, two.url, streams.requests)


async def test_the_list_shows_each_status_and_opens_a_job(
    launch: Launch, profile: BrowserContext
) -> None:
    demo = await launch(create_app(Settings()))
    async with aiohttp.ClientSession() as session:
        made = [await post_job(session, demo.url, interval=i) for i in (0, LONG, LONG, 0)]
        done, cancelled, running, not_mine = (job["id"] for job in made)
        resp, _ = await read_events(session, f"{demo.url}/jobs/{done}/events")
        assert resp.status == 200
        assert (await cancel_job(session, demo.url, made[1]))[0] == 202

        page = await tab(profile)
        await page.own(demo.url, made[:3])
        await page.open_jobs(demo.url)
        for job, status in ((done, "succeeded"), (cancelled, "cancelled"), (running, "running")):
            await expect(page.listed(job)).to_have_attribute("data-status", status)
            await expect(page.listed(job).locator(".badge")).to_have_text(status)
        assert await page.listed_ids() == [running, cancelled, done], "newest first, its own"
        assert not_mine not in await page.listed_ids()

        assert (await cancel_job(session, demo.url, made[2]))[0] == 202
        await expect(page.listed(running)).to_have_attribute("data-status", "cancelled")

    await page.listed(done).get_by_role("link").click()
    await page.wait_state("done")
    assert page.job_in_url() == done
    assert await page.log() == FULL_LOG
    await expect(page.page.locator("#no-job")).to_be_hidden()
    await expect(page.listed(done).get_by_role("link")).to_have_attribute("aria-current", "page")
    page.assert_no_errors()


async def test_errors_are_explained_and_ids_shown_as_text(
    launch: Launch, profile: BrowserContext
) -> None:
    demo = await launch(create_app(Settings(max_jobs=1)))
    async with aiohttp.ClientSession() as session:
        await post_job(session, demo.url, interval=LONG)  # the one job this server runs
    hostile = "<img src=x onerror=window.pwned=1>"
    page = await tab(profile)
    await page.open_jobs(demo.url, hostile)

    await page.wait_state("error")
    text = await page.status.text_content()
    assert text == f"no job {hostile!r}: it has expired, or never existed"
    await expect(page.page.locator("#job-link")).to_have_text(hostile)
    await expect(page.cancel_button).to_be_disabled()
    assert await page.ready_state() == 2

    await page.page.locator("#start-job").click()
    await expect(page.page.locator("#notice")).to_have_text(
        "the job was not started: this server runs 1 jobs at once, the most it allows; retry in 5 s"
    )
    await expect(page.page.locator("#start-job")).to_be_enabled()
    assert page.job_in_url() == hostile, "the page stays where it was"

    assert await page.page.evaluate("document.querySelectorAll('img').length") == 0
    assert await page.page.evaluate("typeof window.pwned") == "undefined"
    assert page.page_errors == []
    # The event stream's 404, the snapshot's that explains it, the POST's 503.
    job_url = f"{demo.url}/jobs/{quote(hostile, safe='')}"
    failed = "Failed to load resource: the server responded with a status of"
    assert sorted(page.console_errors) == sorted(
        [
            f"{failed} 404 (Not Found) ({job_url}/events)",
            f"{failed} 404 (Not Found) ({job_url})",
            f"{failed} 503 (Service Unavailable) ({demo.url}/jobs)",
        ]
    )


async def test_a_server_that_replays_the_log_gives_no_duplicate_row(
    launch: Launch, profile: BrowserContext
) -> None:
    events = [Event(s.type, s.data, str(s.id)) for s in script()]
    resumed_after: list[str | None] = []

    async def stream(request: web.Request) -> web.StreamResponse:
        # Ends after id 4 the first time; then ignores where the browser resumes from.
        resumed_after.append(request.headers.get("Last-Event-ID"))
        resp = await open_event_stream(request)
        await send_events(resp, events[:5] if len(resumed_after) == 1 else events)
        return resp

    async def no_jobs(request: web.Request) -> web.Response:
        return web.json_response({"jobs": []})

    app = web.Application()
    app.router.add_get("/jobs", no_jobs)
    app.router.add_get("/jobs/{id}/events", stream)
    add_routes(app, static_dir())
    server = await launch(app)
    page = await tab(profile)
    await page.open_jobs(server.url, "job")

    await page.wait_state("done")
    assert await page.log() == FULL_LOG
    assert resumed_after == [None, "4"]
    page.assert_no_errors()
