"""The client survives hostile servers: bounded time, bounded memory, a clear ending for each."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import aiohttp
import pytest
from aiohttp import web

from contract import Ending, Limits, Options, Recording, Verdict, encode, run_suite
from contract.run.client import record
from contract.run.target import Target
from tests.contract.support import CORE_EVENTS, DEMO, judge
from tests.servers.scripted import SSE, Reply, Step, core_steps, serve_app

LIMITS = Limits(seconds=1.0, idle_seconds=0.5, max_event_bytes=16 * 1024)
GRACE = 0.2
BOUND = 10.0
"""Seconds any one recording may take in these tests before they fail instead of hanging."""


async def record_one(
    base: str, limits: Limits = LIMITS, headers: tuple[tuple[str, str], ...] = ()
) -> Recording:
    """Record ``base``/stream once, failing the test if it takes unboundedly long."""
    async with asyncio.timeout(BOUND), aiohttp.ClientSession(auto_decompress=False) as session:
        target = Target(
            base + "/stream", headers=headers, terminal=lambda e: e.type == "close", grace=GRACE
        )
        return await record(session, target, limits)


def core_verdicts(recording: Recording) -> dict[str, Verdict]:
    """The core rules' verdicts for one recording."""
    return {rule: r.verdict for rule, r in judge(recording).items() if not r.extension}


def endless_line() -> Iterator[Step]:
    yield b"data: "
    while True:
        yield b"x" * 4096


def endless_events() -> Iterator[Step]:
    n = 0
    while True:
        yield encode(CORE_EVENTS[1:2]).replace(b"id: 1", f"id: {n}".encode())
        yield 0.01
        n += 1


def slow_drip() -> Iterator[Step]:
    yield b":"
    while True:
        yield 0.02
        yield b"."


async def test_a_good_stream_is_recorded_whole_with_times() -> None:
    async with serve_app(lambda request: Reply(core_steps(0.02))) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.EOF
    assert recording.status == 200
    assert [t.event for t in recording.events] == list(CORE_EVENTS)
    times = [timed.at for timed in recording.events]
    assert times == sorted(times)
    assert recording.head_at is not None
    assert recording.head_at <= times[0] <= recording.ended_at
    assert recording.framing.total_bytes == len(encode(CORE_EVENTS))
    assert recording.framing.chunks == 5


async def test_request_headers_are_sent_as_a_browser_would_plus_extra() -> None:
    seen: list[dict[str, str]] = []

    def respond(request: web.Request) -> Reply:
        seen.append(dict(request.headers))
        return Reply(core_steps(0))

    async with serve_app(respond) as base:
        recording = await record_one(
            base, headers=(("Last-Event-ID", "\u0663"), ("Authorization", "Bearer t"))
        )
    assert recording.ending is Ending.EOF
    assert seen[0]["Accept"] == "text/event-stream"
    assert seen[0]["Cache-Control"] == "no-cache"
    assert seen[0]["Authorization"] == "Bearer t"
    assert "Last-Event-ID" in seen[0]


async def test_a_given_header_replaces_the_browser_default() -> None:
    seen: list[list[str]] = []

    def respond(request: web.Request) -> Reply:
        seen.append(request.headers.getall("Accept"))
        return Reply(core_steps(0))

    async with serve_app(respond) as base:
        await record_one(base, headers=(("Accept", "*/*"),))
    assert seen == [["*/*"]]


async def test_a_line_that_never_ends_stops_at_the_size_limit() -> None:
    async with serve_app(lambda request: Reply(endless_line())) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "a line longer than 16 KiB"
    received = recording.framing.total_bytes
    assert received < LIMITS.max_event_bytes + 256 * 1024  # one read past the limit at most
    assert core_verdicts(recording)["end"] is Verdict.FAIL


async def test_a_body_past_the_byte_limit_stops() -> None:
    limits = Limits(seconds=5.0, idle_seconds=1.0, max_bytes=8 * 1024)
    async with serve_app(lambda request: Reply(endless_events())) as base:
        recording = await record_one(base, limits)
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "more than 8 KiB received"
    assert recording.framing.total_bytes == 8 * 1024


