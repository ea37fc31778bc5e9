"""The core ``/stream`` contract in FastAPI, framed like the original demo.

Used as a second, independent implementation: the contract suite must pass it
(framework-agnostic), and the benchmarks compare the aiohttp port against it.
Like the original it writes LF line endings in three writes per event (``id``,
``event``, ``data``) and ignores ``Last-Event-ID``; unlike the original it sleeps
with ``asyncio.sleep`` so it can serve many streams at once.

Run: ``FASTAPI_SSE_INTERVAL=0.1 uvicorn --factory tests.servers.fastapi_app:create_app``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

TASKS = ("function1", "function2")


async def events(interval: float) -> AsyncIterator[str]:
    """The 11 events of the core sequence, in three writes each."""
    next_id = 0

    def frame(kind: str, data: str) -> tuple[str, str, str]:
        nonlocal next_id
        parts = (f"id: {next_id}\n", f"event: {kind}\n", f"data: {data}\n\n")
        next_id += 1
        return parts

    for name in TASKS:
        for kind, data, work_before in (
            ("start", f"{name} started", False),
            ("progress", f"{name} started", False),
            ("progress", f"{name} halfway done", True),
            ("progress", f"{name} completed successfully", True),
            ("end", f"{name} ended", False),
        ):
            if work_before:
                await asyncio.sleep(interval)
            for part in frame(kind, data):
                yield part
    for part in frame("close", "api completed"):
        yield part


def create_app(interval: float | None = None) -> FastAPI:
    """The app; ``interval`` defaults to ``FASTAPI_SSE_INTERVAL`` or the original's 5 s."""
    if interval is None:
        interval = float(os.environ.get("FASTAPI_SSE_INTERVAL", "5"))
    app = FastAPI()

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        return StreamingResponse(events(interval), media_type="text/event-stream; charset=utf-8")

    return app
