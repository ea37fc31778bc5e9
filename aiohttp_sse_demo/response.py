"""aiohttp-sse's response made cheap per connection, writing events framed ahead of time.

``EventSourceResponse`` keeps a ping task per connection (a task, its coroutine, a
sleep future and a timer: about 1.5 KiB held for the life of the stream), wraps
every write in ``asyncio.timeout``, and reads, sets and restores ``TCP_USER_TIMEOUT``
on every stream. This subclass keeps the same behaviour at less cost:

- pings come from one timer handle per stream (``loop.call_later``), re-armed
  after each ping is written, so a comment still goes out every ``ping_interval``;
  a task exists only while a ping is being written; the clock starts with the
  first write that leaves the stream open, so a stream written whole at once
  (head, events and end in one write) never has a timer;
- a write that cannot wait on the client (the transport's buffer stays below its
  high-water mark, so aiohttp will not drain) skips the timeout; any other write
  is bounded by ``send_timeout`` as before, and a stalled client is dropped;
- the head goes out with the first events, and the last events with the end of
  the body: with nothing to wait for, a whole stream is one ``send()``;
- ``TCP_USER_TIMEOUT`` is read and set on the first write that leaves the stream
  open (a stream written whole at once never touches it), and the saved value is
  put back at the end;
- the header names are aiohttp's ``istr`` constants (the same bytes on the wire).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager

from aiohttp import hdrs
from aiohttp.abc import AbstractStreamWriter
from aiohttp.web import BaseRequest, Request, StreamResponse
from aiohttp.web_exceptions import HTTPMethodNotAllowed
from aiohttp_sse import EventSourceResponse, sse_response
from multidict import CIMultiDict, istr

from .settings import Settings

_TCP_USER_TIMEOUT: int | None = getattr(socket, "TCP_USER_TIMEOUT", None)
_ISTR_NAMES: Mapping[str, istr] = {
    str(name): name
    for name in (hdrs.CONTENT_TYPE, hdrs.CACHE_CONTROL, hdrs.CONNECTION, istr("X-Accel-Buffering"))
}
"""aiohttp-sse's header names as istr constants (the same text)."""
_HEADROOM = 16 * 1024
"""Bytes kept free below the high-water mark for the head and chunk framing of a write."""


