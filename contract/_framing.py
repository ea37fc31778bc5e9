"""The raw line view of a response: how the bytes were framed, not what they mean; pure, no I/O.

The parser answers "which events would a browser see"; this scanner answers the
questions the parser forgets: which line endings and fields were used, how long the
stream stayed silent (keep-alive), how much of an unfinished line or event is pending
(the client's size limits), and whether the body ended inside an event. It keeps
counts, never the bytes, so its memory does not grow with the stream.
Lines are split as in https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
(CRLF, LF or CR), on bytes: no UTF-8 sequence contains CR or LF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"
_FEEDS_EVENTS = (b"data", b"event", b"id")
"""Fields whose value reaches a dispatched event (and so a browser's eyes)."""
_KNOWN = (*_FEEDS_EVENTS, b"retry")


@dataclass(frozen=True, slots=True)
class Framing:
    """What a body's framing looked like, in counts: the recording keeps this, not the bytes."""

    total_bytes: int = 0
    chunks: int = 0
    smallest_chunk: int = 0
    largest_chunk: int = 0
    lf: int = 0
    crlf: int = 0
    cr: int = 0
    bom: bool = False
    comments: int = 0
    retry_fields: int = 0
    unknown_fields: int = 0
    invalid_utf8_lines: int = 0
    """Lines of a field that feeds an event (data, event, id) that are not UTF-8."""
    nul_ids: int = 0
    """``id`` fields holding NUL, which a browser ignores."""
    cut_off: int = 0
    """Bytes of an event the body ended inside of (a browser discards them)."""
    longest_silence: float = 0.0
    """The longest time without a byte while the response was open."""
    silence_from: float = 0.0
    """When that silence began (seconds after the request)."""

    @property
    def endings(self) -> dict[str, int]:
        """Line endings by name, in the order LF, CRLF, CR."""
        return {"LF": self.lf, "CRLF": self.crlf, "CR": self.cr}


class LineScanner:
    """Feed it the chunks of one body with their arrival times; it keeps framing statistics."""

    __slots__ = (
        "_cr_pending",
        "_first_line",
        "_last_at",
        "_partial",
        "_pending_data",
        "_silence",
        "_stats",
        "pending_event_bytes",
    )

    def __init__(self, opened_at: float = 0.0) -> None:
        self._stats: dict[str, int] = dict.fromkeys(
            (
                "total_bytes",
                "chunks",
                "smallest_chunk",
                "largest_chunk",
                "lf",
                "crlf",
                "cr",
                "comments",
                "retry_fields",
                "unknown_fields",
                "invalid_utf8_lines",
                "nul_ids",
                "bom",
            ),
            0,
        )
        self._silence: tuple[float, float] = (0.0, opened_at)
        self._last_at = opened_at
        self.pending_event_bytes = 0
        self._pending_data = False
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

    def _arrival(self, at: float) -> None:
        gap = at - self._last_at
        if gap > self._silence[0]:
            self._silence = (gap, self._last_at)
        self._last_at = at

    def feed(self, data: bytes, at: float) -> None:
        """Scan the next bytes of the body, which arrived ``at`` seconds after the request."""
        if not data:
            return
        stats = self._stats
        self._arrival(at)
        stats["total_bytes"] += len(data)
        stats["chunks"] += 1
        size = len(data)
        if stats["chunks"] == 1 or size < stats["smallest_chunk"]:
            stats["smallest_chunk"] = size
        stats["largest_chunk"] = max(stats["largest_chunk"], size)
        start = 0
        if self._cr_pending:
            self._cr_pending = False
            if data[:1] == b"\n":
                # The CR that ended the previous chunk was half of a CRLF.
                stats["cr"] -= 1
                stats["crlf"] += 1
                start = 1
        for match in _BREAK.finditer(data, start):
            self._partial += data[start : match.start()]
            start = match.end()
            ending = match.group()
            if ending == b"\r" and start == len(data):
                self._cr_pending = True
            stats[{b"\n": "lf", b"\r\n": "crlf", b"\r": "cr"}[ending]] += 1
            line = bytes(self._partial)
            self._partial.clear()
            self._line(line)
        self._partial += data[start:]

    def close(self, at: float, *, eof: bool) -> Framing:
        """The body ended (``eof``) or the client stopped reading, ``at`` seconds in; the counts."""
        self._arrival(at)
        cut_off = 0
        if eof:
            partial = bytes(self._partial)
            if self._first_line:
                partial = partial.removeprefix(_BOM)
            unfinished_line = bool(partial) and not partial.startswith(b":")
            if self._pending_data or unfinished_line:
                cut_off = self.pending_event_bytes + len(partial)
        self._partial.clear()
        stats = self._stats
        return Framing(
            total_bytes=stats["total_bytes"],
            chunks=stats["chunks"],
            smallest_chunk=stats["smallest_chunk"],
            largest_chunk=stats["largest_chunk"],
            lf=stats["lf"],
            crlf=stats["crlf"],
            cr=stats["cr"],
            bom=bool(stats["bom"]),
            comments=stats["comments"],
            retry_fields=stats["retry_fields"],
            unknown_fields=stats["unknown_fields"],
            invalid_utf8_lines=stats["invalid_utf8_lines"],
            nul_ids=stats["nul_ids"],
            cut_off=cut_off,
            longest_silence=self._silence[0],
            silence_from=self._silence[1],
        )

    def _line(self, line: bytes) -> None:
        stats = self._stats
        if self._first_line:
            self._first_line = False
            if line.startswith(_BOM):
                stats["bom"] = 1
                line = line[len(_BOM) :]
        if not line:
            self._pending_data = False
            self.pending_event_bytes = 0
            return
        if line[:1] == b":":
            stats["comments"] += 1
            return
        name = line.partition(b":")[0]
        if name not in _KNOWN:
            stats["unknown_fields"] += 1
            return
        if name == b"retry":
            stats["retry_fields"] += 1
            return
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            stats["invalid_utf8_lines"] += 1
        if name == b"data":
            self._pending_data = True
        elif name == b"id" and b"\0" in line:
            stats["nul_ids"] += 1
        self.pending_event_bytes += len(line) + 1


def scan(chunks: list[tuple[float, bytes]] | tuple[tuple[float, bytes], ...]) -> Framing:
    """Scan a whole body given as ``(at, data)`` pairs that ended at EOF after the last one."""
    scanner = LineScanner()
    for at, data in chunks:
        scanner.feed(data, at)
    return scanner.close(chunks[-1][0] if chunks else 0.0, eof=True)
