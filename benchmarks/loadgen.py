"""A lean SSE load generator: raw asyncio protocols, one pre-built GET, cheap event counting.

Each stream is a new TCP connection that sends the same request bytes, de-chunks the
body as it arrives and counts events by their blank-line separators (an LF or CRLF
blank line; comments are not expected at interval 0). A stream is complete when the
chunked terminator arrives with status 200 and the expected number of events.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, cast

_HEAD_END = b"\r\n\r\n"


def build_request(host: str, port: int, path: str = "/stream") -> bytes:
    """The GET every connection sends, built once."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()


def count_separators(body: bytes | bytearray) -> int:
    """Blank lines that end an event, in an LF- or CRLF-framed body."""
    return body.count(b"\n\n") + body.count(b"\n\r\n")


class StreamClient(asyncio.Protocol):
    """One GET /stream: parses the head and chunked body, resolves ``done`` at the terminator."""

    __slots__ = (
        "_buf",
        "_pos",
        "body",
        "done",
        "first_event",
        "first_future",
        "request",
        "status",
        "transport",
    )

    def __init__(self, request: bytes, done: asyncio.Future[None]) -> None:
        self.request = request
        self.done = done
        self.first_future: asyncio.Future[None] | None = None
        self.transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._pos = -1  # where the next chunk-size line starts; -1 until the head is in
        self.body = bytearray()
        self.status = 0
        self.first_event = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the request at once."""
        # uvloop's transports implement the interface without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        """Take the head, then whole chunks; stop at ``0\\r\\n\\r\\n``."""
        buf = self._buf
        buf += data
        pos = self._pos
        if pos < 0:
            end = buf.find(_HEAD_END)
            if end < 0:
                return
            self.status = int(buf[9:12]) if buf.startswith(b"HTTP/1.") else -1
            pos = end + 4
        grew = finished = False
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
            self.body += buf[start : start + size]
            grew = True
            pos = start + size + 2
        if pos > 0:
            del buf[:pos]
            pos = 0
        self._pos = pos
        if grew and self.first_event == 0.0 and count_separators(self.body):
            self.first_event = time.perf_counter()
            if self.first_future is not None and not self.first_future.done():
                self.first_future.set_result(None)
        if finished:
            self._finish()

    def _finish(self) -> None:
        if not self.done.done():
            self.done.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def abandon(self) -> None:
        """Drop the connection; nobody waits on it any more."""
        for future in (self.done, self.first_future):
            if future is not None and not future.done():
                future.cancel()
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        """A connection closed before the terminator fails the stream."""
        if not self.done.done():
            self.done.set_exception(exc or ConnectionResetError("closed before the end"))
        if self.first_future is not None and not self.first_future.done():
            self.first_future.set_exception(exc or ConnectionResetError("closed early"))


@dataclass
class StreamRun:
    """What one closed-loop run measured inside its window."""

    concurrency: int
    duration: float
    complete: int = 0
    events: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    """Seconds from starting the connection to the first event, per complete stream."""
    server_cpu: float = 0.0
    """CPU seconds the server used inside the window (0 when not measured)."""

    @property
    def streams_per_s(self) -> float:
        """Complete streams per second."""
        return self.complete / self.duration

    @property
    def streams_per_cpu_s(self) -> float:
        """Complete streams per second of server CPU time: less sensitive to a busy machine."""
        return self.complete / self.server_cpu if self.server_cpu > 0 else float("nan")

    @property
    def events_per_s(self) -> float:
        """Events of complete streams per second."""
        return self.events / self.duration


async def run_streams(
    host: str,
    port: int,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    expected_events: int,
    stream_timeout: float = 30.0,
    server_cpu: Callable[[], float] | None = None,
) -> StreamRun:
    """Keep ``concurrency`` streams open back to back; count those ending inside the window.

    ``server_cpu`` reads the server's CPU seconds: called at both ends of the window.
    """
    loop = asyncio.get_running_loop()
    request = build_request(host, port)
    result = StreamRun(concurrency, duration)
    start = time.perf_counter()
    window_start = start + warmup
    window_end = window_start + duration

    async def one() -> None:
        done = loop.create_future()
        client = StreamClient(request, done)
        began = time.perf_counter()
        try:
            async with asyncio.timeout(stream_timeout):
                await loop.create_connection(lambda: client, host, port)
                await done
        except (OSError, TimeoutError):
            ended = time.perf_counter()
            if window_start <= ended < window_end:
                result.errors += 1
            client.abandon()
            return
        except asyncio.CancelledError:
            client.abandon()
            raise
        ended = time.perf_counter()
        if not window_start <= ended < window_end:
            return
        events = count_separators(client.body)
        if client.status == 200 and events == expected_events:
            result.complete += 1
            result.events += events
            result.latencies.append(client.first_event - began)
        else:
            result.errors += 1

    async def worker() -> None:
        while time.perf_counter() < window_end:
            await one()

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        await asyncio.sleep(window_start - time.perf_counter())
        cpu_start = server_cpu() if server_cpu is not None else 0.0
        await asyncio.sleep(window_end - time.perf_counter())
        if server_cpu is not None:
            result.server_cpu = server_cpu() - cpu_start
        # Streams still open at the end of the window do not count; give them a moment.
        await asyncio.wait(workers, timeout=stream_timeout)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return result


class HeldConnections:
    """``async with HeldConnections(...)``: open ``n`` streams, wait for first events, hold."""

    def __init__(
        self, host: str, port: int, n: int, *, parallel: int = 100, timeout: float = 120.0
    ) -> None:
        self.host = host
        self.port = port
        self.n = n
        self.parallel = parallel
        self.timeout = timeout
        self.clients: list[StreamClient] = []
        self.connected = 0
        self.errors = 0
        self.seconds = 0.0
        """Time from the first connect to the last first event."""

    async def __aenter__(self) -> HeldConnections:
        loop = asyncio.get_running_loop()
        request = build_request(self.host, self.port)
        gate = asyncio.Semaphore(self.parallel)

        async def one() -> None:
            client = StreamClient(request, loop.create_future())
            client.first_future = loop.create_future()
            self.clients.append(client)
            async with gate:
                try:
                    await loop.create_connection(lambda: client, self.host, self.port)
                    await client.first_future
                except OSError:
                    self.errors += 1
                    return
            self.connected += 1

        start = time.perf_counter()
        async with asyncio.timeout(self.timeout):
            await asyncio.gather(*(one() for _ in range(self.n)))
        self.seconds = time.perf_counter() - start
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for client in self.clients:
            client.abandon()
        # Let the close callbacks run so the sockets are really gone.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.01)
        self.clients.clear()


def run(coro: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop when installed (a leaner load generator), else on asyncio's loop."""
    if importlib.util.find_spec("uvloop") is not None:
        # Imported by name: uvloop is in the bench extra only, and mypy runs without it.
        uvloop: Any = importlib.import_module("uvloop")
        uvloop.run(coro)
    else:
        asyncio.run(coro)
