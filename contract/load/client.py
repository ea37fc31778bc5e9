"""One load client: the contract's request on a connection of its own, recorded as the suite
records (``run.reader``), on asyncio's protocols instead of aiohttp's client.

A thousand clients cost what their bytes cost: the request is built once, each read goes
from ``data_received`` through the HTTP/1.1 reader (``http1.py``) to the run's ``Reader``
(the same limits, parser, framing scan and live classification as ``run.client``), and one
timer per client stands for the time limits (total, idle, grace after the terminal event),
re-armed only when it fires. Redirects are followed as ``run.client`` follows them.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from yarl import URL

from contract.run.reader import Reader, Stop
from contract.run.recording import Ending, Recording
from contract.run.target import Target, raw_request, refusal, sent_headers
from contract.spec.model import Limits

from .http1 import Malformed, ResponseReader

REDIRECTS = frozenset((301, 302, 303, 307, 308))


class _Stream(asyncio.Protocol):
    """The response to one request, read into ``reader`` until it ends or a limit stops it."""

    def __init__(self, reader: Reader, request: bytes, done: asyncio.Future[None]) -> None:
        self.reader = reader
        self.request = request
        self.done = done
        self.response = ResponseReader(no_body=reader.target.method == "HEAD")
        self.transport: asyncio.Transport | None = None
        self.head_at: float | None = None
        self.connected_at: float | None = None
        self.last = 0.0
        self.ending = Ending.EOF
        self.detail = ""
        self.timer: asyncio.TimerHandle | None = None
        self.connecting: asyncio.Task[object] | None = None
        """The task making the connection, cancelled when the time runs out first."""
        self.timed_out = False
        self.keep_open = False
        """Stop at the head (a redirect to follow): nothing of the body is read."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the request at once."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)
        self.last = self.connected_at = self.reader.now()

    def watch(self, connecting: asyncio.Task[object] | None) -> None:
        """Start the clock's watch (one timer for the time limits), before connecting."""
        self.connecting = connecting
        self._arm()

    def _arm(self) -> None:
        wait = self.reader.remaining(self.last)
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(max(wait, 0.0), self._check_time)

    def _check_time(self) -> None:
        if self.reader.remaining(self.last) > 0:
            self._arm()
            return
        why = self.reader.timeout_text(self.last)
        if self.transport is None and self.connecting is not None:
            self.timed_out = True
            self.connecting.cancel()  # still connecting: _record_once says so
            return
        self.end(Ending.TIMEOUT, why if self.head_at is not None else f"no response head: {why}")

    def data_received(self, data: bytes) -> None:
        """Take one read: the head, then the body into the reader; stop at a limit or the end."""
        if self.done.done():
            return
        reader = self.reader
        try:
            body = self.response.feed(data)
            if self.head_at is None and self.response.head is not None:
                self.head_at = reader.now()
                if self.response.head.status in REDIRECTS and self.response.head.header("Location"):
                    self.keep_open = True
                    self.end(Ending.EOF, "")
                    return
                reader.opened(self.response.head.header("Content-Encoding"))
            if body:
                reader.take(body)
            if self.response.done:
                reader.finish()
                self.end(Ending.EOF, "")
                return
        except Stop as stop:
            self.end(stop.ending, stop.detail)
            return
        except Malformed as exc:
            self.end(Ending.ERROR if self.head_at is None else Ending.RESET, str(exc))
            return
        self.last = reader.now()
        # A server that never lets a read wait never lets the timer fire: the clock is
        # read here too, as run.client reads it after every read.
        if reader.remaining(self.last) <= 0:
            self.end(Ending.TIMEOUT, reader.timeout_text(self.last))

    def connection_lost(self, exc: Exception | None) -> None:
        """The server closed: the end of a body framed by it, else a reset."""
        if self.done.done():
            return
        if self.response.head is not None and self.response.until_close and exc is None:
            try:
                self.reader.finish()
            except Stop as stop:
                self.end(stop.ending, stop.detail)
                return
            self.end(Ending.EOF, "")
            return
        what = "before the response head" if self.response.head is None else "mid-body"
        detail = f"connection closed {what}" + (f": {exc}" if exc else "")
        self.end(Ending.RESET, detail)

    def end(self, ending: Ending, detail: str) -> None:
        """Stop reading: how the response ended; the connection is dropped."""
        self.ending, self.detail = ending, detail
        if self.timer is not None:
            self.timer.cancel()
        if self.transport is not None:
            self.transport.abort()
        if not self.done.done():
            self.done.set_result(None)


