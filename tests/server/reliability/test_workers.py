"""Several processes on one port: a stream begun on one resumes on another, sharing no state."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from aiohttp_sse_demo.tasks import script
from contract import Event
from tests.support.serving import ServerProcess, server_process, wait_for
from tests.support.sockets import RawStream, closing_all, free_port, open_fds, open_stream

INTERVAL = 0.3
"""Streams stay open a while (four intervals), long enough to see who holds them."""
SPREAD = 20
"""Streams opened at once to see both processes take a share."""
WORKER_BOOTED = re.compile(rb"Booting worker with pid: (\d+)")


def expected_after(last_id: int) -> list[Event]:
    """The events a client that has seen ``last_id`` should get next."""
    return [Event(s.type, s.data, str(s.id)) for s in script() if s.id > last_id]


async def resume(port: int, last_id: int) -> list[Event]:
    """Resume after ``last_id`` and read the rest of the run."""
    stream = await open_stream(port, {"Last-Event-ID": str(last_id), "Connection": "close"})
    try:
        assert stream.status == 200, stream.head
        assert await stream.read_to_end()
        return stream.events
    finally:
        stream.close()


async def spread(port: int, pids: list[int]) -> list[int]:
    """Open ``SPREAD`` streams at once; how many of them each process holds."""
    before = [open_fds(pid) for pid in pids]
    streams: list[RawStream] = []
    with closing_all(streams):
        streams += await asyncio.gather(*(open_stream(port) for _ in range(SPREAD)))
        assert await wait_for(
            lambda: sum(open_fds(p) for p in pids) - sum(before) >= SPREAD, 2 * INTERVAL
        )
        return [open_fds(pid) - b for pid, b in zip(pids, before, strict=True)]


@pytest.mark.slow
async def test_reuse_port_resume_moves_to_another_process(tmp_path: Path) -> None:
    """Read to id 4 on process A; start B on the same port, stop A; B continues at id 5."""
    port = free_port()
    args = ("--reuse-port", "--port", str(port), "--interval", str(INTERVAL))
    async with server_process(tmp_path / "a.log", *args) as a:
        await a.wait_serving()
        first = await open_stream(port)
        try:
            async with asyncio.timeout(10):
                await first.read_events(5)
        finally:
            first.close()
        # Ids 4 to 6 arrive together; the client is taken to have handled up to 4.
        assert first.events[:5] == expected_after(-1)[:5]
        async with server_process(tmp_path / "b.log", *args) as b:
            await b.wait_serving()
            shares = await spread(port, [a.pid, b.pid])
            a.signal(signal.SIGTERM)
            assert await a.wait_exit(10) == 0
            async with asyncio.timeout(10):
                rest = await resume(port, 4)
            assert rest == expected_after(4)
            async with asyncio.timeout(10):
                results = await asyncio.gather(*(resume(port, n) for n in range(10)))
            assert results == [expected_after(n) for n in range(10)]
    print(
        f"\nreuse-port: {SPREAD} streams at once spread A {shares[0]} / B {shares[1]}; "
        f"read ids 0-4 on A, stopped A, resumed on B: ids "
        f"{[int(e.last_event_id) for e in rest]}"
    )
    assert all(shares)


async def booted_workers(server: ServerProcess, count: int) -> list[int]:
    """Wait until gunicorn has booted ``count`` workers; their pids."""
    pids: list[int] = []

    def booted() -> bool:
        pids[:] = [int(m[1]) for m in WORKER_BOOTED.finditer(server.log.read_bytes())]
        return len(pids) >= count or server.proc.poll() is not None

    await wait_for(booted, 20, step=0.05)
    assert len(pids) >= count, server.log_text()
    return pids


def gone(pid: int) -> bool:
    """True once process ``pid`` has exited (and been reaped by its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.slow
async def test_gunicorn_two_workers(tmp_path: Path) -> None:
    """gunicorn with two aiohttp workers: a stream cut by its worker's exit resumes on the other."""
    port = free_port()
    async with server_process(
        tmp_path / "gunicorn.log",
        "aiohttp_sse_demo.gunicorn:app",
        "--worker-class",
        "aiohttp.GunicornWebWorker",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        env={"SSE_DEMO_INTERVAL": str(INTERVAL)},
        module="gunicorn",
    ) as server:
        workers = await booted_workers(server, 2)
        idle = [open_fds(pid) for pid in workers]
        async with asyncio.timeout(30):
            results = await asyncio.gather(*(resume(port, n) for n in range(-1, 10)))
            assert results == [expected_after(n) for n in range(-1, 10)]
            shares = await spread(port, workers)

            # Generous: each worker closes its finished connections on its own time, later
            # on a loaded machine; only the count matters, not how fast it comes back.
            assert await wait_for(lambda: [open_fds(p) for p in workers] == idle, 20.0)
            before = idle
            first = await open_stream(port)
            try:
                assert await wait_for(
                    lambda: sum(open_fds(p) for p in workers) > sum(before), 2 * INTERVAL
                )
                holder = max(workers, key=lambda p: open_fds(p) - before[workers.index(p)])
                await first.read_events(5)
            finally:
                first.close()
            assert first.events[:5] == expected_after(-1)[:5]
            os.kill(holder, signal.SIGTERM)
            assert await wait_for(lambda: gone(holder), 10)
            rest = await resume(port, 4)
            assert rest == expected_after(4)
            server.signal(signal.SIGTERM)
            status = await server.wait_exit(15)
    print(
        f"\ngunicorn: 2 aiohttp workers {workers}; 11 resumes (Last-Event-ID -1..9) correct; "
        f"{SPREAD} streams opened at once went {shares[0]} / {shares[1]} (one shared listening "
        f"socket: a burst goes to whichever worker wakes first); ids 0-4 read on worker "
        f"{holder}, which then exited; resumed elsewhere: ids "
        f"{[int(e.last_event_id) for e in rest]}; SIGTERM -> exit {status}"
    )
    assert status == 0
