"""Run a Node server script of tests/peers/node as a subprocess: bounded start, always stopped."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"
INSTALLED = NODE_DIR / "node_modules" / ".installed"
LISTENING = re.compile(rb"listening on (http://127\.0\.0\.1:\d+)/")
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def node_binary() -> str:
    """The ``node`` on PATH; a clear failure (never a skip) when it or the packages are missing."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not on PATH: the peer tests need node 20 or later")
    if not INSTALLED.exists():
        raise AssertionError(f"{NODE_DIR}/node_modules is missing: run `make node-peers`")
    return node


@contextlib.asynccontextmanager
async def node_server(script: str, *args: str, log: Path) -> AsyncIterator[str]:
    """Start ``node script args``; yield its base URL once it listens; stop it on exit.

    Its stderr goes to ``log``; the start fails after ``START_TIMEOUT`` seconds with that log.
    """
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            node_binary(),
            script,
            *args,
            cwd=NODE_DIR,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    try:
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            line = b""
        if not (match := LISTENING.match(line)):
            stderr = await asyncio.to_thread(log.read_text, errors="replace")
            raise AssertionError(
                f"node {script} did not start (printed {line!r}); stderr:\n{stderr}"
            )
        yield match[1].decode()
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