@dataclass(frozen=True, slots=True)
class Request:
    """A target's request made ready once for every client that sends it."""

    target: Target
    data: bytes
    sent: tuple[tuple[str, str], ...]
    host: str
    port: int
    secure: bool

    @classmethod
    def of(cls, target: Target) -> Request:
        """``target``'s request: its bytes, its headers as sent, where it goes."""
        url = URL(target.url)
        secure = url.scheme == "https"
        port = url.port or (443 if secure else 80)
        return cls(
            target, raw_request(target), sent_headers(target), url.raw_host or "", port, secure
        )


async def record_lean(request: Request, limits: Limits) -> tuple[Recording, float | None]:
    """Send the request on a new connection and record the response, as
    ``run.client.record`` does; never raises for anything the server does. With the
    recording, when the (last) connection was made, in seconds after the start."""
    for _ in range(limits.max_redirects + 1):
        recording, connected, location = await _record_once(request, limits)
        if location is None:
            return recording, connected
        target = request.target
        following = urljoin(target.url, location)
        refused = refusal(target, following, f"{target.url} redirects to {following},")
        if refused is not None:  # a secret never follows a redirect to another origin
            return replace(recording, ending=Ending.ERROR, detail=refused), connected
        request = Request.of(replace(target, url=following))
    detail = f"redirect loop: more than {limits.max_redirects} redirects"
    return replace(recording, ending=Ending.ERROR, detail=detail), connected


async def _record_once(
    request: Request, limits: Limits
) -> tuple[Recording, float | None, str | None]:
    loop = asyncio.get_running_loop()
    reader = Reader(limits, request.target)
    sent = request.sent
    done: asyncio.Future[None] = loop.create_future()
    stream = _Stream(reader, request.data, done)
    secure = ssl.create_default_context() if request.secure else None
    task = asyncio.current_task()
    stream.watch(task)
    try:
        await loop.create_connection(lambda: stream, request.host, request.port, ssl=secure)
    except asyncio.CancelledError:
        if stream.timed_out and task is not None and task.uncancel() == 0:
            why = f"no connection: {reader.timeout_text()}"
            return _no_response(reader, sent, Ending.TIMEOUT, why), None, None
        stream.end(Ending.ERROR, "cancelled")
        raise
    except ConnectionRefusedError as exc:
        detail = f"connection refused: {exc.strerror or exc}"
        stream.end(Ending.UNREACHABLE, detail)
        return _no_response(reader, sent, Ending.UNREACHABLE, detail), None, None
    except OSError as exc:
        # No address, no route, no file descriptor left (EMFILE): no response at all.
        detail = f"cannot connect: {exc.strerror or exc}"
        stream.end(Ending.UNREACHABLE, detail)
        return _no_response(reader, sent, Ending.UNREACHABLE, detail), None, None
    except BaseException:
        stream.end(Ending.ERROR, "cancelled")
        raise
    try:
        await done
    finally:
        if not done.done():
            stream.end(Ending.ERROR, "cancelled")
    head = stream.response.head
    status = None if head is None else head.status
    headers = () if head is None else head.headers
    recording = reader.recording(
        sent, status, headers, stream.head_at, ending=stream.ending, detail=stream.detail
    )
    location = head.header("Location") if stream.keep_open and head is not None else None
    return recording, stream.connected_at, location


def _no_response(
    reader: Reader, sent: tuple[tuple[str, str], ...], ending: Ending, detail: str
) -> Recording:
    return reader.recording(sent, None, (), None, ending=ending, detail=detail)
