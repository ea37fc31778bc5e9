"""``GET /metrics``: the server's state in Prometheus text, with prometheus-client.

The code that serves streams only adds to plain integers (``StreamRegistry``, ``Jobs``,
``LeaseKeeper``, the broker): no lock, no call per event. This module copies them into
prometheus-client's metrics when they are read.

- One process (the default): a scrape copies this process's values and answers them,
  with the library's ``process_*`` metrics (memory, CPU, open files).
- Several workers (gunicorn, or processes sharing ``--reuse-port``): set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder for all of them (the library's
  multiprocess mode). Each worker then copies its values there every second, and one
  scrape of any worker answers the sum over all live workers: counters add up, gauges
  are summed over the workers alive (``livesum``; ``aiohttp_sse_demo.gunicorn`` removes
  a dead worker's gauges through gunicorn's ``child_exit`` hook).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector

from .jobs.keys import JOBS
from .jobs.model import Status
from .keys import REGISTRY

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SYNC_INTERVAL = 1.0
"""Seconds between two copies of a worker's values in multiprocess mode."""


class AppMetrics:
    """The metrics of one app, filled from its state by ``sync``."""

    def __init__(self, app: web.Application, multiproc_dir: str | None) -> None:
        self._app = app
        self.multiprocess = bool(multiproc_dir)
        # Multiprocess: the metrics write to files, and the scrape reads every worker's.
        own = None if self.multiprocess else CollectorRegistry(auto_describe=True)
        self.registry: CollectorRegistry = own or CollectorRegistry()
        if self.multiprocess:
            MultiProcessCollector(self.registry, path=multiproc_dir)  # type: ignore[no-untyped-call]
        else:
            ProcessCollector(registry=self.registry)

        def gauge(name: str, doc: str, labels: Iterable[str] = ()) -> Gauge:
            return Gauge(name, doc, labels, registry=own, multiprocess_mode="livesum")

        def counter(name: str, doc: str, labels: Iterable[str] = ()) -> Counter:
            return Counter(name, doc, labels, registry=own)

        p = "sse_demo_"
        self.streams_open = gauge(f"{p}streams_open", "Event streams open now", ["kind"])
        self.streams_started = counter(f"{p}streams_started", "Event streams started", ["kind"])
        self.streams_ended = counter(
            f"{p}streams_ended", "Event streams ended, by why", ["kind", "why"]
        )
        self.events_sent = counter(f"{p}events_sent", "Events written to clients", ["kind"])
        self.jobs = gauge(
            f"{p}jobs", "Jobs this process runs, or holds (embedded broker), by status", ["status"]
        )
        self.jobs_started = counter(f"{p}jobs_started", "Jobs started by this process")
        self.jobs_finished = counter(
            f"{p}jobs_finished", "Jobs ended by this process, by final status", ["status"]
        )
        self.broker_errors = counter(f"{p}broker_errors", "Broker calls that found it unreachable")
        self.renewals = counter(f"{p}lease_renewals", "Leases renewed (one per job and renewal)")
        self.claims = counter(f"{p}lease_claims", "Jobs of dead processes this process failed")
        self.channels = gauge(f"{p}job_channels", "Jobs watched in this process (one log each)")
        self._copied: dict[tuple[str, tuple[str, ...]], float] = {}

    def sync(self) -> None:
        """Copy the app's current values into the metrics."""
        registry = self._app[REGISTRY]
        jobs = self._app[JOBS]
        for kind, count in registry.open.items():
            self.streams_open.labels(kind).set(count)
        for kind, count in registry.started.items():
            self._add(self.streams_started, count, kind)
        for (kind, why), count in list(registry.ended.items()):
            self._add(self.streams_ended, count, kind, why)
        for kind, tally in registry.sent.items():
            self._add(self.events_sent, tally.count, kind)
        broker = jobs.broker
        held = broker.counts()
        if held is None:  # the jobs live elsewhere (Redis): those this process runs
            held = dict.fromkeys(Status, 0)
            held[Status.QUEUED] = jobs.starting
            held[Status.RUNNING] = len(jobs)
        for status, count in held.items():
            self.jobs.labels(status.value).set(count)
        self._add(self.jobs_started, jobs.started)
        for status in (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED):
            claimed = jobs.leases.claims if status is Status.FAILED else 0
            self._add(self.jobs_finished, jobs.finished[status] + claimed, status.value)
        self._add(self.broker_errors, broker.errors)
        self._add(self.renewals, jobs.leases.renewals)
        self._add(self.claims, jobs.leases.claims)
        self.channels.set(len(broker.hub.channels))

    def _add(self, metric: Counter, total: float, *labels: str) -> None:
        """Bring a counter up to ``total`` (the app's own count only grows)."""
        key = (metric._name, labels)
        delta = total - self._copied.get(key, 0)
        if delta > 0:
            (metric.labels(*labels) if labels else metric).inc(delta)
            self._copied[key] = total

    def exposition(self) -> bytes:
        """Prometheus text of every metric (of every worker, in multiprocess mode)."""
        self.sync()
        return generate_latest(self.registry)


METRICS = web.AppKey("metrics", AppMetrics)


def add_metrics(app: web.Application) -> None:
    """Serve ``GET /metrics``; in multiprocess mode, copy the values every second."""
    app[METRICS] = AppMetrics(app, os.environ.get(MULTIPROC_ENV) or None)
    app.router.add_get("/metrics", metrics)
    if app[METRICS].multiprocess:
        app.cleanup_ctx.append(_copier)


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus text exposition format (0.0.4)."""
    body = request.app[METRICS].exposition()
    return web.Response(
        body=body, headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"}
    )


async def _copier(app: web.Application) -> AsyncIterator[None]:
    async def copy_forever() -> None:
        while True:
            await asyncio.sleep(SYNC_INTERVAL)
            app[METRICS].sync()

    task = asyncio.create_task(copy_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    app[METRICS].sync()
