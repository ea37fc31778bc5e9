"""Compressed event streams: a compressor that flushes after each write (as a browser needs), one
that holds events back (the well-known bug of compression middleware), and bombs."""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import brotli
import zstandard
from aiohttp import web

from .scripted import SSE, Reply, Responder, Step

BOMB_UNIT = b": x\n" * (4 << 20)
"""16 MiB of comment lines: a bomb's unit, a few hundred bytes compressed."""


@dataclass
class Compressor:
    """One body's compressor: ``piece`` compresses the next write, ``end`` finishes the body."""

    coding: str
    flush: bool = True
    """Flush after each piece (else the compressor keeps what it likes until the end)."""
    _zlib: zlib._Compress | None = None
    _brotli: brotli.Compressor | None = None
    _zstd: zstandard.ZstdCompressionObj | None = None
    _started: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.coding in ("gzip", "deflate"):
            self._zlib = zlib.compressobj(wbits=31 if self.coding == "gzip" else 15)
        elif self.coding == "br":
            self._brotli = brotli.Compressor(quality=5)
        else:
            self._zstd = zstandard.ZstdCompressor().compressobj()

    def piece(self, data: bytes) -> bytes:
        """``data`` compressed; with ``flush``, everything a decoder needs to give it back."""
        if self._zlib is not None:
            out = self._zlib.compress(data)
            return out + self._zlib.flush(zlib.Z_SYNC_FLUSH) if self.flush else out
        if self._brotli is not None:
            squeezed: bytes = self._brotli.process(data)
            return squeezed + self._brotli.flush() if self.flush else squeezed
        assert self._zstd is not None
        out = self._zstd.compress(data)
        flushed = self._zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK) if self.flush else b""
        return out + flushed

    def end(self) -> bytes:
        """The rest of the body: whatever was held back, and the stream's end."""
        if self._zlib is not None:
            return self._zlib.flush()
        if self._brotli is not None:
            return bytes(self._brotli.finish())
        assert self._zstd is not None
        return self._zstd.flush()


def compressor(coding: str, *, flush: bool = True) -> Compressor:
    """A compressor for ``coding`` (gzip, deflate, br or zstd)."""
    return Compressor(coding, flush)


def compressed_steps(coding: str, steps: Iterable[Step], *, flush: bool = True) -> list[Step]:
    """``steps`` with each write compressed, flushed after each (or held back), then the end."""
    squeeze = compressor(coding, flush=flush)
    out: list[Step] = [squeeze.piece(step) if isinstance(step, bytes) else step for step in steps]
    return [*out, squeeze.end()]


def compressed_reply(coding: str, steps: Iterable[Step], *, flush: bool = True) -> Reply:
    """A 200 event stream of ``steps``, compressed with ``coding``."""
    headers = {**SSE, "Content-Encoding": coding}
    return Reply(compressed_steps(coding, steps, flush=flush), headers=headers)


def bomb(coding: str) -> Iterator[bytes]:
    """An endless compressed body of comment lines (br: one 16 MiB unit), a few hundred bytes
    for every 16 MiB it decodes to."""
    if coding == "br":
        yield brotli.compress(BOMB_UNIT, quality=5)
        return
    if coding == "zstd":
        frame = zstandard.ZstdCompressor().compress(BOMB_UNIT)
        yield from itertools.repeat(frame)
        return
    # A full flush resets the compressor: the same bytes encode every further unit.
    squeeze = zlib.compressobj(9, wbits=31)
    head = squeeze.compress(BOMB_UNIT) + squeeze.flush(zlib.Z_FULL_FLUSH)
    unit = squeeze.compress(BOMB_UNIT) + squeeze.flush(zlib.Z_FULL_FLUSH)
    yield head
    yield from itertools.repeat(unit)


def compressing(responder: Responder, coding: str, *, flush: bool = True) -> Responder:
    """``responder`` behind a compressor (as a proxy or middleware would put one): every 200
    body compressed with ``coding``, flushed after each write or held back."""

    def respond(request: web.Request) -> Reply:
        reply = responder(request)
        if reply.status != 200:
            return reply
        headers = {**reply.headers, "Content-Encoding": coding}
        return replace(
            reply, steps=compressed_steps(coding, reply.steps, flush=flush), headers=headers
        )

    return respond
