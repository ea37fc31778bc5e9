"""Helpers for the jobs tests: the expected events, starting jobs, watching them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from aiohttp_sse_demo.tasks import script
from contract import Event, EventParser, encode
from tests.servers.scripted import SSE, Reply, Responder

SNAPSHOT_KEYS = {"id", "status", "created", "updated", "interval", "events", "last_event_id"}
ADMIN = "admin-token-of-the-tests"
"""The ``admin_token`` of the servers that tests list every job on."""


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


def expected_after(last_id: int = -1) -> list[Event]:
    """The events of a job that succeeds, after ``last_id``: those of ``/stream``."""
    return [Event(s.type, s.data, str(s.id)) for s in script() if s.id > last_id]


def ids(events: list[Event]) -> list[str]:
    """The ids of ``events``."""
    return [e.last_event_id for e in events]


def job_like(events: list[Event], *, resume_repeats: bool = False) -> Responder:
    """A job's stream as a test server serves it: resume by header or query, 204 after close."""

    def respond(request: web.Request) -> Reply:
        value = request.headers.get("Last-Event-ID", request.query.get("last_event_id", ""))
        known = [e.last_event_id for e in events]
        if events[-1].type == "close" and value == events[-1].last_event_id:
            return Reply(status=204)
        start = known.index(value) + (0 if resume_repeats else 1) if value in known else 0
        headers = {**SSE, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return Reply([encode(events[start:])], headers=headers)

    return respond


async def post_job(session: aiohttp.ClientSession, base: str, **body: Any) -> dict[str, Any]:
    """``POST /jobs`` with ``body`` as JSON; the snapshot (asserts 201)."""
    async with session.post(f"{base}/jobs", json=body) as resp:
        assert resp.status == 201, await resp.text()
        snapshot: dict[str, Any] = await resp.json()
        assert resp.headers["Location"] == f"/jobs/{snapshot['id']}"
        return snapshot


async def cancel_job(
    session: aiohttp.ClientSession, base: str, job: dict[str, Any], token: str | None = None
) -> tuple[int, Any]:
    """``DELETE`` the job with its own token (or ``token``); the status and JSON body."""
    headers = bearer(token if token is not None else job["token"])
    async with session.delete(f"{base}/jobs/{job['id']}", headers=headers) as resp:
        return resp.status, await resp.json()


async def list_all(session: aiohttp.ClientSession, base: str, query: str = "") -> list[Any]:
    """``GET /jobs`` as the admin: the snapshots (asserts 200)."""
    async with session.get(f"{base}/jobs{query}", headers=bearer(ADMIN)) as resp:
        assert resp.status == 200, await resp.text()
        jobs: list[Any] = (await resp.json())["jobs"]
        return jobs


async def get_json(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    """GET ``url``; its status and JSON body."""
    async with session.get(url) as resp:
        return resp.status, await resp.json()


class Viewer:
    """An open event stream of a job, read as a browser would parse it."""

    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self.resp = resp
        self.events: list[Event] = []
        self.raw = b""
        self._parser = EventParser()

    async def read_until(self, count: int) -> list[Event]:
        """Read until ``count`` events in all have arrived or the body ends."""
        while len(self.events) < count and await self._read_some():
            pass
        return self.events

    async def read_to_end(self) -> list[Event]:
        """Read until the body ends; every event."""
        while await self._read_some():
            pass
        return self.events

    async def read_some(self) -> bool:
        """Read what has arrived (events and comments); False once the body has ended."""
        return await self._read_some()

    async def _read_some(self) -> bool:
        chunk = await self.resp.content.readany()
        if not chunk:
            self.events += self._parser.close()
            return False
        self.raw += chunk
        self.events += self._parser.feed(chunk)
        return True


@contextlib.asynccontextmanager
async def watching(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> AsyncIterator[Viewer]:
    """Open ``url`` (a job's events) and yield its viewer; asserts a 200 event stream."""
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.content_type == "text/event-stream"
        yield Viewer(resp)
