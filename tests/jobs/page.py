"""Helpers for the jobs page tests: the page in a tab, and the job streams an app was asked for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

from aiohttp import web
from playwright.async_api import Locator

from tests.support.browser import DemoPage, Handler

_EVENTS_PATH = re.compile(r"/jobs/([^/]+)/events")
OWNED_KEY = "sse-demo:owned-jobs"
"""Where the page keeps the jobs it started (static/owned.js)."""


@dataclass(frozen=True)
class EventsRequest:
    """One request for a job's event stream: the job, and where it asked to resume."""

    job: str
    query: str | None
    """The ``last_event_id`` query parameter, if any."""
    header: str | None
    """The ``Last-Event-ID`` header, if any (an EventSource's own reconnection)."""


@dataclass
class EventsLog:
    """Every ``GET /jobs/{id}/events`` an app received, in order."""

    requests: list[EventsRequest] = field(default_factory=list)

    def watch(self, app: web.Application) -> web.Application:
        """Record the job stream requests to ``app`` (call before it starts); returns ``app``."""

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            if match := _EVENTS_PATH.fullmatch(request.path):
                self.requests.append(
                    EventsRequest(
                        match[1],
                        request.query.get("last_event_id"),
                        request.headers.get("Last-Event-ID"),
                    )
                )
            return await handler(request)

        app.middlewares.append(record)
        return app


class JobsPage(DemoPage):
    """The jobs page (``/watch``) in a browser tab."""

    async def open_jobs(self, base: str, job: str | None = None) -> None:
        """Load the page, watching ``job`` when given (its shareable URL)."""
        await self.page.goto(base + "/watch" + (f"?job={quote(job, safe='')}" if job else ""))

    async def start_job(self, interval: str) -> str:
        """Pick the ``interval`` option (its label), start a job, wait for its page; its id."""
        await self.page.locator("#interval").select_option(label=interval)
        await self.page.locator("#start-job").click()
        await self.page.wait_for_url(re.compile(r"/watch\?job="))
        return self.job_in_url()

    async def own(self, base: str, jobs: list[dict[str, str]]) -> None:
        """Keep ``jobs`` (snapshots with their tokens) as if this browser had started them."""
        await self.page.goto(base + "/watch")
        await self.page.evaluate(
            """([key, jobs]) => {
                const kept = JSON.parse(localStorage.getItem(key) ?? "[]");
                localStorage.setItem(key, JSON.stringify([...kept, ...jobs]));
            }""",
            [OWNED_KEY, [{"id": job["id"], "token": job["token"]} for job in jobs]],
        )

    def job_in_url(self) -> str:
        """The job the tab's URL names."""
        return parse_qs(urlsplit(self.page.url).query)["job"][0]

    @property
    def rows(self) -> Locator:
        """The rows of the event log."""
        return self.page.locator("#log tbody tr")

    @property
    def cancel_button(self) -> Locator:
        """The button that cancels the watched job."""
        return self.page.locator("#cancel")

    def listed(self, job: str) -> Locator:
        """The row of ``job`` in the list of jobs."""
        return self.page.locator(f'#jobs tbody tr[data-job="{job}"]')

    async def listed_ids(self) -> list[str]:
        """The jobs of the list, in its order."""
        ids: list[str] = await self.page.locator("#jobs tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.job)"
        )
        return ids

    async def times(self) -> list[str]:
        """The time column of the event log."""
        times: list[str] = await self.rows.evaluate_all(
            "rows => rows.map(r => r.cells[0].textContent)"
        )
        return times
