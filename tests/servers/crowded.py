"""A server that is right for one client and wrong in a crowd: the demo's stream, resuming
as the port does, that loses event 5 while ``CROWD`` streams or more are open (as a fan-out
whose buffer overflows would)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tests.servers.scripted import SSE, core_steps, resume_after

CROWD = 30
"""Streams open at once from which the lossy server drops event 5: more than one run of the
suite opens (its main stream and its 20 probes), fewer than the load test's clients."""


def lossy_app(interval: float) -> web.Application:
    """The demo's stream, resuming as the port does, that loses id 5 when crowded."""
    open_streams = 0

    async def stream(request: web.Request) -> web.StreamResponse:
        nonlocal open_streams
        value = request.headers.get("Last-Event-ID", "")
        if value.isascii() and value.isdigit() and (len(value) > 2 or int(value) >= 10):
            return web.Response(status=204)
        after = resume_after(request)
        response = web.StreamResponse(headers=SSE)
        await response.prepare(request)
        open_streams += 1
        try:
            for step in core_steps(interval, after):
                if isinstance(step, float):
                    await asyncio.sleep(step)
                elif not (step.startswith(b"id: 5\n") and open_streams >= CROWD):
                    await response.write(step)
            await response.write_eof()
        finally:
            open_streams -= 1
        return response

    app = web.Application()
    app.router.add_get("/stream", stream)
    return app
