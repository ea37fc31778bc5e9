"""The servers drafts are inferred from, and their broken variants, as stream URLs.

Each ``Served`` starts one server on 127.0.0.1 port 0 and yields the URL of its stream;
``catches`` runs the suite with a draft against many of them side by side and says which
rules each fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import aiohttp
from aiohttp import web

from aiohttp_sse_demo import Settings, create_app
from contract import Options, Report, run_suite
from contract.infer import Outcome, infer
from contract.spec.model import Limits, Request
from tests.contract.test_peers import NO_PING, PING, STEP, ms
from tests.jobs.support import get_json, post_job
from tests.peers import starlette_app
from tests.peers.node_process import node_server
from tests.servers import mutants
from tests.servers.scripted import Responder
from tests.servers.scripted import serve_app as serve_responder
from tests.servers.uvicorn_thread import uvicorn_thread
from tests.support.serving import serve_app

Served = Callable[[], contextlib.AbstractAsyncContextManager[str]]
"""Starts a server and yields its stream's URL."""
OPTIONS = Options(concurrency=48)
WAIT = 1.0
CHANNEL_TICK = 0.5
"""Seconds of the peers' wait before their events, and between sse-channel's ticks: well
past the keep-alive bound drafted from their 40 ms pings (about 0.3 s, more when a loaded
machine stalls a sample), so that with their pings off the silence shows."""
JOB_WAIT = 10.0
"""Seconds a posted job may take to succeed."""


def app_at(factory: Callable[[], web.Application], path: str) -> Served:
    """An aiohttp app, its stream at ``path``."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with serve_app(factory(), handler_cancellation=True, shutdown_timeout=0.5) as running:
            yield running.url + path

    return served


def responder(respond: Responder) -> Served:
    """A scripted server (tests/servers/scripted.py), its stream at ``/stream``."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with serve_responder(respond) as base:
            yield base + "/stream"

    return served


def demo_job(interval: float = 0.02) -> Served:
    """The demo app with one job posted and finished: its event stream."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        app = create_app(Settings(interval=interval))
        async with serve_app(app) as running, aiohttp.ClientSession() as session:
            job = await post_job(session, running.url, interval=interval)
            url = f"{running.url}/jobs/{job['id']}"
            for _ in range(int(JOB_WAIT / 0.02)):
                _, snapshot = await get_json(session, url)
                if snapshot["status"] == "succeeded":
                    break
                await asyncio.sleep(0.02)
            assert snapshot["status"] == "succeeded", snapshot
            yield running.url + job["events"]

    return served


def peer(name: str, *, pings: bool = True) -> Served:
    """A peer of tests/peers (``pings=False``: its keep-alive off), at its stream's path."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        ping = PING if pings else NO_PING
        if name == "sse-starlette":
            app = starlette_app.create_app(STEP, WAIT, ping if pings else 0)
            with uvicorn_thread(app) as base:
                yield base + "/jobs/42/events"
            return
        args: tuple[str, ...] = ("sse_channel_server.cjs", ms(CHANNEL_TICK), ms(ping))
        path = "/ticks"
        if name == "better-sse":
            args, path = ("better_sse_server.mjs", ms(STEP), ms(WAIT), ms(ping)), "/tokens"
        with tempfile.TemporaryDirectory() as folder:
            async with node_server(*args, log=Path(folder) / "node.log") as base:
                yield base + path

    return served


def mutant_server(contract: str, server: mutants.Server | mutants.Feed) -> Served:
    """A server of tests/servers/mutants.py, at its contract's path."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with mutants.serve(mutants.routes(contract, server)) as base:
            yield base + mutants.PATHS[contract]

    return served


async def draft_of(
    served: Served, request: Request | None = None, limits: Limits | None = None
) -> Outcome:
    """The draft inferred from the server, checked against it."""
    async with served() as url:
        return await infer(url, request, limits=limits, options=OPTIONS)


def failing(report: Report) -> frozenset[str]:
    """The rules that fail the run."""
    assert not report.error, report.error
    return frozenset(result.rule for result in report.results if result.failed)


async def catches(
    outcome: Outcome, servers: Mapping[str, Served], stagger: float = 0.0
) -> dict[str, frozenset[str]]:
    """The rules the draft fails on each server, checked side by side (the request as
    sampled: credentials as given, not as ``${NAME}``)."""
    contract = outcome.checked

    async def one(index: int, served: Served) -> frozenset[str]:
        await asyncio.sleep(index * stagger)
        async with served() as url:
            return failing(await run_suite(url, contract, OPTIONS))

    found = await asyncio.gather(*(one(i, s) for i, s in enumerate(servers.values())))
    return dict(zip(servers, found, strict=True))
