"""Redis outages lose no job of a live process (JOBS.md, "Redis outages").

Each test runs its own redis-server and several server processes on it, viewers on
each, and then pauses Redis (SIGSTOP: clients' commands hang, as in a failover) or
restarts it with its data. Wall time is the point here: the outage must outlast
several leases. The leases are short, but not so short that a process starved of CPU
for a moment on a loaded machine would lose its jobs. Bounds in seconds are generous
(three servers and Redis share two cores); the figures are printed, and the assertions
are on events and statuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.jobs.support import Viewer, expected_after, get_json, post_job, servers, viewers
from tests.support.redis_server import RedisServer
from tests.support.serving import ServerProcess

SLACK = 5.0
"""Seconds added to a bound in wall time, for a loaded two-core machine."""


@contextlib.asynccontextmanager
async def redis_of_its_own(tmp_path: Path, *, appendonly: bool) -> AsyncIterator[RedisServer]:
    """A redis-server for one test (others must not be paused with it)."""
    redis = RedisServer(tmp_path, appendonly=appendonly)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def cluster(
    tmp_path: Path, redis: RedisServer, count: int, lease: float
) -> contextlib.AbstractAsyncContextManager[list[ServerProcess]]:
    """``count`` server processes on ``redis``, with a short lease and frequent pings."""
    args = ("--broker", redis.url, "--lease", str(lease), "--ping-interval", "0.5")
    return servers(tmp_path, count, *args)


def open_viewers(
    session: aiohttp.ClientSession, pairs: list[tuple[ServerProcess, dict[str, Any]]]
) -> contextlib.AbstractAsyncContextManager[list[Viewer]]:
    """A viewer of each job on each server given, each having seen the job start."""
    return viewers(session, [server.url + job["events"] for server, job in pairs])


async def outage_keeps_every_job(tmp_path: Path, *, pause: float, lease: float) -> None:
    """Three processes; Redis paused for ``pause`` s, and one process killed meanwhile."""
    async with (
        redis_of_its_own(tmp_path, appendonly=False) as redis,
        cluster(tmp_path, redis, 3, lease) as (a, b, c),
        aiohttp.ClientSession() as session,
        contextlib.AsyncExitStack() as stack,
    ):
        jobs = [await post_job(session, s.url, interval=0.5) for s in (a, b, c)]
        # Each job is watched from another process than its runner's, and A's from A too.
        watchers = await stack.enter_async_context(
            open_viewers(session, [(b, jobs[0]), (a, jobs[1]), (a, jobs[2]), (a, jobs[0])])
        )
        redis.pause()
        c.signal(signal.SIGKILL)  # C dies during the outage: its job must still be failed
        await asyncio.sleep(pause)
        redis.resume()
        resumed = time.monotonic()

        async with asyncio.timeout(10 * lease + SLACK):
            dead_job = await watchers[2].read_to_end()
            failed_after = time.monotonic() - resumed
            ended = [await viewer.read_to_end() for viewer in watchers]
        assert ended[2] == dead_job
        for events in (ended[0], ended[1], ended[3]):
            assert events == expected_after()  # every event once, in order: succeeded
        assert [e.type for e in ended[2]][-2:] == ["failed", "close"]
        assert [e.last_event_id for e in ended[2]] == [str(i) for i in range(len(ended[2]))]
        assert "did not renew its lease" in ended[2][-2].data
        pings = [v.raw.count(b": ping") for v in watchers]
        assert min(pings) >= pause / 0.5 - 2, pings  # keep-alive comments all along
        for job, status in zip(jobs, ("succeeded", "succeeded", "failed"), strict=True):
            assert (await get_json(session, f"{a.url}/jobs/{job['id']}"))[1]["status"] == status
    print(
        f"\nRedis paused {pause:.0f} s (lease {lease:g} s): 2 live jobs succeeded; "
        f"the dead process's job failed by {failed_after:.2f} s after Redis returned"
    )
    # The claim waits for live processes to renew: within a lease of Redis' return.
    assert failed_after < lease + SLACK
    for server in (a, b):
        log = server.log_text()
        assert "Traceback" not in log
        for job in jobs[:2]:
            assert f"job {job['id']}: its runner's lease ran out" not in log


async def test_a_redis_paused_for_four_leases_loses_no_live_job(tmp_path: Path) -> None:
    await outage_keeps_every_job(tmp_path, pause=6.0, lease=1.5)


@pytest.mark.slow
async def test_a_redis_paused_for_30_s_loses_no_live_job(tmp_path: Path) -> None:
    await outage_keeps_every_job(tmp_path, pause=30.0, lease=2.0)


async def test_a_redis_restarted_with_its_data_mid_job_loses_nothing(tmp_path: Path) -> None:
    lease = 1.5
    async with (
        redis_of_its_own(tmp_path, appendonly=True) as redis,
        cluster(tmp_path, redis, 2, lease) as (a, b),
        aiohttp.ClientSession() as session,
        contextlib.AsyncExitStack() as stack,
    ):
        jobs = [await post_job(session, s.url, interval=0.5) for s in (a, b)]
        watchers = await stack.enter_async_context(
            open_viewers(session, [(b, jobs[0]), (a, jobs[1]), (a, jobs[0]), (b, jobs[1])])
        )
        redis.stop()
        await asyncio.sleep(2 * lease)  # down for two leases: connections refused
        redis.start()  # the same port, the same data
        async with asyncio.timeout(10 * lease + SLACK):
            ended = [await viewer.read_to_end() for viewer in watchers]
        assert ended == [expected_after()] * 4
        for job in jobs:
            assert (await get_json(session, f"{b.url}/jobs/{job['id']}"))[1]["status"] == (
                "succeeded"
            )
    for server in (a, b):
        log = server.log_text()
        assert "Traceback" not in log
        assert "lease ran out" not in log
        assert "lost Redis" in log