async def test_a_stream_that_never_ends_stops_at_the_time_limit() -> None:
    async with serve_app(lambda request: Reply(endless_events())) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.TIMEOUT
    assert "total time limit" in recording.detail
    assert LIMITS.seconds <= recording.ended_at < BOUND
    verdicts = core_verdicts(recording)
    assert verdicts["end"] is Verdict.FAIL
    assert verdicts["events"] is Verdict.FAIL


async def test_a_slow_drip_is_cut_by_the_total_time_not_the_idle_timeout() -> None:
    async with serve_app(lambda request: Reply(slow_drip())) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.TIMEOUT
    assert "total time limit" in recording.detail
    assert recording.framing.chunks > 5


async def test_a_server_silent_after_the_head_hits_the_idle_timeout() -> None:
    async with serve_app(lambda request: Reply([b": hi\n\n", 30.0])) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.TIMEOUT
    assert "idle timeout" in recording.detail


@pytest.fixture
async def mute_server() -> AsyncIterator[str]:
    """A TCP server that accepts and never answers; yields its base URL."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_server_that_never_answers_hits_the_idle_timeout(mute_server: str) -> None:
    recording = await record_one(mute_server)
    assert recording.ending is Ending.TIMEOUT
    assert "no response head" in recording.detail
    assert recording.status is None
    assert core_verdicts(recording)["head"] is Verdict.FAIL


async def test_invalid_utf8_is_replaced_and_reported() -> None:
    steps = core_steps(0)
    steps[2] = b"id: 2\nevent: progress\ndata: function1 \xff\xfe halfway done\n\n"
    async with serve_app(lambda request: Reply(steps)) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.EOF
    assert "\ufffd" in recording.events[2].event.data
    verdicts = core_verdicts(recording)
    assert verdicts["events"] is Verdict.FAIL
    assert verdicts["framing"] is Verdict.FAIL


async def test_a_redirect_loop_ends_with_an_error() -> None:
    def loop(request: web.Request) -> Reply:
        return Reply(status=302, headers={"Location": "/stream"})

    async with serve_app(loop) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.ERROR
    assert "redirect loop" in recording.detail
    assert core_verdicts(recording)["head"] is Verdict.FAIL


async def test_a_500_fails_the_head() -> None:
    reply = Reply([b"Internal Server Error"], 500, {"Content-Type": "text/plain"})
    async with serve_app(lambda request: reply) as base:
        recording = await record_one(base)
    assert recording.status == 500
    assert recording.ending is Ending.EOF
    assert core_verdicts(recording)["head"] is Verdict.FAIL


async def test_a_reset_mid_stream_is_recorded_as_such() -> None:
    writes = [step for step in core_steps(0) if isinstance(step, bytes)][:4]
    async with serve_app(lambda request: Reply(writes, then="reset")) as base:
        recording = await record_one(base)
    assert recording.ending is Ending.RESET
    assert len(recording.events) == 4
    assert core_verdicts(recording)["end"] is Verdict.FAIL


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_nothing_listening_means_the_suite_cannot_run() -> None:
    url = f"http://127.0.0.1:{free_port()}/stream"
    async with asyncio.timeout(BOUND):
        report = await run_suite(url, replace(DEMO, limits=LIMITS))
    assert report.exit_code == 2
    assert report.error.startswith(f"cannot reach {url}")
    assert not report.results


@pytest.mark.parametrize("url", ["http:///stream", "http://bad host/stream"])
async def test_a_bad_url_is_unreachable(url: str) -> None:
    async with asyncio.timeout(BOUND), aiohttp.ClientSession() as session:
        recording = await record(session, Target(url), LIMITS)
    assert recording.ending is Ending.UNREACHABLE


async def test_probes_run_side_by_side_within_the_concurrency_bound() -> None:
    active = 0
    peak = 0
    gate = asyncio.Event()

    async def count(request: web.Request) -> web.StreamResponse:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        if peak >= 4:
            gate.set()
        try:
            async with asyncio.timeout(2.0):
                await gate.wait()
        except TimeoutError:
            pass
        response = web.StreamResponse(headers=SSE)
        await response.prepare(request)
        await response.write(encode(CORE_EVENTS))
        active -= 1
        return response

    app = web.Application()
    app.router.add_get("/stream", count)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        report = await run_suite(f"http://{host}:{port}/stream", options=Options(concurrency=4))
    finally:
        await runner.cleanup()
    assert peak == 4
    assert not report.error
