"""The application factory: routes, state under typed keys, the reaper and the shutdown hook."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from .frames import build_table
from .jobs import add_jobs
from .keys import FRAMES, REGISTRY, SETTINGS
from .metrics import add_metrics
from .page import add_routes, static_dir
from .registry import StreamRegistry
from .settings import Settings
from .stream import stream, stream_check


def create_app(settings: Settings | None = None, *, static: Path | None = None) -> web.Application:
    """Build the demo app: ``/stream``, ``/jobs``, ``/metrics``, the pages, ``/static/`` files."""
    settings = settings or Settings()
    app = web.Application()
    app[SETTINGS] = settings
    app[REGISTRY] = StreamRegistry(settings.max_streams)
    app[FRAMES] = build_table(merge_work=settings.interval == 0)
    app.router.add_get("/stream", stream, allow_head=False)
    app.router.add_get("/stream/check", stream_check, allow_head=False)
    add_routes(app, static or static_dir())
    add_jobs(app, settings)  # before _end_streams: its shutdown hook ends job streams first
    add_metrics(app)
    app.cleanup_ctx.append(_reaper)
    app.on_shutdown.append(_end_streams)
    return app


async def _reaper(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[REGISTRY].run_reaper(app[SETTINGS].reap_interval))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _end_streams(app: web.Application) -> None:
    await app[REGISTRY].stop_all(app[SETTINGS].shutdown_grace)