class FramedEventSourceResponse(EventSourceResponse):
    """An ``EventSourceResponse`` without a ping task, that also sends pre-framed events."""

    # The head waits for the first body write; stream.py sends it at once when
    # the first events are not due at once.
    _send_headers_immediately = False

    # Per-stream state beyond aiohttp-sse's; class defaults until a stream sets them.
    _ping_handle: asyncio.TimerHandle | None = None
    _ended: asyncio.Future[None] | None = None
    _streaming = False
    _opening = False

    def __init__(
        self,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: Mapping[str, str] | None = None,
        sep: str | None = None,
        allow_all_methods: bool = False,
        send_timeout: float | None = EventSourceResponse.DEFAULT_SEND_TIMEOUT,
        ping_interval: float = EventSourceResponse.DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(
            status=status,
            reason=reason,
            headers=headers,
            sep=sep,
            allow_all_methods=allow_all_methods,
            send_timeout=send_timeout,
            ping_interval=ping_interval,
        )
        # aiohttp-sse names its headers with plain strings, which the header dict
        # keeps a second, case-folded copy of once it is written (about 0.8 KiB per
        # stream). aiohttp's istr names write the same bytes without that copy.
        self._headers = CIMultiDict((_ISTR_NAMES.get(k, k), v) for k, v in self._headers.items())

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        """Check the method and build the head (sent with the first write)."""
        if self.prepared:
            return await super().prepare(request)
        if not self._allow_all_methods and request.method != "GET":
            raise HTTPMethodNotAllowed(request.method, ("GET",))
        writer = await StreamResponse.prepare(self, request)
        self.enable_chunked_encoding()
        self._streaming = True
        # Pings and TCP_USER_TIMEOUT start with the first write that leaves the
        # stream open: a stream written whole at once needs neither.
        self._opening = True
        return writer

    def send_headers(self) -> None:
        """Write the head now, before any event (for a stream whose first events come later)."""
        if self._payload_writer is not None:
            self._stays_open()
            self._payload_writer.send_headers()

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Write body bytes; the stream stays open after them."""
        self._stays_open()
        await super().write(data)

    async def send_frame(
        self, frame: bytes, send_timeout: float | None, *, last: bool = False
    ) -> None:
        """Write framed events (``last`` ends the body); drop a client stalled ``send_timeout``.

        Mirrors ``EventSourceResponse.send`` without formatting the event again. A
        ``send_timeout`` of None sets no bound (for a caller that knows the write
        cannot wait: ``can_write_now``).
        """
        write = self.write_eof if last else self.write
        try:
            if send_timeout is None or self.can_write_now(len(frame)):
                await write(frame)
            else:
                async with asyncio.timeout(send_timeout):
                    await write(frame)
        except ConnectionResetError:
            self.stop_streaming()
            raise
        except TimeoutError:
            self.stop_streaming()
            self._abort_transport()
            raise

    def is_connected(self) -> bool:
        """True from ``prepare`` until streaming stops."""
        return self.prepared and self._streaming

    def stop_streaming(self) -> None:
        """Stop pinging and wake ``wait()``; the handler decides when the body ends."""
        if not self.prepared:
            raise RuntimeError("Response is not started")
        self._end_pings()

    async def wait(self) -> None:
        """Return once streaming stops (``stop_streaming`` or a failed ping)."""
        if not self.prepared:
            raise RuntimeError("Response is not started")
        if not self._streaming:
            return
        if self._ended is None:
            self._ended = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._ended)

    async def write_eof(self, data: bytes = b"") -> None:
        """End the body and stop pinging."""
        self._end_pings()
        self._opening = False
        await StreamResponse.write_eof(self, data)
        self._restore_tcp_user_timeout()

    def can_write_now(self, size: int) -> bool:
        """True when writing ``size`` more bytes cannot make aiohttp wait for the client."""
        request = self._req
        transport = request.transport if request is not None else None
        if transport is None:
            return True  # the write raises ConnectionResetError at once
        # At or below the low-water mark the protocol is not paused, so a drain
        # returns at once; staying below the high-water mark, this write cannot pause it.
        low, high = transport.get_write_buffer_limits()
        buffered = transport.get_write_buffer_size()
        return buffered <= low and buffered + size + _HEADROOM <= high

    def _arm_ping(self) -> None:
        loop = asyncio.get_running_loop()
        self._ping_handle = loop.call_later(self._ping_interval, self._ping_due)

    def _ping_due(self) -> None:
        self._ping_handle = None
        if self._streaming:
            # A task only for as long as this one comment is being written.
            self._ping_task = asyncio.get_running_loop().create_task(self._ping_once())

    async def _ping_once(self) -> None:
        message = f": ping{self._sep}{self._sep}".encode()
        try:
            if self.can_write_now(len(message)):
                await self.write(message)
            else:
                async with asyncio.timeout(self._send_timeout):
                    await self.write(message)
        except TimeoutError:
            self._abort_transport()
            self._end_pings()
            return
        except (ConnectionResetError, RuntimeError):
            # RuntimeError: the body has already ended.
            self._end_pings()
            return
        finally:
            self._ping_task = None
        if self._streaming:
            self._arm_ping()

    def _end_pings(self) -> None:
        self._streaming = False
        if self._ping_handle is not None:
            self._ping_handle.cancel()
            self._ping_handle = None
        task = self._ping_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    def _stays_open(self) -> None:
        if self._opening:
            self._opening = False
            if self._req is not None:
                self._set_tcp_user_timeout(self._req)
            if self._streaming:
                self._arm_ping()

    def _set_tcp_user_timeout(self, request: BaseRequest) -> None:
        """Ask the kernel to abort the connection when sent data stays unacknowledged.

        As aiohttp-sse does: the old value is saved, for ``write_eof`` to put back
        on a connection that is kept alive for another request.
        """
        if self._send_timeout is None or _TCP_USER_TIMEOUT is None:
            return
        transport = request.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is None:
            return
        try:
            saved = sock.getsockopt(socket.IPPROTO_TCP, _TCP_USER_TIMEOUT)
            sock.setsockopt(socket.IPPROTO_TCP, _TCP_USER_TIMEOUT, int(self._send_timeout * 1000))
        except OSError:  # not a TCP socket (a Unix socket, say)
            return
        self._tcp_sock = sock
        self._saved_tcp_user_timeout = saved

    def _restore_tcp_user_timeout(self) -> None:
        sock, saved = self._tcp_sock, self._saved_tcp_user_timeout
        if sock is None or saved is None:
            return
        self._tcp_sock = None
        self._saved_tcp_user_timeout = None
        if sock.fileno() >= 0 and _TCP_USER_TIMEOUT is not None:
            sock.setsockopt(socket.IPPROTO_TCP, _TCP_USER_TIMEOUT, saved)


def event_stream(
    request: Request, settings: Settings
) -> AbstractAsyncContextManager[FramedEventSourceResponse, bool | None]:
    """``sse_response`` with this server's response class, ping interval and send timeout."""
    return sse_response(
        request,
        ping_interval=settings.ping_interval,
        send_timeout=settings.send_timeout,
        response_cls=FramedEventSourceResponse,
    )
