"""Helpers for the reliability tests: descriptors, memory, ports, a raw HTTP/1.1 client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contract import Event, EventParser
from tests.support.serving import HOST


def raise_fd_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (capped by the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def open_fds(pid: int | str = "self") -> int:
    """How many file descriptors process ``pid`` has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid: int | str = "self") -> int:
    """Resident set size of process ``pid`` in KiB, from ``/proc/PID/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for process {pid}")


# -- a raw HTTP/1.1 client ----------------------------------------------------------------


class ChunkedDecoder:
    """Incremental decoder of a chunked HTTP body; ``done`` once the last chunk has arrived."""

    def __init__(self) -> None:
        self._buffer = b""
        self._size: int | None = None
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """Take bytes off the wire; return the body bytes they complete."""
        self._buffer += data
        out: list[bytes] = []
        while not self.done:
            if self._size is None:
                line_end = self._buffer.find(b"\r\n")
                if line_end < 0:
                    break
                self._size = int(self._buffer[:line_end].split(b";")[0], 16)
                self._buffer = self._buffer[line_end + 2 :]
            elif self._size == 0:
                if not self._buffer.startswith(b"\r\n"):
                    break
                self._buffer = self._buffer[2:]
                self.done = True
            else:
                if len(self._buffer) < self._size + 2:
                    break
                out.append(self._buffer[: self._size])
                self._buffer = self._buffer[self._size + 2 :]
                self._size = None
        return b"".join(out)


def request_bytes(path: str = "/stream", headers: Mapping[str, str] | None = None) -> bytes:
    """A GET request for ``path`` with the given extra headers."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Accept: text/event-stream"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class RawStream:
    """One ``GET /stream`` over a raw socket: the head, then events as they arrive."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    head: bytes = b""
    events: list[Event] = field(default_factory=list)
    decoder: ChunkedDecoder = field(default_factory=ChunkedDecoder)
    parser: EventParser = field(default_factory=EventParser)

    @property
    def status(self) -> int:
        """The response's status code."""
        return int(self.head.split(b" ", 2)[1])

    async def read_head(self) -> bytes:
        """Read the status line and headers."""
        self.head = await self.reader.readuntil(b"\r\n\r\n")
        return self.head

    async def read_events(self, count: int) -> list[Event]:
        """Read until ``count`` events in all have arrived (or the body ends)."""
        while len(self.events) < count and not self.decoder.done:
            if not await self._read_some():
                break
        return self.events

    async def read_to_end(self) -> bool:
        """Read until the server closes; True when the chunked body ended properly first."""
        while await self._read_some():
            pass
        return self.decoder.done

    async def _read_some(self) -> bool:
        data = await self.reader.read(65536)
        if data:
            self.events += self.parser.feed(self.decoder.feed(data))
        return bool(data)

    def close(self, *, reset: bool = False) -> None:
        """Close the connection, with a TCP reset when ``reset``."""
        if reset:
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.writer.transport.abort()
        else:
            self.writer.close()


async def connect(port: int, *, rcvbuf: int | None = None) -> RawStream:
    """Open a TCP connection to the server, optionally with a small receive buffer."""
    if rcvbuf is None:
        reader, writer = await asyncio.open_connection(HOST, port)
        return RawStream(reader, writer)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (HOST, port))
    reader, writer = await asyncio.open_connection(sock=sock)
    return RawStream(reader, writer)


async def open_stream(
    port: int, headers: Mapping[str, str] | None = None, *, rcvbuf: int | None = None
) -> RawStream:
    """Connect, send ``GET /stream`` and read the response head."""
    stream = await connect(port, rcvbuf=rcvbuf)
    stream.writer.write(request_bytes(headers=headers))
    await stream.read_head()
    return stream


async def stalled_request(
    port: int, rcvbuf: int, headers: Mapping[str, str] | None = None
) -> socket.socket:
    """Send ``GET /stream`` from a socket with a small receive buffer that nothing ever reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, (HOST, port))
    await loop.sock_sendall(sock, request_bytes(headers=headers))
    return sock


@contextlib.contextmanager
def closing_all(streams: list[RawStream]) -> Iterator[list[RawStream]]:
    """Close every stream in ``streams`` on exit."""
    try:
        yield streams
    finally:
        for stream in streams:
            stream.writer.transport.abort()
