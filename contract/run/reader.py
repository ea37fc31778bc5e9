"""Reading one response's bytes into a ``Recording``, within the limits; no I/O.

The bytes come from whatever carries them (``client.py``'s aiohttp, the load mode's own
HTTP/1.1 client); here they are decoded as a browser decodes them (``Content-Encoding``),
scanned for framing, parsed as a browser parses them, cut where a planned drop says, and
stopped at the first limit they cross (``Stop``).
The clock is read from ``time.monotonic``: times are seconds after the request.
"""

from __future__ import annotations

import time
from dataclasses import replace

from contract.classify import Classified
from contract.spec.model import Limits, size_text
from contract.wire.cut import Cutter
from contract.wire.decoding import Decoder, DecodingError
from contract.wire.event import Event
from contract.wire.framing import LineScanner
from contract.wire.parser import EventParser

from .recording import Ending, Recording, TimedEvent
from .target import Target

PIECE = 64 * 1024
"""Bytes scanned and parsed at a time: the most a size limit is checked late by."""


class Stop(Exception):
    """Reading stops here: a limit, the planned drop, or the time ran out."""

    def __init__(self, ending: Ending, detail: str) -> None:
        super().__init__(detail)
        self.ending = ending
        self.detail = detail


class Reader:
    """One response being read: the events and limits of a single recording, whatever
    carries its bytes (aiohttp in ``client.py``, the load mode's own HTTP/1.1 client)."""

    def __init__(self, limits: Limits, target: Target) -> None:
        self.limits = limits
        self.target = target
        self.start = time.monotonic()
        self.parser = EventParser(target.last_event_id)
        self.cutter = None if target.drop is None else Cutter(*target.drop, target.last_event_id)
        self.scanner: LineScanner | None = None
        """Set when the head comes (``opened``): a response without one has no body."""
        self.events: list[TimedEvent] = []
        self.classes: list[Classified] | None = None if target.classify is None else []
        self.classify = target.classify
        self.terminal = target.terminal
        self.max_events = min(limits.max_events, target.max_events or limits.max_events)
        self.max_kept = target.max_kept
        self.kept = 0
        self.received = 0
        """Bytes of the body as a browser reads it: decoded, when it came compressed."""
        self.decoder: Decoder | None = None
        """The body's decoder; ``None`` while it is sent as is (the common case, kept cheap)."""
        self.sent_as_is = 0
        """Bytes of a body sent as is, as they came (``received`` counts those accepted)."""
        self.terminal_at: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.start

    def opened(self, encoding: str | None = None) -> None:
        """The head came, with this ``Content-Encoding``."""
        self.scanner = LineScanner(self.now())
        if encoding:
            try:
                decoder = Decoder(encoding)
            except ValueError as exc:  # a browser fails such a response without reading it
                raise Stop(Ending.ERROR, str(exc)) from None
            self.decoder = decoder if decoder.encoding else None
        if self.cutter is not None and self.cutter.cut(b"") == 0:
            raise Stop(Ending.DROPPED, "dropped as planned, right after the head")

    def take(self, raw: bytes) -> None:
        """Record one read as a browser would see it, decoded; raise ``Stop`` at a limit, the
        planned drop, or a body that does not decode."""
        decoder = self.decoder
        if decoder is None:
            self.sent_as_is += len(raw)
            self.add_bytes(raw)
            return
        try:
            data = decoder.feed(raw, self.limits.max_bytes - self.received + 1)
        except DecodingError as exc:
            raise Stop(Ending.ERROR, f"the body does not decode: {exc}") from None
        if data:
            self.add_bytes(data)
        if decoder.received > self.limits.max_bytes:
            raise Stop(Ending.LIMIT, f"more than {size_text(self.limits.max_bytes)} received")

    def over_limit(self) -> str:
        """The byte limit, crossed: by the body as sent, or once decoded."""
        size = size_text(self.limits.max_bytes)
        decoder = self.decoder
        if decoder is None:
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
        assert scanner is not None, "bytes before the head"
        scanner.arrived(len(data), at)
        for start in range(0, len(data), PIECE):
            piece = data[start : start + PIECE]
            scanner.scan(piece)
            # The scanner measures every line and event, also one that begins and ends
            # within this piece; a piece that crosses the limit is not parsed, so no
            # event over it is kept.
            if scanner.longest_line > limits.max_event_bytes:
                raise Stop(Ending.LIMIT, f"a line longer than {size_text(limits.max_event_bytes)}")
            if scanner.largest_event > limits.max_event_bytes:
                raise Stop(
                    Ending.LIMIT, f"an event longer than {size_text(limits.max_event_bytes)}"
                )
            for event in self.parser.feed(piece):
                self.add(event, at)
        if over > 0:
            raise Stop(Ending.LIMIT, self.over_limit())
        if cut is not None:
            raise Stop(Ending.DROPPED, f"dropped as planned after {self.received} bytes")

    def add(self, event: Event, at: float) -> None:
        if len(self.events) >= self.max_events:
            raise Stop(Ending.LIMIT, f"more than {self.max_events} events received")
        if self.max_kept is not None:
            self.kept += len(event.type) + len(event.data) + len(event.last_event_id)
            if self.kept > self.max_kept:
                raise Stop(
                    Ending.LIMIT,
                    f"more than {self.max_kept} characters of events (all the comparison needs)",
                )
        self.events.append(TimedEvent(at, event))
        if self.classes is not None and self.classify is not None:
            self.classes.append(self.classify(event))
        if self.terminal_at is None and self.terminal(event):
            self.terminal_at = at

    def wait(self, idle_since: float | None = None) -> tuple[float, str]:
        """Seconds the next read may take, and what to call it if it times out;
        ``idle_since``: when the last byte came (the idle timeout counts from it), else now."""
        left = self.remaining(idle_since)
        return left, self.timeout_text(idle_since)

    def remaining(self, idle_since: float | None = None) -> float:
        """Seconds the next read may take (``wait`` without the words: for every read)."""
        now = self.now()
        limits = self.limits
        left = min(
            limits.idle_seconds - (0.0 if idle_since is None else now - idle_since),
            limits.seconds - now,
        )
        if self.terminal_at is not None:
            left = min(left, self.terminal_at + self.target.grace - now)
        return left

    def timeout_text(self, idle_since: float | None = None) -> str:
        """What to call the bound ``remaining`` met: the idle, total or grace time."""
        now = self.now()
        limits = self.limits
        bounds = [
            (
                limits.idle_seconds - (0.0 if idle_since is None else now - idle_since),
                f"nothing received for {limits.idle_seconds:g} s (idle timeout)",
            ),
            (limits.seconds - now, f"still open after {limits.seconds:g} s (total time limit)"),
        ]
        if self.terminal_at is not None:
            bounds.append(
                (
                    self.terminal_at + self.target.grace - now,
                    f"still open {self.target.grace:g} s after the terminal event",
                )
            )
        return min(bounds)[1]

    def finish(self) -> None:
        """The body ended: what the decoder still held, then the parser's last events (an
        unterminated one is dropped)."""
        if self.decoder is not None:
            try:
                data = self.decoder.flush(self.limits.max_bytes - self.received + 1)
            except DecodingError as exc:
                raise Stop(Ending.ERROR, f"the body does not decode: {exc}") from None
            if data:
                self.add_bytes(data)
        for event in self.parser.close():
            self.add(event, self.now())

    def recording(
        self,
        sent: tuple[tuple[str, str], ...],
        status: int | None,
        head: tuple[tuple[str, str], ...],
        head_at: float | None,
        *,
        ending: Ending,
        detail: str,
    ) -> Recording:
        """What was read, as a ``Recording`` that ends now."""
        ended_at = self.now()
        decoder = self.decoder
        return Recording(
            url=self.target.url,
            method=self.target.method,
            request_headers=sent,
            status=status,
            headers=head,
            head_at=head_at,
            events=tuple(self.events),
            ending=ending,
            detail=detail,
            ended_at=ended_at,
            framing=replace(
                (self.scanner or LineScanner()).close(ended_at, eof=ending is Ending.EOF),
                encoding="" if decoder is None else decoder.encoding,
                received_bytes=self.sent_as_is if decoder is None else decoder.received,
                trailing_bytes=0 if decoder is None else decoder.trailing,
            ),
            classes=None if self.classes is None else tuple(self.classes),
        )
