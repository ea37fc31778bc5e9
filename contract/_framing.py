"""The raw line view of a response: how the bytes were framed, not what they mean; pure, no I/O.

The parser answers "which events would a browser see"; this scanner answers the
questions the parser forgets: which line endings and fields were used, when each
comment line arrived (keep-alive gaps), how much of an unfinished line or event is
pending (the client's size limits), and whether the body ended inside an event.
Lines are split as in https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
(CRLF, LF or CR), on bytes: no UTF-8 sequence contains CR or LF.
"""

from __future__ import annotations

import re

_BREAK = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"
KNOWN_FIELDS = ("data", "event", "id", "retry")


class LineScanner:
    """Feed it the chunks of one body with their arrival times; it keeps framing statistics."""

    __slots__ = (
        "_cr_pending",
        "_first_line",
        "_partial",
        "bom",
        "comment_times",
        "cut_off",
        "endings",
        "fields",
        "invalid_utf8_lines",
        "longest_line",
        "pending_data",
        "pending_event_bytes",
        "total_bytes",
    )

    def __init__(self) -> None:
        self.total_bytes = 0
        self.bom = False
        self.endings: dict[str, int] = {"LF": 0, "CRLF": 0, "CR": 0}
        self.fields: dict[str, int] = {}
        self.comment_times: list[float] = []
        self.invalid_utf8_lines = 0
        self.longest_line = 0
        self.pending_data = False
        self.pending_event_bytes = 0
        self.cut_off = 0
        self._cr_pending = False
        self._first_line = True
        self._partial = bytearray()

    @property
    def pending_bytes(self) -> int:
        """Bytes of the event being received: its field lines so far and the unfinished line."""
        return self.pending_event_bytes + len(self._partial)

    @property
    def partial_line_bytes(self) -> int:
        """Bytes of the line being received (no line break yet)."""
        return len(self._partial)

    def feed(self, data: bytes, at: float) -> None:
        """Scan the next bytes of the body, which arrived ``at`` seconds after the request."""
        if not data:
            return
        self.total_bytes += len(data)
        start = 0
        if self._cr_pending:
            self._cr_pending = False
            if data[:1] == b"\n":
                # The CR that ended the previous chunk was half of a CRLF.
                self.endings["CR"] -= 1
                self.endings["CRLF"] += 1
                start = 1
        for match in _BREAK.finditer(data, start):
            self._partial += data[start : match.start()]
            start = match.end()
            ending = match.group()
            if ending == b"\r" and start == len(data):
                self._cr_pending = True
            self.endings[{b"\n": "LF", b"\r\n": "CRLF", b"\r": "CR"}[ending]] += 1
            line = bytes(self._partial)
            self._partial.clear()
            self._line(line, at)
        self._partial += data[start:]

    def close(self) -> None:
        """The body ended: record how many bytes a browser would discard as an unfinished event."""
        partial = bytes(self._partial)
        if self._first_line:
            partial = partial.removeprefix(_BOM)
        unfinished_line = bool(partial) and not partial.startswith(b":")
        if self.pending_data or unfinished_line:
            self.cut_off = self.pending_event_bytes + len(partial)
        self._partial.clear()

    def _line(self, line: bytes, at: float) -> None:
        first, self._first_line = self._first_line, False
        if first and line.startswith(_BOM):
            self.bom = True
            line = line[len(_BOM) :]
        self.longest_line = max(self.longest_line, len(line))
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            self.invalid_utf8_lines += 1
            text = line.decode("utf-8", errors="replace")
        if not text:
            self.pending_data = False
            self.pending_event_bytes = 0
            return
        if text[0] == ":":
            self.comment_times.append(at)
            return
        name = text.partition(":")[0]
        key = name if name in KNOWN_FIELDS else "other"
        self.fields[key] = self.fields.get(key, 0) + 1
        if name == "data":
            self.pending_data = True
        self.pending_event_bytes += len(line) + 1


def scan(chunks: list[tuple[float, bytes]] | tuple[tuple[float, bytes], ...]) -> LineScanner:
    """Scan a whole recorded body given as ``(at, data)`` pairs; the scanner is closed."""
    scanner = LineScanner()
    for at, data in chunks:
        scanner.feed(data, at)
    scanner.close()
    return scanner
