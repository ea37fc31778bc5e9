"""A lean SSE load generator for ``GET /stream``: closed-loop streams, and held ones.

Each stream is a new TCP connection that sends the same request bytes, de-chunks the
body as it arrives (``rawhttp``) and counts events by their blank-line separators (an
LF or CRLF blank line; comments are not expected at interval 0). A stream is complete
when the chunked terminator arrives with status 200 and the expected number of events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from benchmarks.rawhttp import ChunkedClient, Crowd, build_request


def count_separators(body: bytes | bytearray) -> int:
    """Blank lines that end an event, in an LF- or CRLF-framed body."""
    return body.count(b"\n\n") + body.count(b"\n\r\n")


class StreamClient(ChunkedClient):
    """One GET /stream: resolves ``first_future`` at the first event, ``done`` at the end."""

    __slots__ = ("first_event", "first_future")

    def __init__(self, request: bytes, done: asyncio.Future[None]) -> None:
        super().__init__(request, done)
        self.first_future: asyncio.Future[None] | None = None
        self.first_event = 0.0

    def data_received(self, data: bytes) -> None:
        """Note the first event's time; at the terminator, resolve ``done`` and close."""
        body = self.body
        before = len(body)
        ended = self.dechunk(data)
        if self.first_event == 0.0 and len(body) > before and count_separators(body):
            self.first_event = time.perf_counter()
            if self.first_future is not None and not self.first_future.done():
                self.first_future.set_result(None)
        if ended:
            self.finish()

    def pending(self) -> Iterable[asyncio.Future[None] | None]:
        """The end, and the first event when someone waits for it."""
        return (self.done, self.first_future)


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


class HeldConnections(Crowd[StreamClient]):
    """``async with HeldConnections(...)``: open ``n`` streams, wait for first events, hold."""

    def __init__(self, host: str, port: int, n: int) -> None:
        super().__init__(host, port, n)
        self._request = build_request(host, port)

    def client(self) -> StreamClient:
        """A stream whose first event someone waits for."""
        loop = asyncio.get_running_loop()
        client = StreamClient(self._request, loop.create_future())
        client.first_future = loop.create_future()
        return client

    async def ready(self, client: StreamClient) -> bool:
        """Held once its first events are in."""
        assert client.first_future is not None
        await client.first_future
        return True
