"""Held viewers of one job for the fan-out benchmark: raw protocols that check and time events.

Each viewer is a TCP connection reading ``GET /jobs/{id}/events``: it de-chunks the
body, splits it into events, skips keep-alive comments, and checks that the
benchmark's ``progress`` events (data ``SEQ WRITTEN_NS``) arrive in order, each once.
The ``Audience`` counts, per event, the viewers that have read it; when the last one
has, it records that moment (``CLOCK_MONOTONIC``, the clock the server stamped the
write with) and wakes whoever waits for the event.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType
from typing import cast

from .loadgen import build_request

_HEAD_END = b"\r\n\r\n"
_EVENT_END = b"\r\n\r\n"
_CLOSE_LINE = b"\r\nevent: close\r\n"
_DATA = b"data: "


class JobViewer(asyncio.Protocol):
    """One viewer: parses the head, the chunked body and the events in it."""

    __slots__ = (
        "_audience",
        "_body",
        "_buf",
        "_pos",
        "_request",
        "closed",
        "done",
        "head",
        "next_seq",
        "status",
        "transport",
    )

    def __init__(self, request: bytes, audience: Audience) -> None:
        loop = asyncio.get_running_loop()
        self._audience = audience
        self._buf = bytearray()
        self._body = bytearray()
        self._pos = -1  # where the next chunk-size line starts; -1 until the head is in
        self.head: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.status = 0
        self.next_seq = 0
        self.closed = False
        """True once ``close`` arrived."""
        self._request = request

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the request at once."""
        # uvloop's transports implement the interface without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        """Take the head, then whole chunks, then whole events; stop at ``0\\r\\n\\r\\n``."""
        now = time.monotonic_ns()
        buf = self._buf
        buf += data
        pos = self._pos
        if pos < 0:
            end = buf.find(_HEAD_END)
            if end < 0:
                return
            self.status = int(buf[9:12]) if buf.startswith(b"HTTP/1.") else -1
            pos = end + 4
            if not self.head.done():
                self.head.set_result(None)
        body = self._body
        finished = False
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                break
            size = int(buf[pos:eol].split(b";", 1)[0], 16)
            if size == 0:
                finished = len(buf) >= eol + 4
                break
            start = eol + 2
            if len(buf) < start + size + 2:
                break
            body += buf[start : start + size]
            pos = start + size + 2
        if pos > 0:
            del buf[:pos]
            pos = 0
        self._pos = pos
        start = 0
        while (end := body.find(_EVENT_END, start)) >= 0:
            self._event(body[start:end], now)
            start = end + 4
        if start:
            del body[:start]
        if finished:
            if not self.done.done():
                self.done.set_result(None)
            if self.transport is not None:
                self.transport.close()

    def _event(self, block: bytearray, now: int) -> None:
        if block.startswith(b":"):
            return  # a keep-alive comment
        if _CLOSE_LINE in block:
            self.closed = True
            return
        seq_text, _, written = block[block.rfind(_DATA) + len(_DATA) :].partition(b" ")
        seq = int(seq_text)
        if seq != self.next_seq:
            self._audience.errors += 1
        self.next_seq = seq + 1
        self._audience.read(seq, int(written), now)

    def abandon(self) -> None:
        """Drop the connection; nobody waits on it any more."""
        for future in (self.head, self.done):
            if not future.done():
                future.cancel()
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        """A connection that closes before the body's end fails the viewer."""
        for future in (self.head, self.done):
            if not future.done():
                future.set_exception(exc or ConnectionResetError("closed before the end"))


class Audience:
    """``async with Audience(...)``: ``n`` viewers of ``path``, connected and holding."""

    def __init__(
        self, host: str, port: int, path: str, n: int, *, parallel: int = 100, timeout: float = 120
    ) -> None:
        self.host = host
        self.port = port
        self.path = path
        self.n = n
        self.parallel = parallel
        self.timeout = timeout
        self.viewers: list[JobViewer] = []
        self.connected = 0
        self.errors = 0
        """Viewers that failed to connect or got a status other than 200, events out of order."""
        self.written: dict[int, int] = {}
        """Per event: when the server appended it (ns, ``CLOCK_MONOTONIC``)."""
        self.last_read: dict[int, int] = {}
        """Per event: when the last viewer read it (ns, ``CLOCK_MONOTONIC``)."""
        self._reads: dict[int, int] = {}
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def read(self, seq: int, written: int, now: int) -> None:
        """A viewer read event ``seq``; the last one to do so completes the event."""
        count = self._reads.get(seq, 0) + 1
        self._reads[seq] = count
        if count == self.connected:
            self.written[seq] = written
            self.last_read[seq] = now
            waiter = self._waiting.pop(seq, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def expect(self, seq: int) -> asyncio.Future[None]:
        """A future resolved once every viewer has read event ``seq``."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if seq in self.last_read:
            waiter.set_result(None)
        else:
            self._waiting[seq] = waiter
        return waiter

    def delays_ms(self, seqs: range) -> list[float]:
        """Per event of ``seqs``: from the server's write to the last viewer's read, in ms."""
        return [(self.last_read[s] - self.written[s]) / 1e6 for s in seqs]

    async def ended(self) -> None:
        """Wait until every viewer's body has ended; count those that missed ``close``."""
        async with asyncio.timeout(self.timeout):
            results = await asyncio.gather(
                *(v.done for v in self.viewers if v.status == 200), return_exceptions=True
            )
        self.errors += sum(1 for r in results if isinstance(r, BaseException))
        self.errors += sum(1 for v in self.viewers if v.status == 200 and not v.closed)

    async def __aenter__(self) -> Audience:
        loop = asyncio.get_running_loop()
        request = build_request(self.host, self.port, self.path)
        gate = asyncio.Semaphore(self.parallel)

        async def one() -> None:
            viewer = JobViewer(request, self)
            self.viewers.append(viewer)
            async with gate:
                try:
                    await loop.create_connection(lambda: viewer, self.host, self.port)
                    await viewer.head
                except OSError:
                    self.errors += 1
                    return
            if viewer.status == 200:
                self.connected += 1
            else:
                self.errors += 1

        async with asyncio.timeout(self.timeout):
            await asyncio.gather(*(one() for _ in range(self.n)))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for viewer in self.viewers:
            viewer.abandon()
        # Let the close callbacks run so the sockets are really gone.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.01)
        self.viewers.clear()
