"""An incremental Server-Sent Events parser; pure, no I/O.

It follows "interpreting an event stream" of the WHATWG HTML standard:
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
Chunks are handled whole (one ``split`` per chunk), not character by character.
"""

from __future__ import annotations

import codecs
import contextlib

from ._models import Event

_BOM = "\ufeff"


class EventParser:
    """Feed it the bytes of one response as they arrive; it returns the events they complete."""

    __slots__ = (
        "_bom_done",
        "_cr_pending",
        "_data",
        "_decoder",
        "_id_buffer",
        "_partial",
        "_type",
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
        self._partial = ""
        self._data: list[str] = []
        self._type = ""

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse the next bytes of the stream; return the events they complete, in order."""
        return self._feed_text(self._decoder.decode(chunk))

    def close(self) -> list[Event]:
        """End of stream: flush the decoder and drop an unterminated line or event.

        A line ended by a final CR was already complete when that CR arrived, so
        nothing pending here is ever dispatched (the spec discards an incomplete event).
        """
        events = self._feed_text(self._decoder.decode(b"", final=True))
        self._partial = ""
        self._data = []
        self._type = ""
        return events

    def _feed_text(self, text: str) -> list[Event]:
        if not text:
            return []
        if not self._bom_done:
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
            self._partial += text
            return []
        if self._partial:
            lines[0] = self._partial + lines[0]
        self._partial = lines.pop()
        return self._process(lines)

    def _process(self, lines: list[str]) -> list[Event]:
        events: list[Event] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(Event(self._type or "message", "\n".join(data), self._id_buffer))
                    data = self._data = []
                self._type = ""
                self.last_event_id = self._id_buffer
                continue
            if line[0] == ":":
                continue
            field, colon, value = line.partition(":")
            if colon and value[:1] == " ":
                value = value[1:]
            if field == "data":
                data.append(value)
            elif field == "event":
                self._type = value
            elif field == "id":
                if "\0" not in value:
                    self._id_buffer = value
            elif field == "retry" and value.isascii() and value.isdigit():
                # More digits than int() accepts is no real delay: keep the last one.
                with contextlib.suppress(ValueError):
                    self.retry = int(value)
        return events
