"""An incremental Server-Sent Events parser; pure, no I/O.

It follows "interpreting an event stream" of the WHATWG HTML standard:
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

Two paths give the same events. The line machine (``_feed_text``) decodes each chunk,
splits it into lines in C and runs one Python step per line; it handles every stream.
The byte path keeps the bytes after the last blank line of each chunk for the next
one, and parses the complete events before it in one go (``fastpath.parse_blocks``),
handing them to the line machine when they are not of the usual shape. The line
machine also takes the start of the stream (a BOM), short chunks, the chunks after
the byte path was of no use (for a while), and any chunk that arrives while it holds
part of a line, a character or an event, up to the next blank line.
"""

from __future__ import annotations

import codecs

from .event import Event
from .fastpath import blank_line_end, new_event, parse_blocks

_BOM = "\ufeff"
_MIN_RUN = 1024
"""Chunks shorter than this go to the line machine: the byte path costs more per call."""
_DENSE = 512
"""The byte path takes runs whose first event (with its blank line) is shorter than this and
than an eighth of the run: few or long events cost less in the line machine."""
_MAX_SKIP = 256
"""After the byte path was of no use, at most this many chunks go straight to the line machine."""
_MAX_STRIKES = 8
"""Misses in a row counted at most: 2**8 chunks is already ``_MAX_SKIP``."""
_ASCII_DIGITS = frozenset("0123456789")
_MAX_RETRY_DIGITS = 4300
"""Significant digits beyond CPython's default ``int()`` limit: no real delay, so ignored."""
_DIGITS_PER_STEP = 600
"""Below the smallest ``int()`` limit an interpreter may be configured with (640)."""


def _retry_value(value: str) -> int | None:
    """The reconnection time a ``retry`` field value sets, or None when the field is ignored.

    Spec: only ASCII digits, read in base ten (``str.isdigit`` would also take "٣" or "²").
    Leading zeros do not count, so ``0…05`` of any length is 5, though ``int()`` alone
    refuses it. A value with more significant digits than ``_MAX_RETRY_DIGITS`` is no
    real delay and is ignored, so a hostile line cannot cost quadratic time.
    """
    if not value or not _ASCII_DIGITS.issuperset(value):
        return None
    significant = value.lstrip("0")
    if len(significant) > _MAX_RETRY_DIGITS:
        return None
    result = 0
    for start in range(0, len(significant), _DIGITS_PER_STEP):
        piece = significant[start : start + _DIGITS_PER_STEP]
        result = result * 10 ** len(piece) + int(piece)
    return result


def _takes_effect_now(rest: bytes) -> bool:
    """Whether bytes after the last ``blank_line_end`` change something the moment they arrive.

    A blank line ended by a lone CR, or by LF after CR, dispatches (``blank_line_end``
    finds only LF LF and CRLF CRLF); a retry field counts as soon as its line ends.
    Other bytes can wait for the rest of their event.
    """
    if rest.startswith((b"\r", b"\n")):
        return True
    if b"\r" in rest and (b"\n\r" in rest or b"\r\r" in rest):
        return True
    return b"retry" in rest


