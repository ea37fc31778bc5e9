"""Assemble the jobs subsystem into an app: the broker it uses, its routes, its life, shutdown.

This is the one module that knows both brokers: ``open_broker`` picks the one a
``--broker`` setting names; everything else sees the ``Broker`` seam only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from aiohttp_sse_demo.settings import Settings

from .api import cancel_job, create_job, get_job, list_jobs
from .broker import Broker
from .events import job_events
from .keys import JOBS
from .memory import EmbeddedBroker
from .redis_broker import RedisBroker
from .resources import no_such_path, resource
from .runner import Jobs


def open_broker(url: str, *, job_ttl: float, lease: float = 10.0, max_kept: int = 10_000) -> Broker:
    """The broker a ``--broker`` setting names: ``memory`` or a ``redis://`` URL."""
    if url == "memory":
        return EmbeddedBroker(job_ttl=job_ttl, max_kept=max_kept)
    return RedisBroker(url, job_ttl=job_ttl, lease=lease, max_kept=max_kept)


def add_jobs(app: web.Application, settings: Settings) -> None:
    """Add ``/jobs`` and its paths to ``app``, with the broker ``settings.broker`` names.

    Call it before any other shutdown hook that waits for streams to end: its own
    hook ends the runners (whose jobs' viewers then see ``close``) and the viewers.
    """
    broker = open_broker(
        settings.broker,
        job_ttl=settings.job_ttl,
        lease=settings.lease,
        max_kept=settings.max_kept,
    )
    app[JOBS] = Jobs(broker, settings)
    router = app.router
    router.add_route(
        "*", "/jobs", resource({"GET": list_jobs, "HEAD": list_jobs, "POST": create_job})
    )
    router.add_route(
        "*", "/jobs/{id}", resource({"GET": get_job, "HEAD": get_job, "DELETE": cancel_job})
    )
    router.add_route("*", "/jobs/{id}/events", resource({"GET": job_events}))
    router.add_route("*", "/jobs/{tail:.*}", no_such_path)
    app.cleanup_ctx.append(_broker_life)
    app.on_shutdown.append(_stop_jobs)


async def _broker_life(app: web.Application) -> AsyncIterator[None]:
    await app[JOBS].start()
    yield
    await app[JOBS].broker.close()


async def _stop_jobs(app: web.Application) -> None:
    await app[JOBS].stop()
