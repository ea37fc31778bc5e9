"""Shared fixtures: the demo app on real sockets, and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, settings

from aiohttp_sse_demo import Settings, create_app
from contract import Event, EventParser

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

FAST = 0.05
"""The work interval most tests use: short, but long enough to see spacing."""

Serve = Callable[..., Awaitable[str]]


@dataclass(frozen=True)
class Running:
    """An app served on a real socket, with what tests need to look inside."""

    url: str
    app: web.Application
    runner: web.AppRunner


Launch = Callable[[web.Application], Awaitable[Running]]


@pytest.fixture
async def launch() -> AsyncIterator[Launch]:
    """Serve any app as ``web.run_app`` would (no handler cancellation) on 127.0.0.1:0.

    Every app started is cleaned up (shutdown hooks included) when the test ends.
    """
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> Running:
        runner = web.AppRunner(app, shutdown_timeout=2.0)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        return Running(f"http://{host}:{port}", app, runner)

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@pytest.fixture
def serve(launch: Launch) -> Serve:
    """Start the demo app with ``Settings`` fields as keywords; returns its base URL."""

    async def start(**fields: object) -> str:
        fields.setdefault("interval", FAST)
        app = create_app(Settings(**fields))  # type: ignore[arg-type]
        return (await launch(app)).url

    return start


async def read_events(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> tuple[aiohttp.ClientResponse, list[Event]]:
    """GET ``url`` and parse the whole body as a browser would."""
    parser = EventParser()
    events: list[Event] = []
    async with session.get(url, headers=headers) as resp:
        async for chunk in resp.content.iter_any():
            events += parser.feed(chunk)
        events += parser.close()
    return resp, events