class EventParser:
    """Feed it the bytes of one response as they arrive; it returns the events they complete."""

    __slots__ = (
        "_bom_done",
        "_cr_pending",
        "_data",
        "_decoder",
        "_eager",
        "_id_buffer",
        "_lined",
        "_max_skip",
        "_partial",
        "_pending",
        "_skip",
        "_strikes",
        "_type",
        "_types",
        "last_event_id",
        "retry",
    )

    def __init__(self, last_event_id: str = "") -> None:
        # A reconnecting client starts from the id the previous connection ended with.
        self.last_event_id: str = last_event_id
        self.retry: int | None = None
        self._id_buffer = last_event_id
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._bom_done = False
        self._cr_pending = False
        # The pieces of an unterminated line: joined once, when its end arrives.
        self._partial: list[str] = []
        self._data: list[str] = []
        self._type = ""
        # The byte path: whether the line machine holds state, the bytes after the last
        # blank line, the event lines seen, and how often it was of no use lately. Tests
        # make it eager (every chunk and run, however short) and set its backoff.
        self._lined = True
        self._eager = False
        self._max_skip = _MAX_SKIP
        self._pending = b""
        self._types: dict[bytes, str] = {}
        self._skip = 0
        self._strikes = 0

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse the next bytes of the stream; return the events they complete, in order."""
        if (len(chunk) < _MIN_RUN and not self._eager) or self._skip:
            # A few events at a time cost less in the line machine, and so do streams the
            # byte path found no use for lately: the line machine takes over.
            if self._skip:
                self._skip -= 1
            if not self._lined:
                self._lined = True
                chunk, self._pending = self._pending + chunk, b""
            return self._feed_text(self._decoder.decode(chunk))
        if type(chunk) is not bytes:
            chunk = bytes(chunk)  # a bytearray or memoryview, as the decoder accepted
        events: list[Event] = []
        if self._lined:
            end = blank_line_end(chunk, last=False)
            if end < 0:
                self._miss()
                return self._feed_text(self._decoder.decode(chunk))
            # After a blank line the line machine holds nothing: the byte path takes over.
            events = self._feed_text(self._decoder.decode(chunk[:end]))
            chunk = chunk[end:]
            self._lined = False
        buffer = self._pending + chunk
        self._pending = b""
        end = blank_line_end(buffer, last=True)
        if end < 0:
            # No event ends here: the line machine keeps what there is, line by line.
            self._miss()
            self._lined = True
            return events + self._feed_text(self._decoder.decode(buffer))
        region = buffer[:end]
        # Few or long events per run cost less in the line machine: take runs whose first
        # event (a sample) is short, and at most an eighth of the run.
        blank = b"\r\n\r\n" if region.endswith(b"\r\n\r\n") else b"\n\n"
        dense = self._eager or region.find(blank, 0, min(_DENSE, end // 8)) >= 0
        parsed = parse_blocks(region, self._id_buffer, self._types) if dense else None
        if parsed is None:
            self._miss()
            events += self._feed_text(region.decode("utf-8", "replace"))
        else:
            self._strikes = 0
            parsed_events, self._id_buffer = parsed
            self.last_event_id = self._id_buffer
            events += parsed_events
        rest = buffer[end:]
        if _takes_effect_now(rest):
            self._lined = True
            return events + self._feed_text(self._decoder.decode(rest))
        self._pending = rest
        return events

    def close(self) -> list[Event]:
        """End of stream: flush the decoder and drop an unterminated line or event.

        A line ended by a final CR was already complete when that CR arrived, so
        nothing pending here is ever dispatched (the spec discards an incomplete event).
        """
        events = self._feed_text(self._decoder.decode(self._pending))
        events += self._feed_text(self._decoder.decode(b"", final=True))
        self._pending = b""
        self._lined = True
        self._cr_pending = False
        self._partial = []
        self._data.clear()
        self._type = ""
        return events

    def _miss(self) -> None:
        """The byte path was of no use: leave the next chunks to the line machine.

        Each miss in a row doubles the number, so a stream of events the byte path
        refuses, or of events longer than a chunk, pays for it on few chunks.
        """
        self._strikes = min(self._strikes + 1, _MAX_STRIKES)
        self._skip = min(2**self._strikes, self._max_skip)

    def _feed_text(self, text: str) -> list[Event]:
        if not text:
            return []
        if not self._bom_done:
            # UTF-8 decode strips one leading BOM, and only one, even if split across chunks.
            self._bom_done = True
            if text[0] == _BOM:
                text = text[1:]
        if self._cr_pending:
            # The previous chunk ended in CR: an LF starting this one completes that CRLF.
            self._cr_pending = False
            if text[:1] == "\n":
                text = text[1:]
        if not text:
            return []
        if "\r" in text:
            self._cr_pending = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if len(lines) == 1:
            self._partial.append(text)
            return []
        if self._partial:
            self._partial.append(lines[0])
            lines[0] = "".join(self._partial)
        tail = lines.pop()
        self._partial = [tail] if tail else []
        return self._process(lines)

    def _process(self, lines: list[str]) -> list[Event]:
        # Hot loop: the state lives in locals and is written back once per chunk.
        events: list[Event] = []
        data = self._data  # one list for the parser's life: fewer objects for the GC to track
        append = data.append
        type_ = self._type
        id_buffer = self._id_buffer
        last_id = self.last_event_id
        for line in lines:
            # The lines real servers send, most common first, before the general case.
            if line[:6] == "data: ":
                append(line[6:])
                continue
            if not line:
                # A blank line dispatches; the last event id is set even with no event.
                last_id = id_buffer
                if data:
                    events.append(new_event(type_ or "message", "\n".join(data), id_buffer))
                    data.clear()
                type_ = ""
                continue
            if line[:1] == ":":
                continue  # a comment: keep-alive pings, or a flood of them
            if line[:4] == "id: ":
                if "\0" not in line:
                    id_buffer = line[4:]
                continue
            if line[:7] == "event: ":
                type_ = line[7:]
                continue
            field, colon, value = line.partition(":")
            if colon and value[:1] == " ":
                value = value[1:]
            if field == "data":
                append(value)
            elif field == "id":
                if "\0" not in value:
                    id_buffer = value
            elif field == "event":
                type_ = value
            elif field == "retry":
                retry = _retry_value(value)
                if retry is not None:
                    self.retry = retry
            # Anything else, a comment (empty field name) included, is ignored.
        self._type = type_
        self._id_buffer = id_buffer
        self.last_event_id = last_id
        return events


class _LineParser(EventParser):
    """The line machine alone, for every chunk: the reference the byte path is tested against."""

    __slots__ = ()

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse the next bytes of the stream with the line machine only."""
        return self._feed_text(self._decoder.decode(chunk))
