"""Helpers shared by the tests: waiting on conditions, serving apps, server subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from aiohttp_sse_demo import Settings, create_app
from contract import Event, EventParser

HOST = "127.0.0.1"
SERVING = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")
STARTUP_TIMEOUT = 20.0


async def wait_for(predicate: Callable[[], bool], within: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``within`` seconds pass; return its last value."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() >= deadline:
            return predicate()
        await asyncio.sleep(step)
    return True


async def wait_until(predicate: Callable[[], bool], limit: float) -> float:
    """Poll ``predicate`` until it holds; return the seconds it took, fail after ``limit``."""
    start = time.monotonic()
    assert await wait_for(predicate, limit, step=0.005), f"condition not met within {limit} s"
    return time.monotonic() - start


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


# -- an app served by this event loop -------------------------------------------------------


@dataclass(frozen=True)
class Running:
    """An app served on a real socket, with what tests need to look inside."""

    app: web.Application
    runner: web.AppRunner
    port: int

    @property
    def url(self) -> str:
        """The base URL (no trailing slash)."""
        return f"http://{HOST}:{self.port}"


@contextlib.asynccontextmanager
async def serve_app(
    app: web.Application, *, handler_cancellation: bool = False, shutdown_timeout: float = 2.0
) -> AsyncIterator[Running]:
    """Serve ``app`` on 127.0.0.1:0; clean up (shutdown hooks too) on exit.

    Without ``handler_cancellation`` this is how ``web.run_app`` runs an app.
    """
    runner = web.AppRunner(
        app, handler_cancellation=handler_cancellation, shutdown_timeout=shutdown_timeout
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, HOST, 0).start()
        yield Running(app, runner, runner.addresses[0][1])
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def in_process(
    settings: Settings,
    *,
    handler_cancellation: bool,
    customize: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[Running]:
    """Serve ``create_app(settings)``; ``customize`` may add hooks before the app starts."""
    app = create_app(settings)
    if customize is not None:
        customize(app)
    async with serve_app(app, handler_cancellation=handler_cancellation) as running:
        yield running


# -- the demo server as `python -m aiohttp_sse_demo` ----------------------------------------


@dataclass
class ServerProcess:
    """A server subprocess whose log goes to a file."""

    proc: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    @property
    def url(self) -> str:
        """The base URL once ``wait_serving`` has read the port (no trailing slash)."""
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.proc.pid

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log.read_bytes().decode(errors="replace")

    async def wait_serving(self, within: float = STARTUP_TIMEOUT) -> int:
        """Wait for the "serving on" line and return the port it names."""
        found: list[int] = []

        def serving() -> bool:
            if match := SERVING.search(self.log.read_bytes()):
                found.append(int(match[1]))
                return True
            return self.proc.poll() is not None

        await wait_for(serving, within, step=0.05)
        if not found:
            raise AssertionError(f"server did not start; its log:\n{self.log_text()}")
        self.port = found[0]
        return self.port

    async def wait_exit(self, within: float) -> int | None:
        """Wait up to ``within`` seconds for the process to exit; its status, or None."""
        await wait_for(lambda: self.proc.poll() is not None, within, step=0.005)
        return self.proc.poll()

    def signal(self, signum: signal.Signals = signal.SIGTERM) -> None:
        """Send ``signum`` to the process if it still runs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)


def spawn(
    log: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    module: str = "aiohttp_sse_demo",
    python: str = sys.executable,
    cwd: Path | None = None,
) -> ServerProcess:
    """Start ``python -m module args`` with its output going to ``log``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSE_DEMO_")}
    environ.update(env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [python, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=cwd,
        )
    return ServerProcess(proc, log)


@contextlib.asynccontextmanager
async def server_process(log: Path, *args: str, **options: Any) -> AsyncIterator[ServerProcess]:
    """Run ``python -m module args`` with output to ``log``; killed on exit if still running.

    ``options`` are those of ``spawn``.
    """
    server = spawn(log, *args, **options)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
        await asyncio.to_thread(server.proc.wait, 10)


@contextlib.contextmanager
def demo_process_sync(log: Path, *args: str) -> Iterator[ServerProcess]:
    """``python -m aiohttp_sse_demo --port 0 args`` for synchronous tests; stopped on exit."""
    server = spawn(log, "--port", "0", *args)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (match := SERVING.search(log.read_bytes())):
            if server.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start; its log:\n{server.log_text()}")
            time.sleep(0.05)
        server.port = int(match[1])
        yield server
    finally:
        server.signal(signal.SIGTERM)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(10)


@contextlib.asynccontextmanager
async def start_demo(log: Path, *args: str, **options: Any) -> AsyncIterator[ServerProcess]:
    """Start ``python -m aiohttp_sse_demo --port 0 args`` and wait until it serves."""
    async with server_process(log, "--port", "0", *args, **options) as server:
        await server.wait_serving()
        yield server
