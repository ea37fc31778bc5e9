"""The ceiling: a bare asyncio ``Protocol`` that writes the pre-framed stream, no HTTP framework.

``python -m benchmarks.server.ceiling --port P [--interval S]``. It answers any request on a
connection with the 11 events (the same bytes as the demo server), chunked; with an
interval above 0 the events due later are written by ``loop.call_later``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence

from aiohttp_sse_demo.frames import build_table

HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
END = b"0\r\n\r\n"


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


class Ceiling(asyncio.Protocol):
    """Reads a request head, writes the whole pre-framed answer (or its first part)."""

    __slots__ = ("_buf", "_due", "_handle", "_transport", "interval", "parts")

    def __init__(self, parts: tuple[bytes, ...], interval: float) -> None:
        self.parts = parts
        self.interval = interval
        self._buf = b""
        self._due = 0
        self._handle: asyncio.TimerHandle | None = None
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport."""
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        """Answer once the request head is in."""
        self._buf += data
        if b"\r\n\r\n" not in self._buf:
            return
        self._buf = b""
        assert self._transport is not None
        self._transport.write(self.parts[0])
        self._due = 1
        if self._due < len(self.parts):
            self._handle = asyncio.get_running_loop().call_later(self.interval, self._next)

    def _next(self) -> None:
        assert self._transport is not None
        self._transport.write(self.parts[self._due])
        self._due += 1
        if self._due < len(self.parts):
            self._handle = asyncio.get_running_loop().call_later(self.interval, self._next)

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop writing."""
        if self._handle is not None:
            self._handle.cancel()


def parts_for(interval: float) -> tuple[bytes, ...]:
    """The writes of one answer: head and body at once for interval 0, else one per moment."""
    frames = build_table(merge_work=interval == 0)[0]
    parts = [chunk(frame.data) for frame in frames]
    parts[0] = HEAD + parts[0]
    parts[-1] += END
    return tuple(parts)


async def serve(port: int, interval: float) -> None:
    """Serve on 127.0.0.1 until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    parts = parts_for(interval)
    server = await loop.create_server(
        lambda: Ceiling(parts, interval), "127.0.0.1", port, backlog=4096
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``--port`` and ``--interval`` and serve."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server.ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.interval))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
