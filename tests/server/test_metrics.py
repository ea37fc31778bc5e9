"""``GET /metrics``: Prometheus text that follows streams, viewers and jobs as they come and go."""

from __future__ import annotations

import asyncio
import itertools
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Serve
from tests.jobs.support import cancel_job, gunicorn_workers, post_job, post_when_up, viewers
from tests.support.serving import read_events
from tests.support.sockets import connect, request_bytes

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(session: aiohttp.ClientSession, base: str) -> Samples:
    """Every sample of ``/metrics``, by name and labels."""
    async with session.get(f"{base}/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await resp.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape_until(
    session: aiohttp.ClientSession,
    base: str,
    ready: Callable[[Samples], bool],
    within: float = 10.0,
) -> Samples:
    """Scrape until ``ready`` holds (polling over HTTP: there is nothing to wait on)."""
    async with asyncio.timeout(within):
        for _ in itertools.count():
            samples = await scrape(session, base)
            if ready(samples):
                return samples
            await asyncio.sleep(0.02)
    raise AssertionError("unreachable")


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the series has not appeared yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_follow_streams_viewers_and_jobs(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=30, reap_interval=0.02)
    port = int(base.rsplit(":", 1)[1])
    async with aiohttp.ClientSession() as session:
        first = await scrape(session, base)
        assert value(first, "sse_demo_streams_open", kind="stream") == 0
        assert value(first, "process_resident_memory_bytes") > 0

        job = await post_job(session, base)
        quick = await post_job(session, base, interval=0)
        _, events = await read_events(session, base + quick["events"])
        stream = await connect(port)
        stream.writer.write(request_bytes("/stream"))
        await stream.read_head()
        async with viewers(session, [base + job["events"]] * 2) as (one, two):
            now = await scrape(session, base)
            assert value(now, "sse_demo_streams_open", kind="stream") == 1
            assert value(now, "sse_demo_streams_open", kind="job") == 2
            assert value(now, "sse_demo_job_channels") >= 1
            assert value(now, "sse_demo_jobs", status="running") == 1
            assert value(now, "sse_demo_jobs_started_total") == 2
            assert value(now, "sse_demo_events_sent_total", kind="job") == len(events) + 4

            stream.close(reset=True)  # a client that leaves
            assert (await cancel_job(session, base, job))[0] == 202
            await one.read_to_end()
            await two.read_to_end()

        def settled(samples: Samples) -> bool:
            kinds = ("stream", "job")
            return sum(value(samples, "sse_demo_streams_open", kind=k) for k in kinds) == 0

        after = await scrape_until(session, base, settled)
        assert value(after, "sse_demo_streams_ended_total", kind="stream", why="client_left") == 1
        assert value(after, "sse_demo_streams_ended_total", kind="job", why="complete") == 3
        assert value(after, "sse_demo_streams_started_total", kind="job") == 3
        assert value(after, "sse_demo_events_sent_total", kind="job") == len(events) + 8
        assert value(after, "sse_demo_jobs_finished_total", status="cancelled") == 1
        assert value(after, "sse_demo_jobs_finished_total", status="succeeded") == 1
        assert value(after, "sse_demo_jobs", status="running") == 0
        assert value(after, "sse_demo_broker_errors_total") == 0


async def test_renewals_are_counted_with_redis(serve: Serve, redis_url: str) -> None:
    base = await serve(broker=redis_url, interval=30, lease=0.2)
    async with aiohttp.ClientSession() as session:
        await post_job(session, base)
        samples = await scrape_until(
            session, base, lambda s: value(s, "sse_demo_lease_renewals_total") >= 2
        )
        assert value(samples, "sse_demo_lease_claims_total") == 0


@pytest.mark.slow
async def test_one_scrape_covers_every_gunicorn_worker(tmp_path: Path, redis_url: str) -> None:
    """prometheus-client's multiprocess mode: the counters of both workers add up."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        "SSE_DEMO_BROKER": redis_url,
        "SSE_DEMO_INTERVAL": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    config = ("-c", "python:aiohttp_sse_demo.gunicorn")
    async with (
        gunicorn_workers(tmp_path / "gunicorn.log", env, *config) as (server, base),
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session,
    ):
        async with asyncio.timeout(20):
            await post_when_up(session, base)
            for _ in range(19):  # new connections: both workers take some
                await post_job(session, base)
        await scrape_until(session, base, lambda s: value(s, "sse_demo_jobs_started_total") == 20)
        assert len(list(metrics_dir.glob("counter_*.db"))) == 2, "one file per worker"
        server.signal(signal.SIGTERM)
        assert await server.wait_exit(15) == 0
