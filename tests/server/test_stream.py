"""GET /stream on a real socket: sequence, head, spacing, resume, 204, tolerance, methods, check."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.keys import REGISTRY
from aiohttp_sse_demo.stream import RETRY_AFTER_SECONDS
from aiohttp_sse_demo.tasks import script
from contract import Event, EventParser
from tests.conftest import Launch, Serve
from tests.support.serving import read_events

EXPECTED = [
    ("start", "function1 started"),
    ("progress", "function1 started"),
    ("progress", "function1 halfway done"),
    ("progress", "function1 completed successfully"),
    ("end", "function1 ended"),
    ("start", "function2 started"),
    ("progress", "function2 started"),
    ("progress", "function2 halfway done"),
    ("progress", "function2 completed successfully"),
    ("end", "function2 ended"),
    ("close", "api completed"),
]
"""The core table of docs/stream-contract.md, written out again: the script must match it."""

CORE = [Event(kind, data, str(i)) for i, (kind, data) in enumerate(EXPECTED)]


def test_script_is_the_contract_table() -> None:
    assert [(s.type, s.data) for s in script()] == EXPECTED
    assert [s.id for s in script()] == list(range(11))
    assert [s.id for s in script() if s.work_before] == [2, 3, 7, 8]


async def test_full_stream_is_the_core_sequence(serve: Serve) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        resp, events = await read_events(session, base + "/stream")
    assert resp.status == 200
    assert events == CORE


async def test_response_head(serve: Serve) -> None:
    base = await serve(interval=0)
    async with aiohttp.ClientSession() as session, session.get(base + "/stream") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].split(";")[0].strip() == "text/event-stream"
        assert resp.headers["Cache-Control"] == "no-cache"
        assert resp.headers["X-Accel-Buffering"] == "no"
        assert "Content-Encoding" not in resp.headers
        assert "Content-Length" not in resp.headers
        await resp.read()


async def test_events_arrive_spread_over_time(serve: Serve) -> None:
    interval = 1.0
    base = await serve(interval=interval)
    parser = EventParser()
    arrivals: dict[str, float] = {}
    start = time.monotonic()
    async with aiohttp.ClientSession() as session, session.get(base + "/stream") as resp:
        async for chunk in resp.content.iter_any():
            for event in parser.feed(chunk):
                arrivals[event.last_event_id] = time.monotonic() - start
    assert list(arrivals) == [str(i) for i in range(11)]
    # No event comes before the units of work that precede it: a timer never fires
    # early, so these lower bounds hold however loaded the machine is.
    for event_id, units in (("2", 1), ("3", 2), ("7", 3), ("8", 4)):
        assert arrivals[event_id] >= units * interval * 0.99, (event_id, arrivals)
    # Events due at the same moment are not held back by the work that follows. An upper
    # bound in wall time: generous (the work would take a whole interval) for a loaded
    # machine, where a client may read late.
    assert arrivals["1"] < interval * 0.9, arrivals


@pytest.mark.parametrize("last", range(10))
async def test_resume_continues_after_last_event_id(serve: Serve, last: int) -> None:
    base = await serve(interval=0.01)
    async with aiohttp.ClientSession() as session:
        resp, events = await read_events(
            session, base + "/stream", headers={"Last-Event-ID": str(last)}
        )
    assert resp.status == 200
    assert events == CORE[last + 1 :]


async def test_resume_skips_the_work_already_done(serve: Serve) -> None:
    interval = 0.5
    base = await serve(interval=interval)
    async with aiohttp.ClientSession() as session:
        start = time.monotonic()
        _, events = await read_events(session, base + "/stream", headers={"Last-Event-ID": "7"})
        elapsed = time.monotonic() - start
    assert [e.last_event_id for e in events] == ["8", "9", "10"]
    # Only the work before id 8 is left: one interval, not four. The upper bound is
    # generous (two and a half intervals of margin) for a loaded machine.
    assert interval * 0.99 <= elapsed < interval * 3.5


@pytest.mark.parametrize(
    "value",
    ["10", "11", "010", "99999999999999999999", "1" + "0" * 4999],
    ids=["10", "11", "leading-zero", "20-digits", "5000-digits"],
)
async def test_complete_stream_answers_204(serve: Serve, value: str) -> None:
    base = await serve()
    async with (
        aiohttp.ClientSession() as session,
        session.get(base + "/stream", headers={"Last-Event-ID": value}) as resp,
    ):
        assert resp.status == 204
        assert await resp.read() == b""


# HTTP strips spaces around a header value, so " 3" arrives as "3": not a malformed case.
@pytest.mark.parametrize(
    "value", ["", "-1", "+3", "3.0", "1_0", "abc", "\u0663", "\uff13", "0x1", "1e1", "3 4"]
)
async def test_malformed_last_event_id_gives_the_full_stream(
    serve: Serve, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    base = await serve(interval=0)
    with caplog.at_level("INFO", logger="aiohttp_sse_demo"):
        async with aiohttp.ClientSession() as session:
            resp, events = await read_events(
                session, base + "/stream", headers={"Last-Event-ID": value}
            )
    assert resp.status == 200
    assert events == CORE
    assert any("ignoring Last-Event-ID" in r.getMessage() for r in caplog.records)


async def test_long_malformed_value_is_logged_shortened(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    base = await serve(interval=0)
    with caplog.at_level("INFO", logger="aiohttp_sse_demo"):
        async with aiohttp.ClientSession() as session:
            resp, _ = await read_events(
                session, base + "/stream", headers={"Last-Event-ID": "x" * 6000}
            )
    assert resp.status == 200
    (message,) = [r.getMessage() for r in caplog.records if "Last-Event-ID" in r.getMessage()]
    assert "6000 chars" in message
    assert len(message) < 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
async def test_other_methods_get_405_naming_get(serve: Serve, method: str) -> None:
    base = await serve()
    timeout = aiohttp.ClientTimeout(total=5)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.request(method, base + "/stream", data=b"x") as resp,
    ):
        assert resp.status == 405
        assert resp.headers["Allow"] == "GET"


async def test_query_string_is_ignored(serve: Serve) -> None:
    base = await serve(interval=0)
    async with aiohttp.ClientSession() as session:
        resp, events = await read_events(session, base + "/stream?foo=bar&Last-Event-ID=5")
    assert resp.status == 200
    assert events == CORE


async def test_concurrent_streams_are_independent(serve: Serve) -> None:
    base = await serve(interval=0.05)
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(
            *(
                read_events(session, base + "/stream", headers={"Last-Event-ID": str(n)})
                for n in (-1, 3, 8)
            )
        )
    assert [events for _, events in results] == [CORE, CORE[4:], CORE[9:]]


async def test_keep_alive_comments_while_working(serve: Serve) -> None:
    base = await serve(interval=0.3, ping_interval=0.05)
    raw = bytearray()
    async with aiohttp.ClientSession() as session, session.get(base + "/stream") as resp:
        async for chunk in resp.content.iter_any():
            raw += chunk
    parser = EventParser()
    assert parser.feed(bytes(raw)) == CORE
    # 1.2 s of work with a ping every 0.05 s: many comment lines, which change no event.
    assert raw.count(b": ping\r\n\r\n") >= 5


async def test_check_answers_what_stream_would_without_starting_a_run(launch: Launch) -> None:
    server = await launch(create_app(Settings(interval=30, max_streams=1)))
    registry = server.app[REGISTRY]
    async with aiohttp.ClientSession() as session:

        async def check(last_event_id: str | None = None) -> object:
            headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
            async with session.get(server.url + "/stream/check", headers=headers) as resp:
                assert resp.status == 200
                assert resp.headers["Cache-Control"] == "no-store"
                return await resp.json()

        assert await check() == {"status": 200}
        assert await check("3") == {"status": 200}
        assert await check("abc") == {"status": 200}
        assert await check("10") == {"status": 204}
        assert len(registry) == 0, "a check started a run"
        held = await session.get(server.url + "/stream")  # the only stream this server serves
        assert len(registry) == 1
        assert await check() == {"status": 503, "retry_after": RETRY_AFTER_SECONDS}
        assert await check("10") == {"status": 204}
        async with session.get(server.url + "/stream") as refused:
            assert refused.status == 503
            assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert len(registry) == 1
        held.close()
