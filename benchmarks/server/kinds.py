"""The servers under test for ``GET /stream``: a name for the tables and a command line each."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass

from benchmarks.procs import child_env


@dataclass(frozen=True)
class ServerKind:
    """A server the driver can start: a name for the table and a command line."""

    key: str
    label: str

    def argv(self, port: int, interval: float) -> list[str]:
        """The command that serves ``/stream`` on 127.0.0.1:``port``."""
        py = sys.executable
        listen = ("--port", str(port), "--interval", f"{interval}")
        if self.key == "ceiling":
            return [py, "-m", "benchmarks.server.ceiling", *listen]
        if self.key == "project":
            return [
                *(py, "-m", "aiohttp_sse_demo", "--host", "127.0.0.1", *listen),
                *("--max-streams", "100000", "--log-level", "WARNING"),
            ]
        if self.key in ("plain", "aiohttp"):
            argv = [py, "-m", "benchmarks.server.plain_app", *listen]
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
        if self.key == "fastapi":
            return child_env(FASTAPI_SSE_INTERVAL=f"{interval}")
        return child_env()


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
