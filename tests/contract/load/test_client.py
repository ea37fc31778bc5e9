"""The load client records what the suite's client records: the same replies through
``run.client.record`` (aiohttp) and ``load.client.record_lean`` (asyncio protocols) give
the same status, head, events, framing counts and ending; and hostile servers end alike."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from contract import Ending, Limits, Recording
from contract.load.client import Request, record_lean
from contract.run.client import record
from contract.run.target import Target
from tests.contract.support import CORE_EVENTS
from tests.servers.compressed import compressed_reply
from tests.servers.scripted import Reply, Step, core_steps, serve_app, split_bytes
from tests.support.serving import serve_app as serve

LIMITS = Limits(seconds=1.0, idle_seconds=0.5, max_event_bytes=16 * 1024, max_bytes=64 * 1024)
BOUND = 10.0


def target(base: str, path: str = "/stream") -> Target:
    return Target(base + path, terminal=lambda e: e.type == "close", grace=0.2)


async def both(base: str, path: str = "/stream") -> tuple[Recording, Recording]:
    """The same request recorded by the suite's client, then by the load client."""
    async with asyncio.timeout(BOUND):
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            suite = await record(session, target(base, path), LIMITS)
        lean, connected = await record_lean(Request.of(target(base, path)), LIMITS)
    assert connected is not None or lean.ending is Ending.UNREACHABLE
    return suite, lean


def same(suite: Recording, lean: Recording) -> None:
    assert (lean.status, lean.ending) == (suite.status, suite.ending), (lean.detail, suite.detail)
    assert lean.event_list() == suite.event_list()
    wanted = {k: v for k, v in lean.headers if k.lower() == "content-type"}
    assert wanted == {k: v for k, v in suite.headers if k.lower() == "content-type"}
    for name in (
        "total_bytes",
        "lf",
        "crlf",
        "cr",
        "comments",
        "bom",
        "cut_off",
        "invalid_utf8_lines",
    ):
        assert getattr(lean.framing, name) == getattr(suite.framing, name), name


CRLF = [s.replace(b"\n", b"\r\n") if isinstance(s, bytes) else s for s in core_steps(0.01)]
REPLIES: dict[str, list[Step]] = {
    "the demo's stream": core_steps(0.01),
    "CRLF, a BOM and comments": [b"\xef\xbb\xbf: hi\r\n\r\n", *CRLF, b": bye\r\n\r\n"],
    "one byte per write": split_bytes(core_steps(0.0)),
    "an unterminated last event": [*core_steps(0.0), b"data: cut"],
    "invalid UTF-8": [b"data: \xff\xfe\n\n", *core_steps(0.0)],
}


@pytest.mark.parametrize("name", sorted(REPLIES))
async def test_both_clients_record_the_same(name: str) -> None:
    steps = REPLIES[name]
    async with serve_app(lambda request: Reply(steps)) as base:
        same(*await both(base))


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_both_clients_decode_a_compressed_stream_alike(coding: str) -> None:
    reply = compressed_reply(coding, core_steps(0.01))
    async with serve_app(lambda request: reply) as base:
        suite, lean = await both(base)
    same(suite, lean)
    assert [e.data for e in lean.event_list()] == [e.data for e in CORE_EVENTS]


@pytest.mark.parametrize(
    ("reply", "ending"),
    [
        (Reply([*core_steps(0.0)[:3]], then="reset"), Ending.RESET),
        (Reply([b": ping\n\n"], then="hang"), Ending.TIMEOUT),
        (Reply([b"data: " + b"x" * 20_000 + b"\n\n"]), Ending.LIMIT),
        (Reply([b"data: x\n\n" * 10_000]), Ending.LIMIT),
        (Reply([b"nope"], 500, {"Content-Type": "text/plain"}), Ending.EOF),
    ],
    ids=["reset", "hang", "long event", "too many bytes", "500"],
)
async def test_hostile_servers_end_alike(reply: Reply, ending: Ending) -> None:
    async with serve_app(lambda request: reply) as base:
        suite, lean = await both(base)
    assert lean.ending is suite.ending is ending
    assert lean.status == suite.status
    assert len(lean.events) == len(suite.events)


async def test_redirects_are_followed_and_a_loop_is_an_error() -> None:
    def moved(to: str) -> Reply:
        return Reply(status=302, headers={"Location": to})

    routes = {"/old": lambda request: moved("/stream"), "/loop": lambda request: moved("/loop")}
    async with serve_app(lambda request: Reply(core_steps(0.0)), routes) as base:
        suite, lean = await both(base, "/old")
        same(suite, lean)
        assert [e.data for e in lean.event_list()] == [e.data for e in CORE_EVENTS]
        suite, lean = await both(base, "/loop")
    assert lean.ending is suite.ending is Ending.ERROR
    assert lean.detail == f"redirect loop: more than {LIMITS.max_redirects} redirects"


async def test_nothing_listening_is_unreachable_and_a_mute_server_times_out() -> None:
    suite, lean = await both("http://127.0.0.1:9")
    assert lean.ending is suite.ending is Ending.UNREACHABLE
    assert lean.detail.startswith("connection refused")

    async def mute(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(5)
        raise AssertionError("unreachable")

    app = web.Application()
    app.router.add_get("/stream", mute)
    async with serve(app, shutdown_timeout=0.1) as running:
        lean, connected = await record_lean(Request.of(target(running.url)), LIMITS)
    assert connected is not None
    assert lean.ending is Ending.TIMEOUT
    assert lean.detail == "no response head: nothing received for 0.5 s (idle timeout)"
