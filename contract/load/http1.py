"""An HTTP/1.1 response read from bytes, no I/O: the head, then the body as it was framed.

What the load mode's clients (``client.py`` on asyncio, ``locust_user.py`` on gevent)
feed each socket read to: ``feed`` returns the body's bytes (de-chunked), and the head
once it is complete. Bodies are framed by ``Transfer-Encoding: chunked``, by
``Content-Length``, or by the end of the connection (RFC 9112, section 6.3); a 1xx
head is skipped, and a 204 or 304 has no body.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HEAD = 64 * 1024
"""Bytes a response head may take: past this the response is malformed."""


class Malformed(Exception):
    """The bytes are no HTTP/1.1 response (a bad status line, head or chunk size)."""


@dataclass(frozen=True, slots=True)
class Head:
    """A response's status line and headers, as received."""

    status: int
    headers: tuple[tuple[str, str], ...]
    named: dict[str, str]
    """The first value of each header, by its name in lowercase."""

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or ``None``."""
        return self.named.get(name.lower())


def parse_head(block: bytes) -> Head:
    """The status line and header lines of ``block`` (without its blank line)."""
    lines = block.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise Malformed(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers = []
    named: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise Malformed(f"not a header line: {line[:80]!r}")
        value = value.strip(" \t")
        headers.append((name, value))
        named.setdefault(name.lower(), value)
    return Head(int(parts[1]), tuple(headers), named)


class ResponseReader:
    """One response's bytes in, its head and body out (``feed``); ``done`` once it is whole."""

    def __init__(self, *, no_body: bool = False) -> None:
        self.head: Head | None = None
        self.done = False
        """The body is complete as framed (a chunked terminator, the length reached)."""
        self.until_close = False
        """The body ends when the connection does (no length, not chunked)."""
        self._no_body = no_body
        self._buffer = b""
        self._left = 0
        """Bytes left: of the body (``Content-Length``) or of the current chunk."""
        self._chunked = False
        self._after_chunk = False
        """The CRLF that closes a chunk's data is due."""
        self._trailers = False

    def feed(self, data: bytes) -> bytes:
        """The body bytes ``data`` completes; ``Malformed`` when the bytes are no response."""
        if self.head is None:
            data = self._take_head(data)
            if not data:
                return b""
        if self.done:
            return b""
        if self.until_close:
            return data
        if not self._chunked:
            body, self._left = data[: self._left], self._left - min(len(data), self._left)
            self.done = self._left == 0
            return body
        return self._dechunk(data)

    def _take_head(self, data: bytes) -> bytes:
        buffer = self._buffer + data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    raise Malformed(f"a response head longer than {MAX_HEAD} bytes")
                self._buffer = buffer
                return b""
            head = parse_head(buffer[:end])
            buffer = buffer[end + 4 :]
            if not 100 <= head.status < 200:
                break
        self._buffer = b""
        self.head = head
        self._frame(head)
        return buffer

    def _frame(self, head: Head) -> None:
        encoding = (head.header("Transfer-Encoding") or "").lower()
        length = head.header("Content-Length")
        if self._no_body or head.status in (204, 304):
            self.done = True
        elif "chunked" in encoding:
            self._chunked = True
        elif length is not None:
            if not length.strip().isdigit():
                raise Malformed(f"Content-Length {length!r}")
            self._left = int(length)
            self.done = self._left == 0
        else:
            self.until_close = True

    def _dechunk(self, data: bytes) -> bytes:
        buffer = self._buffer + data if self._buffer else data
        out = []
        position = 0
        while position < len(buffer):
            if self._left:
                piece = buffer[position : position + self._left]
                out.append(piece)
                position += len(piece)
                self._left -= len(piece)
                if self._left:
                    break
                self._after_chunk = True
                continue
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                if len(buffer) - position > MAX_HEAD:
                    raise Malformed("a chunk size line that never ends")
                break
            line = buffer[position:line_end]
            position = line_end + 2
            if self._after_chunk:
                if line:
                    raise Malformed("chunk data longer than its size")
                self._after_chunk = False
            elif self._trailers:
                if not line:
                    self.done = True
                    return b"".join(out)
            else:
                size = line.split(b";", 1)[0].strip()
                try:
                    self._left = int(size, 16)
                except ValueError:
                    raise Malformed(f"chunk size {size[:20]!r}") from None
                if self._left == 0:
                    self._trailers = True
        self._buffer = buffer[position:]
        return b"".join(out)
