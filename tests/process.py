"""Run ``python -m aiohttp_sse_demo`` in a child process and learn its URL from its log."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

_SERVING = re.compile(rb"serving on (http://\S+?)/ ")


@dataclass
class ServerProcess:
    """A running server: its child process and base URL (no trailing slash)."""

    proc: asyncio.subprocess.Process
    url: str
    log: bytearray


async def _read_log(proc: asyncio.subprocess.Process, log: bytearray) -> None:
    assert proc.stderr is not None
    while line := await proc.stderr.readline():
        log += line


@asynccontextmanager
async def server_process(
    *args: str,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    cwd: str | None = None,
    start_timeout: float = 15.0,
) -> AsyncIterator[ServerProcess]:
    """Start the server with ``args`` (``--port 0`` added unless given); kill it on exit."""
    argv: Sequence[str] = [python, "-m", "aiohttp_sse_demo", *args]
    if "--port" not in args:
        argv = [*argv, "--port", "0"]
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    assert proc.stderr is not None
    log = bytearray()
    try:
        async with asyncio.timeout(start_timeout):
            while not (match := _SERVING.search(log)):
                line = await proc.stderr.readline()
                if not line:
                    raise AssertionError(f"server exited before serving: {log.decode()}")
                log += line
        reader = asyncio.create_task(_read_log(proc, log))
        try:
            yield ServerProcess(proc, match.group(1).decode(), log)
        finally:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            await reader
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
