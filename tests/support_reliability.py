"""Helpers for the reliability tests: servers in process and in a subprocess, raw HTTP clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from aiohttp_sse_demo import Settings, create_app
from contract import Event, EventParser

HOST = "127.0.0.1"
SERVING = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")
STARTUP_TIMEOUT = 20.0


async def wait_for(predicate: Callable[[], bool], within: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``within`` seconds pass; return its last value."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() >= deadline:
            return predicate()
        await asyncio.sleep(step)
    return True


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


# -- the demo app in this process -----------------------------------------------------------


@dataclass
class InProcess:
    """A demo app served on 127.0.0.1 by this event loop."""

    app: web.Application
    runner: web.AppRunner
    port: int


@contextlib.asynccontextmanager
async def in_process(
    settings: Settings,
    *,
    handler_cancellation: bool,
    customize: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[InProcess]:
    """Serve ``create_app(settings)`` on 127.0.0.1:0; clean up (shutdown hooks too) on exit.

    ``customize`` may add hooks to the app before it starts (and freezes).
    """
    app = create_app(settings)
    if customize is not None:
        customize(app)
    runner = web.AppRunner(app, handler_cancellation=handler_cancellation, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        yield InProcess(runner.app, runner, runner.addresses[0][1])
    finally:
        await runner.cleanup()


# -- the demo server as `python -m aiohttp_sse_demo` ----------------------------------------


@dataclass
class ServerProcess:
    """A server subprocess whose log goes to a file."""

    proc: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.proc.pid

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log.read_bytes().decode(errors="replace")

    async def wait_serving(self, within: float = STARTUP_TIMEOUT) -> int:
        """Wait for the "serving on" line and return the port it names."""
        found: list[int] = []

        def serving() -> bool:
            if match := SERVING.search(self.log.read_bytes()):
                found.append(int(match[1]))
                return True
            return self.proc.poll() is not None

        await wait_for(serving, within, step=0.05)
        if not found:
            raise AssertionError(f"server did not start; its log:\n{self.log_text()}")
        self.port = found[0]
        return self.port

    async def wait_exit(self, within: float) -> int | None:
        """Wait up to ``within`` seconds for the process to exit; its status, or None."""
        await wait_for(lambda: self.proc.poll() is not None, within, step=0.005)
        return self.proc.poll()

    def signal(self, signum: signal.Signals = signal.SIGTERM) -> None:
        """Send ``signum`` to the process if it still runs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)


def spawn(
    log: Path, *args: str, env: Mapping[str, str] | None = None, module: str = "aiohttp_sse_demo"
) -> ServerProcess:
    """Start ``python -m module args`` with its output going to ``log``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSE_DEMO_")}
    environ.update(env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
        )
    return ServerProcess(proc, log)


@contextlib.asynccontextmanager
async def server_process(
    log: Path, *args: str, env: Mapping[str, str] | None = None, module: str = "aiohttp_sse_demo"
) -> AsyncIterator[ServerProcess]:
    """Run ``python -m module args`` with output to ``log``; killed on exit if still running."""
    server = spawn(log, *args, env=env, module=module)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
        await asyncio.to_thread(server.proc.wait, 10)


@contextlib.contextmanager
def demo_process_sync(log: Path, *args: str) -> Iterator[ServerProcess]:
    """``python -m aiohttp_sse_demo --port 0 args`` for synchronous tests; stopped on exit."""
    server = spawn(log, "--port", "0", *args)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (match := SERVING.search(log.read_bytes())):
            if server.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start; its log:\n{server.log_text()}")
            time.sleep(0.05)
        server.port = int(match[1])
        yield server
    finally:
        server.signal(signal.SIGTERM)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(10)


@contextlib.asynccontextmanager
async def start_demo(log: Path, *args: str) -> AsyncIterator[ServerProcess]:
    """Start ``python -m aiohttp_sse_demo --port 0 args`` and wait until it serves."""
    async with server_process(log, "--port", "0", *args) as server:
        await server.wait_serving()
        yield server


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
