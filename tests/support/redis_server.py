"""A redis-server of the tests' own: a free port, stopped at the end; paused or restarted.

By default it keeps nothing on disk; with ``appendonly`` it keeps an append-only file
in its folder, so a restart (``stop`` then ``start``) brings its data back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.support.serving import HOST
from tests.support.sockets import free_port

START_TIMEOUT = 10.0


def redis_server_path() -> str:
    """The redis-server to run: ``$REDIS_SERVER``, or the one on PATH (``make redis-server``)."""
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        pytest.fail("redis-server is missing: `make redis-server` installs Debian's")
    return path


@dataclass
class RedisServer:
    """One redis-server process on 127.0.0.1, which a test may stop and start again."""

    workdir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    appendonly: bool = False
    """Keep an append-only file (written at every command): a restart keeps the data."""

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        """Start on the same port as before (a free one the first time); wait until it answers."""
        self.port = self.port or free_port()
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        with log:
            self.proc = subprocess.Popen(
                [
                    redis_server_path(),
                    "--port", str(self.port),
                    "--bind", HOST,
                    "--save", "",
                    "--appendonly", "yes" if self.appendonly else "no",
                    "--appendfsync", "always",
                    "--dir", str(self.workdir),
                    "--loglevel", "warning",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(host=HOST, port=self.port, socket_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"redis-server did not start on {self.port}") from None
                    time.sleep(0.01)
        finally:
            client.close()

    def pause(self) -> None:
        """SIGSTOP: the server stops answering; its clients' sockets stay open."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: the server answers again, the commands sent meanwhile first."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and wait for it."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGCONT)  # a paused server would not see SIGTERM
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def flush(self) -> None:
        """Empty every database."""
        client = redis.Redis(host=HOST, port=self.port, socket_timeout=2)
        try:
            client.flushall()
        finally:
            client.close()
