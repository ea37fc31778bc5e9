"""A server for the jobs fan-out benchmark: one design, plus routes that play the job's runner.

``python -m benchmarks.jobs.server --port P --design embedded|redis|naive [--redis URL]``

- *embedded* and *redis*: the project's app (``create_app``) with that broker, viewers
  on its own ``GET /jobs/{id}/events``;
- *naive*: ``naive_app`` (one ``XREAD BLOCK`` per viewer) on the same Redis streams.

Beside it, ``/bench/`` routes write as a runner does, through the broker's ``append``
(the project's broker, or for *naive* a ``RedisBroker`` used only to write): ``POST
/bench/jobs`` creates a job with no runner, ``POST /bench/jobs/{id}/emit?seq=N``
appends one ``progress`` event whose data is ``N`` and the ``CLOCK_MONOTONIC``
nanoseconds just before the append, and ``POST /bench/jobs/{id}/close`` ends the job.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.jobs.broker import Broker
from aiohttp_sse_demo.jobs.model import CLOSE, Status
from aiohttp_sse_demo.jobs.redis_broker import RedisBroker
from aiohttp_sse_demo.jobs.resources import JOBS

from .naive_app import create_naive_app

DESIGNS = ("embedded", "redis", "naive")
LEASE = 3600.0
"""No runner renews a benchmark job's lease: long enough that no process claims it."""
WRITER = web.AppKey("bench_writer", Broker)


def bench_app(design: str, redis_url: str) -> web.Application:
    """The app under test for ``design``, with the ``/bench/`` routes added."""
    if design == "naive":
        app = create_naive_app(redis_url)
        app.cleanup_ctx.append(_writer_life(redis_url))
    else:
        settings = Settings(
            broker="memory" if design == "embedded" else redis_url,
            lease=LEASE,
            max_streams=1_000_000,
        )
        app = create_app(settings)
        app.on_startup.append(_use_project_broker)
    app.router.add_post("/bench/jobs", create_job)
    app.router.add_post("/bench/jobs/{id}/emit", emit)
    app.router.add_post("/bench/jobs/{id}/close", close_job)
    return app


async def _use_project_broker(app: web.Application) -> None:
    app[WRITER] = app[JOBS].broker


def _writer_life(url: str) -> Callable[[web.Application], AsyncIterator[None]]:
    async def life(app: web.Application) -> AsyncIterator[None]:
        broker = RedisBroker(url, job_ttl=3600)
        await broker.start()
        app[WRITER] = broker
        yield
        await broker.close()

    return life


async def create_job(request: web.Request) -> web.Response:
    """A job with an empty log and no runner: its id as text."""
    snapshot = await request.app[WRITER].create(0, LEASE)
    return web.Response(text=snapshot.id)


async def emit(request: web.Request) -> web.Response:
    """Append one ``progress`` event, stamped with the time of the append."""
    seq = int(request.query["seq"])
    written = time.monotonic_ns()
    events = [("progress", f"{seq} {written}")]
    done = await request.app[WRITER].append(request.match_info["id"], events, Status.RUNNING)
    return web.Response(status=204 if done is not None and done.done else 409)


async def close_job(request: web.Request) -> web.Response:
    """Append ``close``: every viewer's response ends."""
    events = [(CLOSE, "api completed")]
    done = await request.app[WRITER].append(request.match_info["id"], events, Status.SUCCEEDED)
    return web.Response(status=204 if done is not None and done.done else 409)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve one design on 127.0.0.1 until killed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--design", choices=DESIGNS, required=True)
    parser.add_argument("--redis", default="", help="redis://HOST:PORT/DB (redis and naive)")
    args = parser.parse_args(argv)
    if args.design != "embedded" and not args.redis:
        parser.error(f"--design {args.design} needs --redis")
    web.run_app(
        bench_app(args.design, args.redis),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
        handler_cancellation=True,
        shutdown_timeout=1.0,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
