"""A body's ``Content-Encoding`` undone as a browser undoes it, as the bytes arrive; pure, no I/O.

The suite asks for what Chromium's EventSource asks for (``ACCEPT_ENCODING``) and
decodes the same codings: gzip and deflate (``zlib``), br (``brotli``) and zstd
(``zstandard``), in layers when a server lists several. Each piece of the body is
decoded as it comes, so an event arrives when its decoded bytes do: a compressor that
flushes after each event is as incremental as no compression, one that holds events
back shows as such. Every call returns at most the ``room`` it is given, so a
compression bomb costs no more memory than the byte limit it crosses; zstd frames may
not ask for a window over 8 MiB (RFC 9659), brotli's is at most 16 MiB by its format.
Bytes after the end of a compressed stream are ignored, as Chromium ignores them, and
counted (``trailing``) so that the report can say so.
"""

from __future__ import annotations

import io
import zlib
from typing import TYPE_CHECKING, Protocol

import brotli
import zstandard

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

ACCEPT_ENCODING = "gzip, deflate, br, zstd"
"""The ``Accept-Encoding`` Chromium sends with an EventSource request."""
CODINGS = ("gzip", "deflate", "br", "zstd")
_ALIASES = {"x-gzip": "gzip"}
ZSTD_WINDOW = 8 << 20
"""The largest zstd window a decoder must accept for HTTP (RFC 9659 section 3)."""
_PIECE = 64 * 1024


class DecodingError(Exception):
    """The body is not what its ``Content-Encoding`` says: a browser fails such a response."""


def codings(header: str | None) -> tuple[str, ...]:
    """The codings of a ``Content-Encoding`` value, in the order they were applied.

    ``identity`` and empty entries are left out; ``x-gzip`` is gzip. Raises ``ValueError``
    naming a coding no browser decodes.
    """
    found = []
    for part in (header or "").split(","):
        name = _ALIASES.get(part.strip().lower(), part.strip().lower())
        if name in ("", "identity"):
            continue
        if name not in CODINGS:
            raise ValueError(f"Content-Encoding {part.strip()!r}: not one a browser decodes")
        found.append(name)
    return tuple(found)


class _Layer(Protocol):
    finished: bool
    """The coded stream has ended: what follows is not fed (``_feed``)."""
    trailing: int

    def feed(self, data: bytes, room: int) -> bytes: ...

    def flush(self, room: int) -> bytes: ...


def _feed(layer: _Layer, data: bytes, room: int) -> bytes:
    """``data`` decoded by ``layer``; after the end of its stream, counted as trailing bytes
    and dropped, as a browser drops them."""
    if layer.finished:
        layer.trailing += len(data)
        return b""
    return layer.feed(data, room)


class _Zlib:
    """gzip, or deflate: the zlib format, or a raw deflate stream as some servers send."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.decoder: zlib._Decompress | None = (
            zlib.decompressobj(wbits=31) if coding == "gzip" else None
        )
        self.head = b""
        self.finished = False
        self.trailing = 0

    def feed(self, data: bytes, room: int) -> bytes:
        if self.decoder is None:  # deflate: the zlib header, or none (raw), as Chromium decides
            self.head += data
            if len(self.head) < 2:
                return b""
            cmf, flg = self.head[0], self.head[1]
            wrapped = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
            self.decoder = zlib.decompressobj(wbits=15 if wrapped else -15)
            data, self.head = self.head, b""
        try:
            out = self.decoder.decompress(data, room)
        except zlib.error as exc:
            raise DecodingError(f"{self.coding}: {exc}") from None
        if self.decoder.eof:
            self.finished = True
            self.trailing += len(self.decoder.unused_data)
        return out

    def flush(self, room: int) -> bytes:
        if self.decoder is None or self.finished:
            return b""
        try:
            return self.decoder.decompress(self.decoder.unconsumed_tail, room)
        except zlib.error as exc:
            raise DecodingError(f"{self.coding}: {exc}") from None


class _Brotli:
    def __init__(self) -> None:
        self.decoder = brotli.Decompressor()
        self.finished = False
        self.trailing = 0

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            # The limit stops the output buffer's growth once reached: cut what passed it.
            out: bytes = self.decoder.process(data, output_buffer_limit=room)[:room]
            while len(out) < room and not self.decoder.can_accept_more_data():
                out += self.decoder.process(b"", output_buffer_limit=room - len(out))
        except brotli.error as exc:
            raise DecodingError(f"br: {exc}") from None
        self.finished = bool(self.decoder.is_finished())
        return out[:room]

    def flush(self, room: int) -> bytes:
        return b""


class _Full(Exception):
    """The output reached its room: decoding stops there."""


class _Sink(io.BytesIO):
    """Where the zstd decoder writes its output: at most ``room`` bytes, then it stops."""

    room = 0

    def write(self, data: ReadableBuffer, /) -> int:
        kept = super().write(memoryview(data)[: self.room - self.tell()])
        if self.tell() >= self.room:
            raise _Full
        return kept


class _Zstd:
    """zstd frames, one after another, each decoded as its blocks arrive."""

    def __init__(self) -> None:
        self.sink = _Sink()
        decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW)
        self.writer = decompressor.stream_writer(self.sink, write_size=_PIECE, closefd=False)
        self.finished = False
        self.trailing = 0

    def feed(self, data: bytes, room: int) -> bytes:
        self.sink.seek(0)
        self.sink.truncate()
        self.sink.room = room
        try:
            self.writer.write(data)
        except _Full:
            pass
        except zstandard.ZstdError as exc:
            raise DecodingError(f"zstd: {exc}") from None
        return self.sink.getvalue()

    def flush(self, room: int) -> bytes:
        return self.feed(b"", room)


def _layer(coding: str) -> _Layer:
    if coding == "br":
        return _Brotli()
    if coding == "zstd":
        return _Zstd()
    return _Zlib(coding)


class Decoder:
    """Undoes a body's ``Content-Encoding``, layer by layer, as its bytes arrive."""

    def __init__(self, header: str | None) -> None:
        """``header``: the response's Content-Encoding; ``ValueError`` for one no browser takes."""
        applied = codings(header)
        self.encoding = ", ".join(applied)
        """The codings, as the header lists them ("" when the body is sent as is)."""
        self._layers = [_layer(coding) for coding in reversed(applied)]
        self.received = 0
        """Bytes fed, as they came over the wire."""

    @property
    def trailing(self) -> int:
        """Bytes after the end of a compressed stream, which a browser ignores."""
        return sum(layer.trailing for layer in self._layers)

    def feed(self, data: bytes, room: int) -> bytes:
        """The decoded bytes of the next ``data``, at most ``room`` of them (more would come
        when exactly ``room`` come back). ``DecodingError`` when the body does not decode."""
        self.received += len(data)
        for layer in self._layers:
            if not data:
                break
            data = _feed(layer, data, room)
        return data

    def flush(self, room: int) -> bytes:
        """At the end of the body: what the decoders still hold, at most ``room`` bytes."""
        out = b""
        for layer in self._layers:
            data = (_feed(layer, out, room) if out else b"") + layer.flush(room)
            out = data[:room]
        return out
