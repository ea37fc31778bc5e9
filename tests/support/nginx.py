"""Debian's nginx in front of app processes, with the repository's SSE settings.

The tests write a small main configuration (a free port on 127.0.0.1, the upstream
processes, paths in a temporary folder) that includes ``docs/deploy/nginx-sse.conf``
unchanged: what the tests run is what docs/deployment.md tells operators to use.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.paths import DOCS
from tests.support.serving import HOST
from tests.support.sockets import free_port

SSE_SETTINGS = DOCS / "deploy" / "nginx-sse.conf"
START_TIMEOUT = 10.0


def nginx_path() -> str:
    """The nginx to run: ``$NGINX``, else Debian's (``make nginx`` installs it)."""
    path = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail("nginx is missing: `make nginx` installs Debian's", pytrace=False)
    return path


def main_config(folder: Path, port: int, upstreams: Sequence[int]) -> str:
    """An ``nginx.conf`` for the tests: ``upstreams`` behind 127.0.0.1:``port``."""
    servers = "".join(f"  server {HOST}:{p} max_fails=1 fail_timeout=1s;\n" for p in upstreams)
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n{temp}"
        f"    upstream sse_demo {{\n{servers}        keepalive 16;\n    }}\n"
        f"    server {{\n        listen {HOST}:{port};\n"
        f"        include {SSE_SETTINGS};\n    }}\n"
        "}\n"
    )


@contextmanager
def nginx(folder: Path, upstreams: Sequence[int]) -> Iterator[str]:
    """Run nginx in front of ``upstreams`` (ports on 127.0.0.1); yields its base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, port, upstreams))
    log = (folder / "nginx.out").open("wb")
    command = [nginx_path(), "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(config)]
    with log:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        _wait_listening(proc, port, folder)
        yield f"http://{HOST}:{port}"
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _wait_listening(proc: subprocess.Popen[bytes], port: int, folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                errors = (folder / "error.log").read_text(errors="replace")
                raise AssertionError(f"nginx did not start:\n{errors}") from None
            time.sleep(0.02)
