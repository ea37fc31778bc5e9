"""Shared fixtures: the demo app on real sockets, and Hypothesis profiles."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from hypothesis import HealthCheck, settings

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.__main__ import main
from tests.support.redis_server import RedisServer
from tests.support.serving import Running, serve_app

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

FAST = 0.05
"""The work interval most tests use: short, but long enough to see spacing."""

Serve = Callable[..., Awaitable[str]]


Launch = Callable[[web.Application], Awaitable[Running]]
Refused = Callable[[list[str]], str]


@pytest.fixture
async def launch() -> AsyncIterator[Launch]:
    """Serve any app as ``web.run_app`` would (no handler cancellation) on 127.0.0.1:0.

    Every app started is cleaned up (shutdown hooks included) when the test ends.
    """
    async with contextlib.AsyncExitStack() as stack:

        async def start(app: web.Application) -> Running:
            return await stack.enter_async_context(serve_app(app))

        yield start


@pytest.fixture
def serve(launch: Launch) -> Serve:
    """Start the demo app with ``Settings`` fields as keywords; returns its base URL."""

    async def start(**fields: object) -> str:
        fields.setdefault("interval", FAST)
        app = create_app(Settings(**fields))  # type: ignore[arg-type]
        return (await launch(app)).url

    return start


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the session, on a free port, with persistence off."""
    server = RedisServer(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture(params=["memory", "redis"])
def broker(request: pytest.FixtureRequest) -> str:
    """The ``--broker`` value of each kind: the embedded one, then Redis."""
    if request.param == "memory":
        return "memory"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
def refused(capsys: pytest.CaptureFixture[str]) -> Refused:
    """``python -m aiohttp_sse_demo ARGV`` with no environment, which must refuse them: exit 2
    with no traceback. Returns what it wrote to stderr."""

    def run(argv: list[str]) -> str:
        with pytest.raises(SystemExit) as exit_info:
            main(argv, environ={})
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return err

    return run
