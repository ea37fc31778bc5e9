"""``FramedEventSourceResponse`` alone, on real sockets: pings, send timeout, sockopts, 405."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from aiohttp_sse import sse_response

from aiohttp_sse_demo.response import FramedEventSourceResponse
from tests.conftest import Launch
from tests.support.serving import HOST, wait_for

PING = 0.05
FIRST = b"data: first\r\n\r\n"
LAST = b"data: last\r\n\r\n"
PING_COMMENT = b": ping\r\n\r\n"
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", None)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Held:
    """Sends ``FIRST``, stays open until ``release`` is set, then ends with ``LAST``."""

    ping_interval: float = 60.0
    send_timeout: float = 5.0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    responses: list[FramedEventSourceResponse] = field(default_factory=list)

    async def handler(self, request: web.Request) -> web.StreamResponse:
        """The ``/sse`` handler."""
        async with sse_response(
            request,
            ping_interval=self.ping_interval,
            send_timeout=self.send_timeout,
            response_cls=FramedEventSourceResponse,
        ) as resp:
            self.responses.append(resp)
            await resp.send_frame(FIRST, self.send_timeout)
            await self.release.wait()
            await resp.send_frame(LAST, self.send_timeout, last=True)
        return resp


def app_for(handler: Handler, method: str = "GET") -> web.Application:
    """An app answering ``/sse`` with ``handler`` for ``method`` ("*" for any)."""
    app = web.Application()
    app.router.add_route(method, "/sse", handler)
    return app


async def test_pings_are_re_armed_while_the_stream_is_open(launch: Launch) -> None:
    held = Held(ping_interval=PING)
    server = await launch(app_for(held.handler))
    raw = bytearray()
    pings: list[float] = []
    async with aiohttp.ClientSession() as session, session.get(server.url + "/sse") as resp:
        start = time.monotonic()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(40 * PING):
                while len(pings) < 5:
                    chunk = await resp.content.readany()
                    raw += chunk
                    pings += [time.monotonic() - start] * chunk.count(PING_COMMENT)
        held.release.set()
        raw += await resp.content.read()
    assert len(pings) >= 5, f"{len(pings)} ping(s) in {40 * PING} s: the timer was not re-armed"
    assert raw.startswith(FIRST)
    assert raw.endswith(LAST)
    between = bytes(raw[len(FIRST) : -len(LAST)])
    assert between == PING_COMMENT * between.count(PING_COMMENT), between
    # One timer per stream: a second one would halve some gaps.
    gaps = [b - a for a, b in zip([0.0, *pings], pings, strict=False)]
    assert min(gaps) >= PING * 0.8, gaps
    (stream,) = held.responses
    assert stream._ping_handle is None, "a ping timer outlived its stream"
    assert stream._ping_task is None


async def test_a_client_that_does_not_read_is_dropped_after_send_timeout(launch: Launch) -> None:
    # 0.5 s is under the kernel's own drop (TCP_USER_TIMEOUT of 0.5 s, checked on
    # zero-window probes at 0.2, 0.6 and 1.4 s), so the response's timeout acts first.
    send_timeout = 0.5
    big = b"data: " + b"x" * (256 * 1024) + b"\r\n\r\n"
    outcome: dict[str, object] = {}
    dropped = asyncio.Event()

    async def flood(request: web.Request) -> web.StreamResponse:
        async with sse_response(
            request,
            ping_interval=60,
            send_timeout=send_timeout,
            response_cls=FramedEventSourceResponse,
        ) as resp:
            try:
                while True:
                    began = time.monotonic()
                    await resp.send_frame(big, send_timeout)
            except (TimeoutError, ConnectionResetError) as exc:
                outcome.update(error=type(exc), waited=time.monotonic() - began, request=request)
                outcome["connected"] = resp.is_connected()
                dropped.set()
        return resp

    server = await launch(app_for(flood))
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        client.connect((HOST, server.port))
        client.sendall(f"GET /sse HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        # ... and never reads.
        await asyncio.wait_for(dropped.wait(), timeout=10)
        request = outcome["request"]
        assert isinstance(request, web.BaseRequest)
        assert await wait_for(lambda: request.transport is None, within=2), "still connected"
    assert outcome["error"] is TimeoutError, outcome
    assert outcome["connected"] is False
    waited = outcome["waited"]
    assert isinstance(waited, float)
    print(f"stalled client dropped after a write waited {waited:.3f} s (send_timeout 0.5 s)")
    assert waited >= send_timeout * 0.9


async def test_tcp_user_timeout_is_restored_to_its_saved_value(launch: Launch) -> None:
    assert TCP_USER_TIMEOUT is not None, "this test needs Linux's TCP_USER_TIMEOUT"
    saved = 4321  # ms: what someone else set on the connection before the stream
    send_timeout = 2.5
    seen: dict[str, int] = {}
    sockets: list[socket.socket] = []

    async def stream(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        sock = request.transport.get_extra_info("socket")
        sockets.append(sock)

        def value() -> int:
            return int(sock.getsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT))

        sock.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, saved)
        async with sse_response(
            request, send_timeout=send_timeout, response_cls=FramedEventSourceResponse
        ) as resp:
            seen["prepared"] = value()
            await resp.send_frame(FIRST, send_timeout)  # the stream stays open
            seen["open"] = value()
            await resp.send_frame(LAST, send_timeout, last=True)
            seen["ended"] = value()
        return resp

    server = await launch(app_for(stream))
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + "/sse") as resp:
            assert await resp.read() == FIRST + LAST
        # The connection is kept alive for the next request: read the option on it now.
        (sock,) = sockets
        after = sock.getsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT)
    assert seen == {"prepared": saved, "open": int(send_timeout * 1000), "ended": saved}
    assert after == saved


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
async def test_other_methods_get_405_naming_get(launch: Launch, method: str) -> None:
    held = Held()
    held.release.set()
    server = await launch(app_for(held.handler, "*"))
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, server.url + "/sse") as resp,
    ):
        assert resp.status == 405
        assert resp.headers["Allow"] == "GET"
    assert held.responses == []


async def test_allow_all_methods_streams_any_method(launch: Launch) -> None:
    async def stream(request: web.Request) -> web.StreamResponse:
        async with sse_response(
            request, allow_all_methods=True, response_cls=FramedEventSourceResponse
        ) as resp:
            await resp.send_frame(LAST, None, last=True)
        return resp

    server = await launch(app_for(stream, "*"))
    async with aiohttp.ClientSession() as session, session.post(server.url + "/sse") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/event-stream"
        assert await resp.read() == LAST
