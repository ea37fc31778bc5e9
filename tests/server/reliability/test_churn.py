"""Clients that drop mid-stream leave nothing behind: no stream, task, descriptor or memory."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiohttp_sse_demo import Settings
from aiohttp_sse_demo.keys import REGISTRY
from tests.support.serving import in_process, start_demo, wait_for
from tests.support.sockets import connect, open_fds, raise_fd_limit, request_bytes, rss_kib

CLIENTS = 1000
CONCURRENCY = 200
INTERVAL = 0.2
"""Long enough that most streams are waiting on work, not writing, when their client leaves."""
SEED = 20261127
SETTLE = 10.0
"""Seconds the server gets to notice every departure (the reaper runs every 0.25 s)."""
RSS_MARGIN_KIB = 4096

MODES = ("connect", "request", "head", "events")


@dataclass(frozen=True, slots=True)
class Drop:
    """How one client leaves: after what, after how many events, and with a reset or a FIN."""

    mode: str
    events: int
    reset: bool


def plan(count: int, seed: int) -> list[Drop]:
    """A reproducible mix of departures at every point of a stream."""
    rng = random.Random(seed)
    return [Drop(rng.choice(MODES), rng.randint(1, 8), rng.random() < 0.5) for _ in range(count)]


async def drop_client(port: int, drop: Drop, gate: asyncio.Semaphore) -> int:
    """Connect, go as far as ``drop`` says, then leave; return the events read."""
    async with gate:
        stream = await connect(port)
        try:
            if drop.mode != "connect":
                stream.writer.write(request_bytes())
                await stream.writer.drain()
            if drop.mode in ("head", "events"):
                await stream.read_head()
            if drop.mode == "events":
                await stream.read_events(drop.events)
        finally:
            stream.close(reset=drop.reset)
        return len(stream.events)


async def churn(port: int, drops: list[Drop]) -> int:
    """Run every client of ``drops`` with bounded concurrency; return the events read in all."""
    gate = asyncio.Semaphore(CONCURRENCY)
    async with asyncio.timeout(120):
        read = await asyncio.gather(*(drop_client(port, d, gate) for d in drops))
    return sum(read)


@pytest.mark.parametrize(
    ("clients", "handler_cancellation"),
    [
        pytest.param(100, False, id="100-run_app"),
        pytest.param(CLIENTS, False, id="1000-run_app", marks=pytest.mark.slow),
        pytest.param(CLIENTS, True, id="1000-handler_cancellation", marks=pytest.mark.slow),
    ],
)
async def test_churn_leaves_no_stream_or_task(
    clients: int, handler_cancellation: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """After 1,000 mid-stream departures the app holds no stream, no extra task, no extra fd."""
    raise_fd_limit(4096)
    settings = Settings(interval=INTERVAL, ping_interval=1.0)
    drops = plan(clients, SEED)
    async with in_process(settings, handler_cancellation=handler_cancellation) as server:
        registry = server.app[REGISTRY]
        tasks_before = asyncio.all_tasks()
        fds_before = open_fds()
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, len(registry))
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        try:
            events = await churn(server.port, drops)
        finally:
            watcher.cancel()
        assert await wait_for(lambda: len(registry) == 0, SETTLE), len(registry)
        assert await wait_for(lambda: not asyncio.all_tasks() - tasks_before - {watcher}, SETTLE)
        assert await wait_for(lambda: open_fds() <= fds_before, SETTLE)
        extra_tasks = len(asyncio.all_tasks() - tasks_before)
        print(
            f"\nchurn in process ({'handler_cancellation' if handler_cancellation else 'run_app'}):"
            f" {clients} clients {dict(Counter(d.mode for d in drops))}, {events} events read,"
            f" peak {peak} open streams; after: {len(registry)} streams,"
            f" {extra_tasks} extra tasks, {open_fds() - fds_before:+d} fds"
        )
        assert peak > 0
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.slow
async def test_churn_subprocess_fds_and_rss(tmp_path: Path) -> None:
    """``python -m aiohttp_sse_demo`` is back to its descriptors and memory after 1,000 drops."""
    raise_fd_limit(4096)
    args = ("--interval", str(INTERVAL), "--ping-interval", "1")
    async with start_demo(tmp_path / "server.log", *args) as server:
        # A full round first, so that what is allocated once (imports, caches, the
        # allocator's arenas at peak load) counts in the baseline; a leak grows per round.
        await churn(server.port, plan(CLIENTS, SEED + 1))
        fds_idle = open_fds(server.pid)
        assert await wait_for(lambda: open_fds(server.pid) == fds_idle, SETTLE)
        rss_before = rss_kib(server.pid)
        events = await churn(server.port, plan(CLIENTS, SEED))
        settled = await wait_for(lambda: open_fds(server.pid) <= fds_idle, SETTLE)
        fds_after = open_fds(server.pid)
        rss_after = rss_kib(server.pid)
        print(
            f"\nchurn subprocess: {CLIENTS} clients, {events} events read; fds {fds_idle} -> "
            f"{fds_after}; RSS {rss_before} KiB -> {rss_after} KiB ({rss_after - rss_before:+d})"
        )
        assert settled, f"{fds_after} fds open, {fds_idle} before"
        assert rss_after - rss_before <= RSS_MARGIN_KIB
        assert server.proc.poll() is None
        assert "Traceback" not in server.log_text()
