"""Where a planned drop falls in the bytes of a response, however they are chunked; pure.

The resume fuzzer drops a connection after ``events`` complete events and ``extra``
more bytes. An event is complete on the line break that ends its blank line, so the
cutter feeds a parser of its own piece by piece, each piece ending at a CR or LF,
and knows the exact byte where each event is dispatched. Bytes that would complete
one more event before the drop are never read: the drop falls inside that event.
"""

from __future__ import annotations

import re

from .parser import EventParser

_AFTER_LINE_BREAK = re.compile(rb"(?<=[\r\n])")


class Cutter:
    """Feed it each chunk before it is read; it says how much of it comes before the drop."""

    __slots__ = ("_parser", "events", "extra", "seen", "taken")

    def __init__(self, events: int, extra: int, last_event_id: str = "") -> None:
        self.events = events
        self.extra = extra
        self.seen = 0
        """Events completed so far."""
        self.taken = 0
        """Bytes taken after the last of the ``events``."""
        self._parser = EventParser(last_event_id)

    def cut(self, data: bytes) -> int | None:
        """How many bytes of ``data`` come before the drop; ``None`` when all of them do.

        ``cut(b"")`` is 0 when the drop falls right after the response head.
        """
        offset = 0
        for piece in _AFTER_LINE_BREAK.split(data):
            if self.seen < self.events:
                self.seen += len(self._parser.feed(piece))
                offset += len(piece)
                continue
            room = self.extra - self.taken
            if room <= 0:
                return offset
            kept = piece[:room]
            if self._parser.feed(kept):
                return offset + len(kept) - 1  # the line break that would complete an event
            self.taken += len(kept)
            offset += len(kept)
            if len(kept) < len(piece):
                return offset
        if self.seen >= self.events and self.taken >= self.extra:
            return offset
        return None
