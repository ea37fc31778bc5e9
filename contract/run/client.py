"""The suite's I/O edge: send one request, record its response within the limits.

Every response is read to its end or to a limit and kept as a ``Recording``: status,
headers, parsed events with their arrival times (seconds after the request, from
``time.monotonic``), framing counts, and how the response ended. Every limit holds
whatever arrives and however fast: the clock is checked after every read (a read
that never waits never lets a timeout fire) and the loop yields between reads;
bytes, event size and event count stop the reading as they are crossed, and
nothing kept grows with the stream beyond them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import aiohttp
from yarl import URL

from contract.classify import Classified
from contract.spec.model import Limits, size_text
from contract.wire.cut import Cutter
from contract.wire.decoding import Decoder, DecodingError
from contract.wire.event import Event
from contract.wire.framing import LineScanner
from contract.wire.parser import EventParser

from .recording import Ending, Recording, TimedEvent
from .target import Target, raw_request, sent_headers

_UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)
PIECE = 64 * 1024
"""Bytes scanned and parsed at a time: the most a size limit is checked late by."""


class _Stop(Exception):
    def __init__(self, ending: Ending, detail: str) -> None:
        super().__init__(detail)
        self.ending = ending
        self.detail = detail


class _Reader:
    """One response being read: the events and limits of a single recording."""

    def __init__(self, limits: Limits, target: Target) -> None:
        self.limits = limits
        self.target = target
        self.start = time.monotonic()
        self.parser = EventParser(target.last_event_id)
        self.cutter = None if target.drop is None else Cutter(*target.drop, target.last_event_id)
        self.scanner = LineScanner()
        self.events: list[TimedEvent] = []
        self.classes: list[Classified] | None = None if target.classify is None else []
        self.max_events = min(limits.max_events, target.max_events or limits.max_events)
        self.max_kept = target.max_kept
        self.kept = 0
        self.received = 0
        """Bytes of the body as a browser reads it: decoded, when it came compressed."""
        self.decoder = Decoder(None)
        self.terminal_at: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.start

    def opened(self, encoding: str | None) -> None:
        """The head came, with this ``Content-Encoding``."""
        self.scanner = LineScanner(self.now())
        try:
            self.decoder = Decoder(encoding)
        except ValueError as exc:  # a browser fails such a response without reading it
            raise _Stop(Ending.ERROR, str(exc)) from None
        if self.cutter is not None and self.cutter.cut(b"") == 0:
            raise _Stop(Ending.DROPPED, "dropped as planned, right after the head")

    def take(self, raw: bytes) -> None:
        """Record one read as a browser would see it, decoded; raise ``_Stop`` at a limit, the
        planned drop, or a body that does not decode."""
        decoder = self.decoder
        try:
            data = decoder.feed(raw, self.limits.max_bytes - self.received + 1)
        except DecodingError as exc:
            raise _Stop(Ending.ERROR, f"the body does not decode: {exc}") from None
        if data:
            self.add_bytes(data)
        if decoder.encoding and decoder.received > self.limits.max_bytes:
            raise _Stop(Ending.LIMIT, f"more than {size_text(self.limits.max_bytes)} received")

    def finish(self) -> None:
        """The body ended: what the decoder still held, then the parser's last event."""
        if self.decoder.encoding:
            try:
                data = self.decoder.flush(self.limits.max_bytes - self.received + 1)
            except DecodingError as exc:
                raise _Stop(Ending.ERROR, f"the body does not decode: {exc}") from None
            if data:
                self.add_bytes(data)
        for event in self.parser.close():
            self.add(event, self.now())

    def over_limit(self) -> str:
        """The byte limit, crossed: by the body as sent, or once decoded."""
        size = size_text(self.limits.max_bytes)
        decoder = self.decoder
        if not decoder.encoding:
            return f"more than {size} received"
        return f"more than {size} once decoded ({decoder.received} bytes of {decoder.encoding})"

    def add_bytes(self, data: bytes) -> None:
        """Record bytes of the body as a browser reads them, a piece at a time."""
        cut = None if self.cutter is None else self.cutter.cut(data)
        if cut is not None:
            data = data[:cut]
        at = self.now()
        limits = self.limits
        over = self.received + len(data) - limits.max_bytes
        if over > 0:
            # Only what fits counts: framing and events stay those of the bytes accepted.
            data = data[: len(data) - over]
        self.received += len(data)
        scanner = self.scanner
        scanner.arrived(len(data), at)
        for start in range(0, len(data), PIECE):
            piece = data[start : start + PIECE]
            scanner.scan(piece)
            # The scanner measures every line and event, also one that begins and ends
            # within this piece; a piece that crosses the limit is not parsed, so no
            # event over it is kept.
            if scanner.longest_line > limits.max_event_bytes:
                raise _Stop(Ending.LIMIT, f"a line longer than {size_text(limits.max_event_bytes)}")
            if scanner.largest_event > limits.max_event_bytes:
                raise _Stop(
                    Ending.LIMIT, f"an event longer than {size_text(limits.max_event_bytes)}"
                )
            for event in self.parser.feed(piece):
                self.add(event, at)
        if over > 0:
            raise _Stop(Ending.LIMIT, self.over_limit())
        if cut is not None:
            raise _Stop(Ending.DROPPED, f"dropped as planned after {self.received} bytes")

    def add(self, event: Event, at: float) -> None:
        if len(self.events) >= self.max_events:
            raise _Stop(Ending.LIMIT, f"more than {self.max_events} events received")
        self.kept += len(event.type) + len(event.data) + len(event.last_event_id)
        if self.max_kept is not None and self.kept > self.max_kept:
            raise _Stop(
                Ending.LIMIT,
                f"more than {self.max_kept} characters of events (all the comparison needs)",
            )
        self.events.append(TimedEvent(at, event))
        if self.classes is not None and self.target.classify is not None:
            self.classes.append(self.target.classify(event))
        if self.terminal_at is None and self.target.terminal(event):
            self.terminal_at = at

    def wait(self) -> tuple[float, str]:
        """Seconds the next read may take, and what to call it if it times out."""
        now = self.now()
        limits = self.limits
        bounds = [
            (limits.idle_seconds, f"nothing received for {limits.idle_seconds:g} s (idle timeout)"),
            (limits.seconds - now, f"still open after {limits.seconds:g} s (total time limit)"),
        ]
        if self.terminal_at is not None:
            bounds.append(
                (
                    self.terminal_at + self.target.grace - now,
                    f"still open {self.target.grace:g} s after the terminal event",
                )
            )
        return min(bounds)


