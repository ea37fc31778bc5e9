"""aiohttp-sse used the plain way (one ``resp.send`` per event), or no aiohttp-sse at all.

``python -m benchmarks.server.plain_app --port P [--interval S] [--hand]``: the same 11 events
as the demo, for the table to show what the demo's framing and response class win.
With ``--hand`` it is a bare aiohttp ``StreamResponse`` writing each event framed by
hand, no pings: the floor of what aiohttp itself costs per stream.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from aiohttp import hdrs, web
from aiohttp_sse import sse_response
from multidict import istr

from aiohttp_sse_demo.tasks import Step, script

INTERVAL = web.AppKey("interval", float)
STEPS = web.AppKey("steps", tuple[Step, ...])
HAND_HEADERS = web.AppKey("hand_headers", dict[istr, str])


async def stream(request: web.Request) -> web.StreamResponse:
    """Send the run, sleeping ``interval`` before each step preceded by work."""
    interval = request.app[INTERVAL]
    async with sse_response(request) as resp:
        for step in request.app[STEPS]:
            if step.work_before:
                await asyncio.sleep(interval)
            await resp.send(step.data, id=str(step.id), event=step.type)
    return resp


async def hand_stream(request: web.Request) -> web.StreamResponse:
    """The same events through a plain ``StreamResponse``, framed with f-strings."""
    interval = request.app[INTERVAL]
    resp = web.StreamResponse(headers=request.app[HAND_HEADERS])
    await resp.prepare(request)
    for step in request.app[STEPS]:
        if step.work_before:
            await asyncio.sleep(interval)
        await resp.write(
            f"id: {step.id}\r\nevent: {step.type}\r\ndata: {step.data}\r\n\r\n".encode()
        )
    await resp.write_eof()
    return resp


def create_app(interval: float, *, hand: bool = False) -> web.Application:
    """One route: ``GET /stream``."""
    app = web.Application()
    app[INTERVAL] = interval
    app[STEPS] = script()
    # aiohttp's istr names: a header dict keyed by them holds no case-folded copies.
    app[HAND_HEADERS] = {
        hdrs.CONTENT_TYPE: "text/event-stream",
        hdrs.CACHE_CONTROL: "no-cache",
        istr("X-Accel-Buffering"): "no",
    }
    app.router.add_get("/stream", hand_stream if hand else stream)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``--port`` and ``--interval`` and serve on 127.0.0.1."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server.plain_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--hand", action="store_true", help="no aiohttp-sse: StreamResponse")
    args = parser.parse_args(argv)
    web.run_app(
        create_app(args.interval, hand=args.hand),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
