"""A client that never reads is dropped after the send timeout, holding little memory meanwhile."""

from __future__ import annotations

import asyncio
import fcntl
import termios
import time
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from aiohttp_sse_demo import Settings
from aiohttp_sse_demo.keys import REGISTRY
from tests.support.serving import in_process, wait_for
from tests.support.sockets import open_stream, stalled_request

INTERVAL = 0.75
"""The run takes four intervals (3 s), well over filling the buffers plus the send timeout.

Once the run ends aiohttp-sse restores the socket's default TCP_USER_TIMEOUT, so the
drop must come first for the test to pass."""
PING_INTERVAL = 0.005
"""Keep-alive comments every 5 ms: the data that fills the stalled client's window."""
SEND_TIMEOUT = 0.5
RCVBUF = 1024
"""The stalled client's receive buffer (the kernel rounds it up to its minimum, about 2 KiB)."""
WRITE_BUFFER_BOUND = 2 * 65536 + 4096
"""aiohttp drains every 64 KiB written and asyncio pauses the writer above 64 KiB buffered."""


@dataclass
class Watch:
    """What the server holds for the stalled connection, sampled as it stalls."""

    transports: list[asyncio.Transport] = field(default_factory=list)
    peak_buffer: int = 0
    peak_queue: int = 0
    stalled_at: float | None = None
    """Since when bytes have sat unacknowledged in the kernel, without a break."""

    def sample(self) -> None:
        """Record the transport's write buffer and the kernel's send queue for the socket."""
        transport = self.transports[0]
        if transport.is_closing():
            return
        self.peak_buffer = max(self.peak_buffer, transport.get_write_buffer_size())
        sock = transport.get_extra_info("socket")
        queued = int.from_bytes(
            fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, bytes(4)), "little", signed=True
        )
        self.peak_queue = max(self.peak_queue, queued)
        if not queued:
            self.stalled_at = None
        elif self.stalled_at is None:
            self.stalled_at = time.monotonic()


async def normal_stream(port: int) -> tuple[float, int, bool]:
    """Read a whole stream as a well-behaved client: duration, events, whether it ended cleanly."""
    start = time.monotonic()
    stream = await open_stream(port, {"Connection": "close"})
    try:
        clean = await stream.read_to_end()
        return time.monotonic() - start, len(stream.events), clean
    finally:
        stream.close()


@pytest.mark.parametrize(
    "handler_cancellation",
    [
        pytest.param(False, id="run_app"),
        pytest.param(True, id="handler_cancellation", marks=pytest.mark.slow),
    ],
)
async def test_stalled_reader_is_dropped_and_bounded(handler_cancellation: bool) -> None:
    """The stalled stream ends about ``send_timeout`` after its window closes; others go on."""
    watch = Watch()

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if request.headers.get("X-Stall") and request.transport is not None:
            watch.transports.append(request.transport)

    def customize(app: web.Application) -> None:
        app.on_response_prepare.append(on_prepare)

    settings = Settings(interval=INTERVAL, ping_interval=PING_INTERVAL, send_timeout=SEND_TIMEOUT)
    async with in_process(
        settings, handler_cancellation=handler_cancellation, customize=customize
    ) as server:
        registry = server.app[REGISTRY]
        start = time.monotonic()
        sock = await stalled_request(server.port, RCVBUF, {"X-Stall": "1"})
        try:
            normal = asyncio.create_task(normal_stream(server.port))
            assert await wait_for(lambda: bool(watch.transports), 5)

            def stalled_gone() -> bool:
                watch.sample()
                return watch.transports[0].is_closing()

            assert await wait_for(stalled_gone, 4 * INTERVAL, step=0.005)
            dropped_at = time.monotonic()
            normal_seconds, normal_events, clean = await normal
            assert await wait_for(lambda: len(registry) == 0, 2.0)
        finally:
            sock.close()
    assert watch.stalled_at is not None
    print(
        f"\nstalled reader: window closed {watch.stalled_at - start:.2f} s after connecting, "
        f"dropped {dropped_at - watch.stalled_at:.2f} s later (send_timeout {SEND_TIMEOUT} s); "
        f"peak server write buffer {watch.peak_buffer} B, kernel send queue {watch.peak_queue} B; "
        f"a normal client meanwhile read {normal_events} events in {normal_seconds:.2f} s "
        f"(expected {4 * INTERVAL:.2f} s)"
    )
    assert watch.peak_buffer <= WRITE_BUFFER_BOUND
    assert normal_events == 11
    assert clean
