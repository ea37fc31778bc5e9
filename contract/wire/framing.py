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

from dataclasses import dataclass

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
    encoding: str = ""
    """The body's ``Content-Encoding`` ("" when sent as is): the counts above are of the
    bytes decoded, as a browser parses them."""
    received_bytes: int = 0
    """Bytes of the body as they came over the wire (compressed, when it was)."""
    trailing_bytes: int = 0
    """Bytes after the end of a compressed stream, which a browser ignores."""

    @property
    def endings(self) -> dict[str, int]:
        """Line endings by name, in the order LF, CRLF, CR."""
        return {"LF": self.lf, "CRLF": self.crlf, "CR": self.cr}


class LineScanner:
    """Feed it the chunks of one body with their arrival times; it keeps framing statistics."""

    __slots__ = (
        "_cr_pending",
        "_first_line",
        "_largest_event",
        "_last_at",
        "_longest_line",
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
        self._longest_line = 0
        self._largest_event = 0

    @property
    def pending_bytes(self) -> int:
        """Bytes of the event being received: its field lines so far and the unfinished line."""
        return self.pending_event_bytes + len(self._partial)

    @property
    def longest_line(self) -> int:
        """Bytes of the longest line so far, the unfinished one included (line break excluded)."""
        return max(self._longest_line, len(self._partial))

    @property
    def largest_event(self) -> int:
        """Bytes of the largest event so far (its field lines), the unfinished one included."""
        return max(self._largest_event, self.pending_bytes)

    def _arrival(self, at: float) -> None:
        gap = at - self._last_at
        if gap > self._silence[0]:
            self._silence = (gap, self._last_at)
        self._last_at = at

    def feed(self, data: bytes, at: float) -> None:
        """Scan the next bytes of the body, which arrived ``at`` seconds after the request."""
        self.arrived(len(data), at)
        self.scan(data)

    def arrived(self, size: int, at: float) -> None:
        """A chunk of ``size`` bytes arrived ``at`` seconds after the request (scan it next)."""
        if not size:
            return
        stats = self._stats
        self._arrival(at)
        stats["total_bytes"] += size
        stats["chunks"] += 1
        if stats["chunks"] == 1 or size < stats["smallest_chunk"]:
            stats["smallest_chunk"] = size
        stats["largest_chunk"] = max(stats["largest_chunk"], size)

    def scan(self, data: bytes) -> None:
        """Scan the lines of the next bytes, all or part of the chunk that last ``arrived``."""
        if not data:
            return
        stats = self._stats
        if self._cr_pending:
            self._cr_pending = False
            if data[:1] == b"\n":
                # The CR that ended the previous chunk was half of a CRLF.
                stats["cr"] -= 1
                stats["crlf"] += 1
                data = data[1:]
        # Whole-chunk operations, not a regex match per line: a flood of tiny lines
        # must cost the client less than it costs the server to send them.
        if b"\r" in data:
            crlf = data.count(b"\r\n")
            stats["crlf"] += crlf
            stats["cr"] += data.count(b"\r") - crlf
            stats["lf"] += data.count(b"\n") - crlf
            self._cr_pending = data[-1:] == b"\r"
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        else:
            stats["lf"] += data.count(b"\n")
        lines = data.split(b"\n")
        if len(lines) == 1:
            self._partial += data
            return
        if self._partial:
            self._partial += lines[0]
            lines[0] = bytes(self._partial)
            self._partial.clear()
        tail = lines.pop()
        self._partial += tail
        self._lines(lines, data, tail)

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

    def _lines(self, lines: list[bytes], chunk: bytes, tail: bytes) -> None:
        """Count the complete ``lines``: ``chunk`` (but a carried start) without ``tail``."""
        stats = self._stats
        if self._first_line:
            self._first_line = False
            if lines[0].startswith(_BOM):
                stats["bom"] = 1
                lines[0] = lines[0][len(_BOM) :]
        longest = max(map(len, lines))
        self._longest_line = max(self._longest_line, longest)
        comments = chunk.count(b"\n:") - tail.startswith(b":") + lines[0].startswith(b":")
        if comments == len(lines):
            # Only comments (keep-alive pings, or a flood of them): nothing else to count.
            stats["comments"] += comments
            return
        # Most chunks are ASCII without NUL: then no line needs a check of its own.
        check = b"\0" in chunk or b"\0" in lines[0] or not (chunk.isascii() and lines[0].isascii())
        comments = unknown = retry = 0
        pending = self.pending_event_bytes
        pending_data = self._pending_data
        largest = self._largest_event
        for line in lines:
            if not line:
                if pending > largest:  # noqa: PLR1730 (a call per event costs a flood twice)
                    largest = pending
                pending = 0
                pending_data = False
            elif line[:5] == b"data:" and not check:
                pending_data = True
                pending += len(line) + 1
            elif line[:1] == b":":
                comments += 1
            else:
                name = line.partition(b":")[0]
                if name not in _KNOWN:
                    unknown += 1
                elif name == b"retry":
                    retry += 1
                else:
                    if check:
                        self._check(name, line)
                    pending_data = pending_data or name == b"data"
                    pending += len(line) + 1
        stats["comments"] += comments
        stats["unknown_fields"] += unknown
        stats["retry_fields"] += retry
        self.pending_event_bytes = pending
        self._pending_data = pending_data
        self._largest_event = max(largest, pending)

    def _check(self, name: bytes, line: bytes) -> None:
        stats = self._stats
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            stats["invalid_utf8_lines"] += 1
        if name == b"id" and b"\0" in line:
            stats["nul_ids"] += 1
