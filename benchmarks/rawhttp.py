"""The load generators' HTTP/1.1: one raw client protocol, crowds of held connections, uvloop.

A ``ChunkedClient`` sends one pre-built GET, parses the status line and de-chunks the
body as it arrives; what a benchmark does with the body is its subclass's business.
A ``Crowd`` opens many of them, a bounded number in flight, holds them while the
benchmark measures, and drops them all at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import time
from collections.abc import Coroutine, Iterable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

_HEAD_END = b"\r\n\r\n"


def build_request(host: str, port: int, path: str = "/stream") -> bytes:
    """The GET every connection sends, built once."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()


class ChunkedClient(asyncio.Protocol):
    """One GET: sends the request; ``dechunk`` reads the head, then appends chunks to ``body``.

    A subclass's ``data_received`` calls ``dechunk``, takes what it needs from the body
    (a hot path: one call per read) and calls ``finish`` at the body's end, which
    resolves ``done``. It gets ``head_received`` once the head is in, and names the
    futures it adds in ``pending``, so that a lost or dropped connection settles them.
    """

    __slots__ = ("_buf", "_pos", "body", "done", "request", "status", "transport")

    def __init__(self, request: bytes, done: asyncio.Future[None]) -> None:
        self.request = request
        self.done = done
        self.transport: asyncio.Transport | None = None
        self.status = 0
        self.body = bytearray()
        self._buf = bytearray()
        self._pos = -1  # where the next chunk-size line starts; -1 until the head is in

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the request at once."""
        # uvloop's transports implement the interface without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def dechunk(self, data: bytes) -> bool:
        """Take the head, then whole chunks into ``body``; True at the last chunk."""
        buf = self._buf
        buf += data
        pos = self._pos
        if pos < 0:
            end = buf.find(_HEAD_END)
            if end < 0:
                return False
            self.status = int(buf[9:12]) if buf.startswith(b"HTTP/1.") else -1
            pos = end + 4
            self.head_received()
        body = self.body
        ended = False
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                break
            size = int(buf[pos:eol].split(b";", 1)[0], 16)
            if size == 0:
                ended = len(buf) >= eol + 4
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
        return ended

    def head_received(self) -> None:
        """The status line and headers are in (``status`` is set)."""

    def finish(self) -> None:
        """The body has ended: resolve ``done`` and close the connection."""
        if not self.done.done():
            self.done.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def pending(self) -> Iterable[asyncio.Future[None] | None]:
        """The futures that someone may be waiting on: ``done``, and a subclass's own."""
        return (self.done,)

    def abandon(self) -> None:
        """Drop the connection; nobody waits on it any more."""
        for future in self.pending():
            if future is not None and not future.done():
                future.cancel()
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        """A connection that closes before the body's end fails what is still pending."""
        for future in self.pending():
            if future is not None and not future.done():
                future.set_exception(exc or ConnectionResetError("closed before the end"))


C = TypeVar("C", bound=ChunkedClient)


class Crowd(Generic[C]):
    """``async with``: ``n`` connections, ``parallel`` connects in flight, held, then dropped."""

    def __init__(
        self, host: str, port: int, n: int, *, parallel: int = 100, timeout: float = 120.0
    ) -> None:
        self.host = host
        self.port = port
        self.n = n
        self.parallel = parallel
        self.timeout = timeout
        self.clients: list[C] = []
        self.connected = 0
        self.errors = 0
        """Connections that failed or were refused."""
        self.seconds = 0.0
        """Time from the first connect until the last one was ready."""

    def client(self) -> C:
        """A new connection's protocol."""
        raise NotImplementedError

    async def ready(self, client: C) -> bool:
        """Wait until a connected client is what the benchmark holds; False for a refusal."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(self.parallel)

        async def one() -> None:
            client = self.client()
            self.clients.append(client)
            async with gate:
                try:
                    await loop.create_connection(lambda: client, self.host, self.port)
                    held = await self.ready(client)
                except OSError:
                    self.errors += 1
                    return
            if held:
                self.connected += 1
            else:
                self.errors += 1

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


def run_client(coro: Coroutine[Any, Any, None]) -> None:
    """Run the load generator on uvloop when installed (leaner), else on asyncio's loop."""
    if importlib.util.find_spec("uvloop") is not None:
        # Imported by name: uvloop is in the bench extra only, and mypy runs without it.
        uvloop: Any = importlib.import_module("uvloop")
        uvloop.run(coro)
    else:
        asyncio.run(coro)