async def record(session: aiohttp.ClientSession, target: Target, limits: Limits) -> Recording:
    """Send ``target``'s request; record the response to its end or to a limit; never raises
    for anything the server does."""
    sent = sent_headers(target)
    reader = _Reader(limits, target)
    status: int | None = None
    head: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    ending, detail = Ending.EOF, ""
    response: aiohttp.ClientResponse | None = None
    try:
        wait, why = reader.wait()
        try:
            async with asyncio.timeout(wait):
                response = await session.request(
                    target.method,
                    target.url,
                    headers=list(sent),
                    data=target.body,
                    allow_redirects=True,
                    max_redirects=limits.max_redirects,
                )
        except TimeoutError:
            raise _Stop(Ending.TIMEOUT, f"no response head: {why}") from None
        status = response.status
        head = tuple(response.headers.items())
        head_at = reader.now()
        reader.opened(response.headers.get("Content-Encoding"))
        while True:
            wait, why = reader.wait()
            if wait <= 0:
                raise _Stop(Ending.TIMEOUT, why)
            try:
                async with asyncio.timeout(wait):
                    data = await response.content.readany()
            except TimeoutError:
                raise _Stop(Ending.TIMEOUT, why) from None
            if not data:
                break
            reader.take(data)
            # A server that sends faster than we parse never makes a read wait:
            # give the other recordings (and the clock checks above) their turn.
            await asyncio.sleep(0)
        reader.finish()
    except _Stop as stop:
        ending, detail = stop.ending, stop.detail
    except aiohttp.TooManyRedirects as exc:
        status = exc.history[-1].status if exc.history else None
        ending, detail = Ending.ERROR, f"redirect loop: more than {limits.max_redirects} redirects"
    except _UNREACHABLE as exc:
        ending, detail = Ending.UNREACHABLE, describe(exc)
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, OSError) as exc:
        ending, detail = Ending.RESET, describe(exc)
    except aiohttp.ClientError as exc:
        ending = Ending.ERROR if status is None else Ending.RESET
        detail = describe(exc)
    finally:
        if response is not None:
            response.close()
    ended_at = reader.now()
    return Recording(
        url=target.url,
        method=target.method,
        request_headers=sent,
        status=status,
        headers=head,
        head_at=head_at,
        events=tuple(reader.events),
        ending=ending,
        detail=detail,
        ended_at=ended_at,
        framing=replace(
            reader.scanner.close(ended_at, eof=ending is Ending.EOF),
            encoding=reader.decoder.encoding,
            received_bytes=reader.decoder.received,
            trailing_bytes=reader.decoder.trailing,
        ),
        classes=None if reader.classes is None else tuple(reader.classes),
    )


def open_session(limit: int) -> aiohttp.ClientSession:
    """A session as the suite records with: ``limit`` connections, each closed after its
    response, the body read as sent, no total timeout (the limits stop a recording), no proxy
    from the environment."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, force_close=True),
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    )


def describe(exc: BaseException) -> str:
    """An exception in one line, for a recording's detail or an error."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


async def abandon(target: Target, limits: Limits) -> str:
    """Send ``target``'s request and close the connection before any of the answer is read.

    Returns "" once the request is sent, else why it could not be (as ``record`` would say).
    """
    url = URL(target.url)
    request = raw_request(target)
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(limits.idle_seconds):
            _, writer = await asyncio.open_connection(
                url.raw_host, url.port, ssl=True if url.scheme == "https" else None
            )
            writer.write(request)
            await writer.drain()
    except TimeoutError:
        return f"request not sent within {limits.idle_seconds:g} s (idle timeout)"
    except OSError as exc:
        return describe(exc)
    finally:
        if writer is not None:
            writer.close()
    return ""
