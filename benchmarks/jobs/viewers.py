"""Held viewers of one job for the fan-out benchmark: raw protocols that check and time events.

Each viewer is a TCP connection reading ``GET /jobs/{id}/events``: it de-chunks the
body (``rawhttp``), splits it into events, skips keep-alive comments, and checks that
the benchmark's ``progress`` events (data ``SEQ WRITTEN_NS``) arrive in order, each
once. The ``Audience`` counts, per event, the viewers that have read it; when the last
one has, it records that moment (``CLOCK_MONOTONIC``, the clock the server stamped the
write with) and wakes whoever waits for the event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from benchmarks.rawhttp import ChunkedClient, Crowd, build_request

_EVENT_END = b"\r\n\r\n"
_CLOSE_LINE = b"\r\nevent: close\r\n"
_DATA = b"data: "


class JobViewer(ChunkedClient):
    """One viewer: the events of its body, each checked and reported to the audience."""

    __slots__ = ("_audience", "closed", "head", "next_seq")

    def __init__(self, request: bytes, audience: Audience) -> None:
        loop = asyncio.get_running_loop()
        super().__init__(request, loop.create_future())
        self._audience = audience
        self.head: asyncio.Future[None] = loop.create_future()
        self.next_seq = 0
        self.closed = False
        """True once ``close`` arrived."""

    def head_received(self) -> None:
        """Whoever waits for the connection to be held may go on."""
        if not self.head.done():
            self.head.set_result(None)

    def data_received(self, data: bytes) -> None:
        """Take the whole events; at the body's end, resolve ``done`` and close."""
        now = time.monotonic_ns()
        ended = self.dechunk(data)
        body = self.body
        start = 0
        while (end := body.find(_EVENT_END, start)) >= 0:
            self._event(body[start:end], now)
            start = end + 4
        if start:
            del body[:start]
        if ended:
            self.finish()

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

    def pending(self) -> Iterable[asyncio.Future[None] | None]:
        """The head, and the body's end."""
        return (self.head, self.done)


class Audience(Crowd[JobViewer]):
    """``async with Audience(...)``: ``n`` viewers of ``path``, connected and holding."""

    def __init__(self, host: str, port: int, path: str, n: int) -> None:
        super().__init__(host, port, n)
        self._request = build_request(host, port, path)
        self.written: dict[int, int] = {}
        """Per event: when the server appended it (ns, ``CLOCK_MONOTONIC``)."""
        self.last_read: dict[int, int] = {}
        """Per event: when the last viewer read it (ns, ``CLOCK_MONOTONIC``)."""
        self._reads: dict[int, int] = {}
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def client(self) -> JobViewer:
        """A viewer reporting to this audience."""
        return JobViewer(self._request, self)

    async def ready(self, client: JobViewer) -> bool:
        """Held once its head is in with status 200."""
        await client.head
        return client.status == 200

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
        held = [v for v in self.clients if v.status == 200]
        async with asyncio.timeout(self.timeout):
            results = await asyncio.gather(*(v.done for v in held), return_exceptions=True)
        self.errors += sum(1 for r in results if isinstance(r, BaseException))
        self.errors += sum(1 for v in held if not v.closed)
