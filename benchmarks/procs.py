"""Servers under test as child processes: started pinned on a free port, waited for, stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from .host import ROOT, SERVER_CPU, pinned


class Launchable(Protocol):
    """Something the driver can start: a command line and an environment."""

    def argv(self, port: int, interval: float) -> list[str]:
        """The command that serves on 127.0.0.1:``port``."""
        ...

    def env(self, interval: float) -> dict[str, str]:
        """The child's environment."""
        ...


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, with the checkout importable and ``extra`` set."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def accepts(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


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


def wait_until(
    proc: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    *,
    timeout: float,
    pause: float,
    log: Callable[[], str],
) -> None:
    """Poll ``ready`` every ``pause`` s until true; fail if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}: {log()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{proc.args!r} was not ready within {timeout} s: {log()}")
        time.sleep(pause)


def stop(proc: subprocess.Popen[bytes], *, graceful: bool = True) -> None:
    """SIGTERM (or SIGKILL when not ``graceful``), then SIGKILL after 5 s; wait for the end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Running:
    """A started server: its process and port."""

    proc: subprocess.Popen[bytes]
    port: int


@contextlib.contextmanager
def running(
    kind: Launchable, interval: float, *, start_timeout: float = 30.0, graceful: bool = True
) -> Iterator[Running]:
    """Start ``kind`` pinned to the server core, wait until it accepts, stop it afterwards.

    Without ``graceful`` it is killed: a server holding streams may take its whole
    shutdown grace, and there is nothing to measure there.
    """
    port = free_port()
    argv = pinned(kind.argv(port, interval), SERVER_CPU)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=kind.env(interval), stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            wait_until(
                proc, lambda: accepts(port), timeout=start_timeout, pause=0.05, log=_reader(log)
            )
            yield Running(proc, port)
        finally:
            stop(proc, graceful=graceful)


def _reader(log: IO[bytes]) -> Callable[[], str]:
    def read() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    return read
