"""Servers that flood: each sends as fast as the socket takes it, to every request at once.

Raw asyncio on 127.0.0.1 port 0, so a response may break HTTP framing (a chunk
size of 2^48). Every response stops when the client goes away (a write fails) or
at a hard cap of time or bytes, whichever comes first, so a client that never
stops cannot keep the test run busy. ``serve_flood(flood, resumed_only=True)``
answers a request without a position (no ``Last-Event-ID``, no ``last_event_id=``)
with the demo's 11 events, its terminal id 10 with 204, and floods the requests
that resume from any other position: the resume fuzzer then has a reference to
fuzz against, and every reconnection in the middle of the stream floods.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

from contract import encode
from tests.contract.support import CORE_EVENTS

from .compressed import bomb

HARD_CAP_SECONDS = 30.0
"""Seconds one response floods at most, whatever the client does."""
HARD_CAP_BYTES = 2 << 30
"""Bytes one response sends at most."""
BLOCK = 64 * 1024
"""Bytes per write: large enough that the server is never the bottleneck."""


def _repeat(unit: bytes) -> bytes:
    return unit * max(1, BLOCK // len(unit))


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _forever(block: bytes) -> Iterator[bytes]:
    while True:
        yield block


@dataclass(frozen=True)
class Flood:
    """A response: its head after the status line, and the raw bytes after the head."""

    name: str
    body: Callable[[], Iterator[bytes]]
    headers: bytes = b"Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"


def events_flood() -> Iterator[bytes]:
    """Tiny complete events, ``data: x``, chunked."""
    return _forever(_chunk(_repeat(b"data: x\n\n")))


def comments_flood() -> Iterator[bytes]:
    """Comment lines only, ``: ping``, chunked: no event ever."""
    return _forever(_chunk(_repeat(b": ping\n")))


def data_lines_flood() -> Iterator[bytes]:
    """Data lines of one event that never ends, ``data: x`` with no blank line."""
    return _forever(_chunk(_repeat(b"data: x\n")))


def id_events_flood() -> Iterator[bytes]:
    """Tiny complete events with increasing ids, ``id: N`` and ``data: x``, chunked."""
    start = 0
    while True:
        yield _chunk(b"".join(b"id: %d\ndata: x\n\n" % n for n in range(start, start + 4096)))
        start += 4096


def misfit_events_flood() -> Iterator[bytes]:
    """Named events with a new id each whose data fits no kind: each is a distinct misfit."""
    start = 0
    while True:
        block = b"".join(
            b"event: progress\nid: %d\ndata: no task %d\n\n" % (n, n)
            for n in range(start, start + 2048)
        )
        yield _chunk(block)
        start += 2048


def giant_chunk_flood() -> Iterator[bytes]:
    """One chunk that claims 2^48 bytes, then tiny complete events for as long as it lasts."""
    yield b"%x\r\n" % (1 << 48)
    yield from _forever(_repeat(b"data: x\n\n"))


def wide_events_flood(event_bytes: int = 255 * 1024) -> Iterator[bytes]:
    """Events just under the default event size limit whose data decodes to 4-byte characters.

    One astral character makes CPython store the whole string at 4 bytes per character,
    and each invalid byte becomes one U+FFFD: the most memory a received byte can cost.
    """
    line = b"data: \xf0\x9f\x8c\x8a" + b"\xff" * (event_bytes - 12) + b"\n\n"
    return _forever(_chunk(line))


def bomb_flood(coding: str) -> Callable[[], Iterator[bytes]]:
    """A compression bomb, chunked: 16 MiB of comment lines for every few hundred bytes sent
    (gzip and zstd without end, br one unit of 16 MiB)."""
    return lambda: (_chunk(unit) for unit in bomb(coding))


def _bomb(coding: str) -> Flood:
    head = b"Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
    return Flood(
        f"{coding}-bomb", bomb_flood(coding), head + b"Content-Encoding: %s\r\n" % coding.encode()
    )


FLOODS = {
    flood.name: flood
    for flood in (
        *(_bomb(coding) for coding in ("gzip", "br", "zstd")),
        Flood("events", events_flood),
        Flood("id-events", id_events_flood),
        Flood("misfit-events", misfit_events_flood),
        Flood("comments", comments_flood),
        Flood("data-lines", data_lines_flood),
        Flood("giant-chunk", giant_chunk_flood),
        Flood("wide-events", wide_events_flood),
    )
}


@dataclass
class Served:
    """A flood being served: its base URL and what it sent, per response."""

    url: str
    sent: list[int] = field(default_factory=list)
    """Bytes sent on each response, in the order the requests came."""
    flooded: int = 0
    """Responses that flooded (all of them unless only resumed requests flood)."""


def position(head: bytes) -> bytes | None:
    """The position a request head resumes from: ``Last-Event-ID``, else ``last_event_id=``."""
    request_line, _, headers = head.partition(b"\r\n")
    for line in headers.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() == b"last-event-id":
            return value.strip()
    found = re.search(rb"[?&]last_event_id=([^&\s]*)", request_line)
    return None if found is None else found.group(1)


HONEST = _chunk(encode(CORE_EVENTS)) + b"0\r\n\r\n"
"""The demo's stream, whole and chunked: the answer to a request without a position."""
TERMINAL = CORE_EVENTS[-1].last_event_id.encode()


async def _respond(
    flood: Flood,
    served: Served,
    resumed_only: bool,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    index = len(served.sent)
    served.sent.append(0)
    deadline = time.monotonic() + HARD_CAP_SECONDS
    try:
        async with asyncio.timeout(HARD_CAP_SECONDS):
            head = await reader.readuntil(b"\r\n\r\n")
        if resumed_only and position(head) in (None, TERMINAL):
            honest = HONEST if position(head) is None else b""
            status = b"200 OK" if honest else b"204 No Content"
            headers = flood.headers if honest else b""
            writer.write(b"HTTP/1.1 " + status + b"\r\n" + headers + b"\r\n" + honest)
            served.sent[index] += len(honest)
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 OK\r\n" + flood.headers + b"\r\n")
        served.flooded += 1
        for block in flood.body():
            if served.sent[index] >= HARD_CAP_BYTES or time.monotonic() >= deadline:
                break
            writer.write(block)
            served.sent[index] += len(block)
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                await writer.drain()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass  # the client went away, or the cap ran out while it stopped reading
    finally:
        writer.transport.abort()


@contextlib.asynccontextmanager
async def serve_flood(flood: Flood, *, resumed_only: bool = False) -> AsyncIterator[Served]:
    """Serve ``flood`` to every request on 127.0.0.1:0 until the block exits (with
    ``resumed_only``, to requests with a position; the others get the demo's stream)."""
    tasks: set[asyncio.Task[None]] = set()
    served = Served("")

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(_respond(flood, served, resumed_only, reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    served.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/stream"
    try:
        yield served
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
