"""Helpers for the jobs tests: the expected events, starting jobs, watching them, and the
server processes that share them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from aiohttp_sse_demo.tasks import script
from contract import Event, EventParser, encode
from tests.servers.scripted import SSE, Reply, Responder
from tests.support.serving import ServerProcess, server_process, start_demo, wait_for
from tests.support.sockets import free_port

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


@contextlib.asynccontextmanager
async def viewers(
    session: aiohttp.ClientSession, urls: Sequence[str], started: int = 2
) -> AsyncIterator[list[Viewer]]:
    """A viewer of each of ``urls`` (jobs' events), each having read its first ``started``
    events (2: the job has started)."""
    async with contextlib.AsyncExitStack() as stack:
        opened = [await stack.enter_async_context(watching(session, url)) for url in urls]
        for viewer in opened:
            await viewer.read_until(started)
        yield opened


@contextlib.asynccontextmanager
async def servers(tmp_path: Path, count: int, *args: str) -> AsyncIterator[list[ServerProcess]]:
    """``count`` server processes (``python -m aiohttp_sse_demo``) started side by side."""
    async with contextlib.AsyncExitStack() as stack:
        started = await asyncio.gather(
            *(
                stack.enter_async_context(start_demo(tmp_path / f"server{i}.log", *args))
                for i in range(count)
            )
        )
        yield list(started)


@contextlib.asynccontextmanager
async def gunicorn_workers(
    log: Path, env: Mapping[str, str], *options: str
) -> AsyncIterator[tuple[ServerProcess, str]]:
    """``gunicorn aiohttp_sse_demo.gunicorn:app`` with two aiohttp workers on one free port,
    once both have booted: the process and its base URL."""
    port = free_port()
    async with server_process(
        log,
        "aiohttp_sse_demo.gunicorn:app",
        *options,
        "--worker-class", "aiohttp.GunicornWebWorker",
        "--workers", "2",
        "--bind", f"127.0.0.1:{port}",
        env=env,
        module="gunicorn",
    ) as server:  # fmt: skip
        assert await wait_for(lambda: server.log_text().count("Booting worker") >= 2, 20)
        yield server, f"http://127.0.0.1:{port}"


async def post_when_up(session: aiohttp.ClientSession, base: str, **body: Any) -> dict[str, Any]:
    """``post_job``, tried again while the port refuses connections (workers still starting)."""
    while True:
        with contextlib.suppress(aiohttp.ClientConnectionError):
            return await post_job(session, base, **body)
        await asyncio.sleep(0.05)
