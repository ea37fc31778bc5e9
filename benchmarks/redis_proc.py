"""A private redis-server for the jobs benchmark: a free port, no persistence, pinned."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from .servers import CLIENT_CPU, free_port, pinning

START_TIMEOUT = 10.0


class RedisMissing(RuntimeError):
    """No redis-server to run."""


def redis_server_path() -> str:
    """``$REDIS_SERVER``, or the redis-server on PATH (``make redis-server`` installs Debian's)."""
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        raise RedisMissing("redis-server is missing: `make redis-server` installs Debian's")
    return path


@dataclass
class RedisProcess:
    """A started redis-server."""

    proc: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self) -> None:
        """Empty it, so each server under test starts from the same state."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        try:
            client.flushall()
        finally:
            client.close()


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
        if pinning():
            argv = ["taskset", "-c", str(CLIENT_CPU), *argv]
        log = Path(workdir) / "redis.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            _wait_ready(proc, port, log)
            yield RedisProcess(proc, port)
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"redis-server did not start on port {port}: {log.read_text()}"
                    ) from None
                time.sleep(0.02)
    finally:
        client.close()
