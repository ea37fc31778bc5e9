"""A private redis-server for the jobs benchmark: a free port, no persistence, pinned."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from benchmarks.host import CLIENT_CPU, pinned
from benchmarks.procs import free_port, stop, wait_until

START_TIMEOUT = 10.0


class RedisMissing(RuntimeError):
    """No redis-server to run."""


def redis_server_path() -> str:
    """``$REDIS_SERVER``, or the redis-server on PATH (``make redis-server`` installs Debian's)."""
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        raise RedisMissing("redis-server is missing: `make redis-server` installs Debian's")
    return path


def redis_version() -> str:
    """``redis-server 7.0.15 (no persistence)``, or why there is none."""
    try:
        out = subprocess.run(
            [redis_server_path(), "--version"], capture_output=True, text=True, check=False
        ).stdout
    except (RedisMissing, OSError):
        return "redis-server missing"
    version = next((w[2:] for w in out.split() if w.startswith("v=")), "unknown")
    return f"redis-server {version} (no persistence)"


@dataclass
class RedisProcess:
    """A started redis-server."""

    proc: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, timeout: float) -> redis.Redis:
        """A client of this server; the caller closes it."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=timeout)

    def answers(self) -> bool:
        """True once it answers ``PING``."""
        with contextlib.closing(self.client(1)) as client:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

    def flush(self) -> None:
        """Empty it, so each server under test starts from the same state."""
        with contextlib.closing(self.client(5)) as client:
            client.flushall()


@contextlib.contextmanager
def redis_running(max_clients: int) -> Iterator[RedisProcess]:
    """A redis-server on the load generator's core (the server under test keeps its own)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        argv = [
            redis_server_path(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", workdir,
            "--maxclients", str(max_clients),
            "--loglevel", "warning",
        ]  # fmt: skip
        log = Path(workdir) / "redis.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                pinned(argv, CLIENT_CPU), stdin=subprocess.DEVNULL, stdout=out, stderr=out
            )
        server = RedisProcess(proc, port)
        try:
            wait_until(proc, server.answers, timeout=START_TIMEOUT, pause=0.02, log=log.read_text)
            yield server
        finally:
            stop(proc)
