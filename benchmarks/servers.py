"""The servers under test as child processes: how to start each, pinned to a core, and its RSS."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = 0
CLIENT_CPU = 1


@dataclass(frozen=True)
class ServerKind:
    """A server the driver can start: a name for the table and a command line."""

    key: str
    label: str

    def argv(self, port: int, interval: float) -> list[str]:
        """The command that serves ``/stream`` on 127.0.0.1:``port``."""
        py = sys.executable
        if self.key == "ceiling":
            return [
                py,
                "-m",
                "benchmarks.ceiling",
                "--port",
                str(port),
                "--interval",
                f"{interval}",
            ]
        if self.key == "project":
            return [
                *(py, "-m", "aiohttp_sse_demo", "--host", "127.0.0.1", "--port", str(port)),
                *("--interval", f"{interval}", "--max-streams", "100000"),
                *("--log-level", "WARNING"),
            ]
        if self.key in ("plain", "aiohttp"):
            argv = [
                py,
                "-m",
                "benchmarks.plain_app",
                "--port",
                str(port),
                "--interval",
                f"{interval}",
            ]
            return [*argv, "--hand"] if self.key == "aiohttp" else argv
        if self.key == "fastapi":
            return [
                *(py, "-m", "uvicorn", "--factory", "tests.servers.fastapi_app:create_app"),
                *("--host", "127.0.0.1", "--port", str(port), *fastapi_setup()),
                *("--no-access-log", "--log-level", "warning"),
            ]
        raise ValueError(f"unknown server {self.key!r}")

    def env(self, interval: float) -> dict[str, str]:
        """The child's environment."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        if self.key == "fastapi":
            env["FASTAPI_SSE_INTERVAL"] = f"{interval}"
        return env


CEILING = ServerKind("ceiling", "bare asyncio Protocol, pre-framed (ceiling)")
PROJECT = ServerKind("project", "this project (aiohttp + aiohttp-sse)")
PLAIN = ServerKind("plain", "aiohttp-sse used plainly")
AIOHTTP = ServerKind("aiohttp", "aiohttp StreamResponse, hand framing, no pings")
FASTAPI = ServerKind("fastapi", "FastAPI StreamingResponse (uvicorn)")
ALL = (CEILING, PROJECT, PLAIN, AIOHTTP, FASTAPI)


def fastapi_setup() -> list[str]:
    """uvicorn's fastest set-up that is installed: uvloop and httptools when present."""
    args = []
    if importlib.util.find_spec("uvloop") is not None:
        args += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools") is not None:
        args += ["--http", "httptools"]
    return args


def pinning() -> bool:
    """True when the server and the client can each have a core of their own."""
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB, from ``/proc/PID/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from ``/proc/PID/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Running:
    """A started server: its process and port."""

    proc: subprocess.Popen[bytes]
    port: int


@contextlib.contextmanager
def running(
    kind: ServerKind, interval: float, *, start_timeout: float = 30.0, graceful: bool = True
) -> Iterator[Running]:
    """Start ``kind`` pinned to the server core, wait until it accepts, stop it afterwards.

    Without ``graceful`` it is killed: a server holding streams may take its whole
    shutdown grace, and there is nothing to measure there.
    """
    port = free_port()
    argv = kind.argv(port, interval)
    if pinning():
        argv = ["taskset", "-c", str(SERVER_CPU), *argv]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=kind.env(interval), stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            _wait_accepting(proc, port, start_timeout, log)
            yield Running(proc, port)
        finally:
            _stop(proc, graceful)


def _wait_accepting(
    proc: subprocess.Popen[bytes], port: int, timeout: float, log: IO[bytes]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}: {err}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{proc.args!r} did not accept on port {port} within {timeout} s")


def _stop(proc: subprocess.Popen[bytes], graceful: bool) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
