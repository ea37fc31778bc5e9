"""Helpers for the browser tests: finding Chromium, driving the page, and small test servers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    async_playwright,
    expect,
)

from aiohttp_sse_demo.page import add_routes, static_dir
from contract import Event, EventParser, encode_event
from tests.paths import ROOT

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
RESULTS = ROOT / "test-results" / "browser"
"""Where the tests leave screenshots (gitignored)."""

RETRY_MS = 100
"""The reconnection delay the test servers ask the browser for (``retry:``)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def chromium_path() -> str:
    """The Chromium to drive: ``$CHROMIUM``, else Debian's; raises naming the fix when missing."""
    path = os.environ.get("CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FileNotFoundError(
            f"no Chromium executable at {path}: run `make chromium` "
            "(apt-get install chromium) or set CHROMIUM=/path/to/chromium"
        )
    return path


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A fresh headless Chromium, closed on exit; a missing browser fails the test."""
    try:
        executable = chromium_path()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_context(browser: Browser) -> BrowserContext:
    """A browser profile whose tabs are 1000x800 and wait at most 10 s for anything."""
    context = await browser.new_context(viewport={"width": 1000, "height": 800})
    context.set_default_timeout(10_000)
    return context


@dataclass
class StreamLog:
    """The headers of every ``/stream`` and ``/stream/check`` request an app received, in order."""

    requests: list[dict[str, str]] = field(default_factory=list)
    """``/stream``: only the EventSource (and the test's own clients) open streams."""
    checks: list[dict[str, str]] = field(default_factory=list)
    """``/stream/check``: the page asking why its EventSource gave up."""

    def watch(self, app: web.Application) -> web.Application:
        """Record the requests to ``app`` (call before it starts); returns ``app``."""
        logs = {"/stream": self.requests, "/stream/check": self.checks}

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            if (log := logs.get(request.path)) is not None:
                log.append({k.lower(): v for k, v in request.headers.items()})
            return await handler(request)

        app.middlewares.append(record)
        return app


def page_app(stream: Handler, check: Handler | None = None) -> web.Application:
    """The demo page served as the demo serves it, with ``stream`` answering ``/stream``.

    ``check`` answers ``/stream/check``, which the page asks when its EventSource gives up.
    """
    app = web.Application()
    app.router.add_get("/stream", stream, allow_head=False)
    if check is not None:
        app.router.add_get("/stream/check", check, allow_head=False)
    add_routes(app, static_dir())
    return app


async def open_event_stream(request: web.Request) -> web.StreamResponse:
    """Start a ``text/event-stream`` response that asks for quick reconnects."""
    resp = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await resp.prepare(request)
    await resp.write(f"retry: {RETRY_MS}\n\n".encode())
    return resp


async def send_events(resp: web.StreamResponse, events: Iterable[Event]) -> None:
    """Write each event with its own ``id``."""
    for event in events:
        await resp.write(encode_event(event.data, type=event.type, id=event.last_event_id))


def resuming_proxy(
    upstream: str, *, drop_after: str, before_drop: Callable[[], Awaitable[None]]
) -> Handler:
    """A ``/stream`` that relays ``upstream``, event by event, adding ``retry:``.

    The first connection is dropped (no end of the chunked body) after the event
    whose id is ``drop_after``, once ``before_drop`` returns: a browser may discard
    what it had not read yet when a connection fails. Later connections pass
    ``Last-Event-ID`` on and run to the end.
    """
    connections = 0

    async def relay(request: web.Request) -> web.StreamResponse:
        nonlocal connections
        connections += 1
        first = connections == 1
        headers = {}
        if "Last-Event-ID" in request.headers:
            headers["Last-Event-ID"] = request.headers["Last-Event-ID"]
        async with aiohttp.ClientSession() as session, session.get(upstream, headers=headers) as up:
            if up.status != 200:
                return web.Response(status=up.status)
            resp = await open_event_stream(request)
            parser = EventParser()
            async for chunk in up.content.iter_any():
                for event in parser.feed(chunk):
                    await send_events(resp, [event])
                    if first and event.last_event_id == drop_after:
                        await before_drop()
                        assert request.transport is not None
                        request.transport.close()
                        return resp
        return resp

    return relay


@dataclass
class DemoPage:
    """The demo page in a browser tab, with what went wrong in it collected."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    async def open(self, base: str) -> None:
        """Load the page, and record every state its status goes through."""
        await self.page.add_init_script(
            "window.statusHistory = [];"
            "addEventListener('DOMContentLoaded', () => {"
            "  const status = document.getElementById('status');"
            "  new MutationObserver(() => window.statusHistory.push(status.dataset.state))"
            "    .observe(status, {attributes: true, attributeFilter: ['data-state']});"
            "});"
        )
        await self.page.goto(base + "/")
        await expect(self.status).to_have_attribute("data-state", "idle")

    @property
    def status(self) -> Locator:
        """The status element."""
        return self.page.locator("#status")

    async def start(self) -> None:
        """Press the start button."""
        await self.page.locator("#start").click()

    async def wait_state(self, state: str) -> None:
        """Wait until the status reaches ``state``."""
        await expect(self.status).to_have_attribute("data-state", state)

    async def status_history(self) -> list[str]:
        """The states the status went through since the page loaded."""
        history: list[str] = await self.page.evaluate("window.statusHistory")
        return history

    async def log(self) -> list[tuple[str, str, str]]:
        """The event log's rows as (id, type, data), checking each row's time stamp."""
        rows: list[list[str]] = await self.page.locator("#log tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
        )
        for row in rows:
            assert len(row) == 4, row
            assert _is_clock(row[0]), f"time column {row[0]!r} is not HH:MM:SS.mmm"
        return [(r[1], r[2], r[3]) for r in rows]

    async def stages(self) -> dict[str, str]:
        """Each task's stage as the page shows it."""
        stages: dict[str, str] = await self.page.evaluate(
            "Object.fromEntries(Array.from(document.querySelectorAll('.task'),"
            " t => [t.dataset.task, t.querySelector('.stage').textContent]))"
        )
        return stages

    async def ready_state(self) -> int:
        """``readyState`` of the page's EventSource (2 is CLOSED)."""
        state: int = await self.page.evaluate("window.sseSource.readyState")
        return state

    async def screenshot(self, name: str) -> Path:
        """Save the page as ``test-results/browser/<name>.png``; returns the path."""
        path = RESULTS / f"{name}.png"
        await self.page.screenshot(path=path)
        print(f"screenshot: {path}")
        return path

    def assert_no_errors(self, *, stream_failures: int = 0) -> None:
        """Fail if the page threw or logged console errors other than failed ``/stream`` loads.

        Chromium logs a console error for every ``/stream`` response it rejects (a
        503, a dropped connection): ``stream_failures`` says how many the test expects.
        """
        assert self.page_errors == [], f"uncaught errors in the page: {self.page_errors}"
        stream = [e for e in self.console_errors if e.startswith("Failed to load resource")]
        other = [e for e in self.console_errors if e not in stream]
        assert other == [], f"console errors: {other}"
        assert len(stream) == stream_failures, f"failed /stream loads: {stream}"
        assert all(e.endswith("/stream)") for e in stream), stream


def _is_clock(text: str) -> bool:
    parts = text.replace(".", ":").split(":")
    return [len(p) for p in parts] == [2, 2, 2, 3] and all(p.isdigit() for p in parts)
