"""Scripted SSE servers: any framing, any mistake, on real sockets, for the contract suite's tests.

A ``Responder`` turns a request into a ``Reply``: a status, headers, and steps
(bytes written and flushed as they come, or pauses in seconds), and how the
response ends (normally, with a reset connection, or never). ``serve_app``
runs one on 127.0.0.1 port 0.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

from contract import Event, encode
from tests.contract.support import CORE_EVENTS, DEMO
from tests.support.serving import serve_app as serve

Step = bytes | float
"""Bytes to write and flush, or seconds to pause."""
WORK_BEFORE = frozenset(
    key for e in DEMO.events if e.pause_before for key in ((e.type, e.data), ("id", e.id))
)
"""The events that follow a unit of work in the contract's script, by type and data or by
id, so a server that gets one of them wrong still works at the same moments."""
SSE = {"Content-Type": "text/event-stream"}
HANG_LIMIT = 30.0
"""Seconds a hanging response keeps going at most, whatever the client does."""


@dataclass(frozen=True)
class Reply:
    """What the server answers: status, headers, body steps, and how the response ends."""

    steps: Iterable[Step] = ()
    """May be endless: a generator is consumed as it is written."""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=lambda: dict(SSE))
    then: Literal["end", "reset", "hang"] = "end"


Responder = Callable[[web.Request], Reply]


def last_event_id(request: web.Request) -> str | None:
    """The request's ``Last-Event-ID`` header, or ``None``."""
    return request.headers.get("Last-Event-ID")


def frame_steps(
    events: Iterable[Event],
    interval: float,
    frame: Callable[[Event], bytes] = lambda event: encode([event]),
) -> list[Step]:
    """Steps for ``events`` with the contract's pauses before ids 2, 3, 7 and 8."""
    steps: list[Step] = []
    for event in events:
        if (event.type, event.data) in WORK_BEFORE or ("id", event.last_event_id) in WORK_BEFORE:
            steps.append(interval)
        steps.append(frame(event))
    return steps


def core_steps(interval: float, after: int = -1) -> list[Step]:
    """The contract's stream after id ``after`` (``-1``: all of it), framed with LF."""
    return frame_steps(CORE_EVENTS[after + 1 :], interval)


def resume_after(request: web.Request) -> int:
    """The id to continue after, as the port decides it: -1 unless a plain integer 0..9 is sent."""
    value = last_event_id(request)
    if value is not None and value.isascii() and value.isdigit() and len(value) < 3:
        return int(value)
    return -1


def split_bytes(steps: Sequence[Step]) -> list[Step]:
    """The same steps with every write cut into one-byte writes."""
    out: list[Step] = []
    for step in steps:
        if isinstance(step, bytes):
            out.extend(step[i : i + 1] for i in range(len(step)))
        else:
            out.append(step)
    return out


async def send(request: web.Request, reply: Reply) -> web.StreamResponse:
    """Answer ``request`` with ``reply``: its steps written and flushed, then its ending."""
    if reply.status in (204, 301, 302, 303, 307, 308):
        return web.Response(status=reply.status, headers=reply.headers)
    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    with contextlib.suppress(ConnectionResetError):  # the client may leave before the head
        await response.prepare(request)
        for step in reply.steps:
            if isinstance(step, bytes):
                await response.write(step)
            else:
                await asyncio.sleep(step)
        if reply.then == "reset":
            assert request.transport is not None
            request.transport.abort()
            return response
        if reply.then == "hang":
            async with asyncio.timeout(HANG_LIMIT):
                while True:  # until the client goes away and a write fails
                    await asyncio.sleep(0.02)
                    await response.write(b": still here\n\n")
        await response.write_eof()
    return response


def _handler(responder: Responder) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await send(request, responder(request))

    return handle


@contextlib.asynccontextmanager
async def serve_app(
    responder: Responder, routes: Mapping[str, Responder] | None = None
) -> AsyncIterator[str]:
    """Serve ``responder`` at ``/stream`` (and ``routes``) on 127.0.0.1:0; yield the base URL."""
    app = web.Application()
    app.router.add_get("/stream", _handler(responder))
    for path, other in (routes or {}).items():
        app.router.add_get(path, _handler(other))
    async with serve(app, handler_cancellation=True, shutdown_timeout=0.5) as running:
        yield running.url
