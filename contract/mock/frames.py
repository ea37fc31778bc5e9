"""Events to the bytes of one response, framed as the seed says, and the pauses between; pure.

What varies with the seed, all of it valid SSE that a browser parses to the same events
(https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream):
the line ending (LF, CRLF or CR, one per stream: a CR followed by an LF would be one line
end), a space after each field's colon or none, a BOM, ``event: message`` written out or
left implicit, an ``id:`` on every event or only where it changes, a ``retry:`` field,
comment lines between events and between an event's fields (some with bytes that are not
UTF-8, which a browser ignores), and where a burst is cut into writes (inside a character,
between CR and LF). Multi-line JSON data comes from the data itself (``kinds.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from random import Random

from contract.wire.encoder import NEWLINES, encode_event

from .event import MockEvent

BOM = b"\xef\xbb\xbf"
_EMPTY_FIELDS = (b"data:", b"data: ", b"id:", b"id: ")
_COMMENTS = (b"", b" ping", b" keep-alive", b" mock", b" caf\xe9 (Latin-1, ignored)")


@dataclass(frozen=True, slots=True)
class Write:
    """Bytes to send."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Pause:
    """Seconds of silence, but a ``ping`` comment every ``every`` seconds when set."""

    seconds: float
    ping: bytes | None = None
    every: float = 0.0


Step = Write | Pause


@dataclass(frozen=True, slots=True)
class Style:
    """How one stream is framed."""

    newline: str = "\n"
    space: bool = True
    bom: bool = False
    every_id: bool = True
    """An ``id:`` on every event that has one, or only where the id changes."""
    name_messages: bool = False
    """``event: message`` written out (a browser's default type)."""
    retry: int | None = None
    comments: float = 0.0
    """How often a comment line comes before a field line."""
    cuts: int = 0
    """At most this many cuts per burst, each a write of its own."""
    data_first: bool = False
    """An event's ``data:`` lines before its ``id:`` and ``event:`` (any order is valid)."""
    bare: bool = False
    """A field with an empty value written without its colon (``data``, ``id``)."""
    odd: float = 0.0
    """How often an event carries a field a browser ignores, or a first ``event:`` that a
    second one replaces."""

    @property
    def eol(self) -> bytes:
        """The line ending as bytes."""
        return self.newline.encode()

    def comment(self, text: bytes = b" keep-alive") -> bytes:
        """A comment line."""
        return b":" + text + self.eol


def choose_style(rng: Random) -> Style:
    """A framing for one seed."""
    return Style(
        newline=rng.choice(NEWLINES),
        space=rng.random() < 0.7,
        bom=rng.random() < 0.25,
        every_id=rng.random() < 0.5,
        name_messages=rng.random() < 0.3,
        retry=rng.choice((None, None, 2000, 3000)),
        comments=rng.choice((0.0, 0.05, 0.2)),
        cuts=rng.choice((0, 1, 4, 16)),
        data_first=rng.random() < 0.3,
        bare=rng.random() < 0.5,
        odd=rng.choice((0.0, 0.1)),
    )


class Framer:
    """Frames the events of one response: ``previous_id`` is the id the client holds."""

    def __init__(self, style: Style, rng: Random, previous_id: str = "") -> None:
        self.style = style
        self.rng = rng
        self.previous_id = previous_id
        self.first = True

    def opening(self) -> bytes:
        """What the body starts with: a BOM, or nothing."""
        return BOM if self.style.bom else b""

    def event(self, event: MockEvent) -> bytes:
        """One event's lines, comments among them, and the blank line that ends it."""
        style = self.style
        changed = event.id != self.previous_id
        write_id = changed or (style.every_id and bool(event.id))
        named = event.type != "message" or style.name_messages
        raw = encode_event(
            event.data,
            type=event.type if named else None,
            id=event.id if write_id else None,
            retry=style.retry if self.first else None,
            newline=style.newline,
            space=style.space,
        )
        self.previous_id = event.id
        lines = self._arranged(raw.split(style.eol)[:-2], named)
        out = bytearray()
        self.first = False
        for line in lines:
            if self.rng.random() < style.comments:
                out += style.comment(self.rng.choice(_COMMENTS))
            out += line + style.eol
        return bytes(out + style.eol)

    def _arranged(self, lines: list[bytes], named: bool) -> list[bytes]:
        """The event's field lines as the style writes them: each means what it meant."""
        style = self.style
        if style.data_first:
            lines = [line for line in lines if line.startswith(b"data")] + [
                line for line in lines if not line.startswith(b"data")
            ]
        if style.bare:
            lines = [line.rstrip(b": ") if line in _EMPTY_FIELDS else line for line in lines]
        if self.rng.random() < style.odd:
            if named and self.rng.random() < 0.5:
                at = next(i for i, line in enumerate(lines) if line.startswith(b"event"))
                lines.insert(at, b"event: replaced by the next event field")
            else:
                lines.insert(self.rng.randrange(len(lines) + 1), b"mock-field: ignored")
        return lines

    def cut(self, burst: bytes) -> Iterator[Write]:
        """A burst as writes, cut at random places."""
        cuts = sorted(
            {self.rng.randrange(1, len(burst)) for _ in range(self.rng.randint(0, self.style.cuts))}
            if len(burst) > 1
            else set()
        )
        for start, end in zip([0, *cuts], [*cuts, len(burst)], strict=True):
            yield Write(burst[start:end])

    def steps(self, events: Iterable[MockEvent], ping: float | None) -> Iterator[Step]:
        """The events as writes, each burst after the pause before it (a comment every
        ``ping`` seconds of a pause longer than that)."""
        pending = bytearray()
        for event in events:
            if event.pause > 0:
                if pending:
                    yield from self.cut(bytes(pending))
                    pending.clear()
                if ping is not None and event.pause > ping:
                    yield Pause(event.pause, self.style.comment(), ping)
                else:
                    yield Pause(event.pause)
            pending += self.event(event)
        if pending:
            yield from self.cut(bytes(pending))
