"""The naive Redis design, as the jobs benchmark's baseline: one ``XREAD BLOCK`` per viewer.

``GET /jobs/{id}/events`` reads the same Redis stream the project's Redis broker
writes (``sse-demo:log:{id}``), but each viewer has its own blocking read, from its
own cursor, on a connection of its own while it waits (a pool that grows to one
connection per viewer, as a naive server's shared client does). It frames and writes
what it reads with the project's own response class, so the benchmark compares the
read path, not the framing. No resume, no 404: the benchmark needs neither.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import redis.asyncio as aioredis
from aiohttp import web
from aiohttp_sse import sse_response

from aiohttp_sse_demo.jobs.model import CLOSE
from aiohttp_sse_demo.jobs.redis_broker import PREFIX
from aiohttp_sse_demo.jobs.redis_clients import BLOCK_MS, READ_TIMEOUT, stream_entry
from aiohttp_sse_demo.response import FramedEventSourceResponse
from aiohttp_sse_demo.settings import Settings

REDIS = web.AppKey("naive_redis", aioredis.Redis)
SETTINGS = web.AppKey("naive_settings", Settings)
MAX_CONNECTIONS = 100_000
"""Enough for one blocked read per viewer: a naive pool is sized not to starve."""


async def naive_events(request: web.Request) -> web.StreamResponse:
    """The job's log from the start, then each new entry, read by this viewer's own XREAD."""
    key = f"{PREFIX}log:{request.match_info['id']}"
    client = request.app[REDIS]
    settings = request.app[SETTINGS]
    async with sse_response(
        request,
        ping_interval=settings.ping_interval,
        send_timeout=settings.send_timeout,
        response_cls=FramedEventSourceResponse,
    ) as resp:
        resp.send_headers()
        cursor = "0-0"
        try:
            while True:
                reply = cast(list[Any], await client.xread({key: cursor}, block=BLOCK_MS))
                if not reply:
                    continue
                items = reply[0][1]
                cursor = items[-1][0]
                entries = [stream_entry(sid, fields) for sid, fields in items]
                last = entries[-1].type == CLOSE
                frame = b"".join(entry.frame() for entry in entries)
                await resp.send_frame(frame, settings.send_timeout, last=last)
                if last:
                    break
        except ConnectionResetError:
            pass
    return resp


def create_naive_app(url: str) -> web.Application:
    """The naive viewer route on a shared client whose pool grows with the viewers."""
    app = web.Application()
    app[SETTINGS] = Settings()  # the project's ping interval and send timeout

    async def client_life(app: web.Application) -> AsyncIterator[None]:
        pool = aioredis.ConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, socket_timeout=READ_TIMEOUT, decode_responses=True
        )
        app[REDIS] = aioredis.Redis.from_pool(pool)
        yield
        await app[REDIS].aclose()

    app.cleanup_ctx.append(client_life)
    app.router.add_get("/jobs/{id}/events", naive_events, allow_head=False)
    return app
