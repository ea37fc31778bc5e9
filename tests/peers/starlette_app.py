"""A job's progress served with sse-starlette's ``EventSourceResponse``, as its users write it.

``GET /jobs/42/events``: a ``status`` event, a wait in which only sse-starlette's own
``: ping`` comments flow, four ``progress`` events, a two-line ``log`` event and a final
``complete``; then the response ends. Ids are the app's (sse-starlette sends what it is
given); like sse-starlette itself, the app ignores ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse, JSONServerSentEvent, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route


async def job_events(step: float, wait: float) -> AsyncIterator[ServerSentEvent]:
    """The events of one job: queued, a wait, progress every ``step`` seconds, a log, done."""
    yield JSONServerSentEvent({"state": "queued"}, event="status", id="1")
    await asyncio.sleep(wait)
    for n in range(1, 5):
        yield JSONServerSentEvent({"percent": 25 * n}, event="progress", id=str(n + 1))
        await asyncio.sleep(step)
    yield ServerSentEvent("rows: 1200\nwrote report.csv", event="log", id="6")
    yield JSONServerSentEvent(
        {"state": "succeeded", "result": "report.csv"}, event="complete", id="7"
    )


def create_app(step: float = 0.02, wait: float = 0.4, ping: float = 0.04) -> Starlette:
    """The app; ``ping`` is sse-starlette's keep-alive interval in seconds (0: none)."""

    async def events(request: Request) -> EventSourceResponse:
        return EventSourceResponse(job_events(step, wait), ping=ping)

    return Starlette(routes=[Route("/jobs/42/events", events)])
