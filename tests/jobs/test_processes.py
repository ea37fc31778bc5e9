"""Jobs across server processes on one Redis: watch, resume and cancel elsewhere; kill -9; stops."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.jobs.support import (
    ADMIN,
    cancel_job,
    expected_after,
    get_json,
    gunicorn_workers,
    ids,
    list_all,
    post_job,
    post_when_up,
    servers,
    viewers,
    watching,
)
from tests.support.redis_server import RedisServer
from tests.support.serving import read_events, start_demo, wait_for

LEASE = 1.0
"""A short lease, so a dead runner's jobs are failed within a second."""
SLACK = 5.0
"""Seconds added to a bound measured in wall time: three servers and Redis share two
loaded cores, so a bound tight enough to measure the design would fail for luck. The
figures are printed; docs/jobs.md gives the design's bounds."""


async def test_post_on_one_watch_resume_and_cancel_on_another(
    tmp_path: Path, redis_url: str
) -> None:
    args = ("--broker", redis_url, "--max-jobs", "1", "--lease", str(LEASE), "--admin-token", ADMIN)
    async with servers(tmp_path, 2, *args) as (a, b), aiohttp.ClientSession() as session:
        job = await post_job(session, a.url, interval=0.05)
        _, events = await read_events(session, b.url + job["events"])
        assert events == expected_after()
        for last in (0, 4, 9):
            _, rest = await read_events(session, f"{b.url}{job['events']}?last_event_id={last}")
            assert rest == expected_after(last)
        async with session.get(b.url + job["events"], headers={"Last-Event-ID": "10"}) as resp:
            assert resp.status == 204
        assert (await list_all(session, b.url))[0]["id"] == job["id"]

        # A runs a long job; B cancels it while viewers on both watch.
        job = await post_job(session, a.url, interval=30)
        async with viewers(session, [a.url + job["events"], b.url + job["events"]]) as (on_a, on_b):
            assert (await cancel_job(session, b.url, job))[0] == 202
            async with asyncio.timeout(SLACK):
                ends = [await on_a.read_to_end(), await on_b.read_to_end()]
        assert ends[0] == ends[1]
        assert [e.type for e in ends[0]] == ["start", "progress", "cancelled", "close"]
        # A's runner stopped: with --max-jobs 1, A takes a new job again.
        async with asyncio.timeout(SLACK):
            while True:
                async with session.post(f"{a.url}/jobs", json={"interval": 0}) as resp:
                    if resp.status == 201:
                        break
                    assert resp.status == 503
                await asyncio.sleep(0.01)
        status, snapshot = await get_json(session, f"{a.url}/jobs/{job['id']}")
        assert (status, snapshot["status"], snapshot["last_event_id"]) == (200, "cancelled", "3")
    for server in (a, b):
        assert "Traceback" not in server.log_text()


async def test_kill_9_of_the_runner_fails_its_job_within_the_lease(
    tmp_path: Path, redis_url: str
) -> None:
    args = ("--broker", redis_url, "--lease", str(LEASE))
    async with servers(tmp_path, 3, *args) as (a, b, c), aiohttp.ClientSession() as session:
        job = await post_job(session, a.url, interval=30)
        async with viewers(session, [b.url + job["events"], c.url + job["events"]]) as (on_b, on_c):
            a.signal(signal.SIGKILL)
            killed = time.monotonic()
            async with asyncio.timeout(5 * LEASE):
                seen = [await on_b.read_to_end(), await on_c.read_to_end()]
            took = time.monotonic() - killed
        print(f"\nkill -9 of the runner: failed + close after {took * 1000:.0f} ms")
        assert seen[0] == seen[1]
        assert [(e.type, e.last_event_id) for e in seen[0]] == [
            ("start", "0"),
            ("progress", "1"),
            ("failed", "2"),
            ("close", "3"),
        ]
        assert "did not renew its lease" in seen[0][2].data
        assert took < LEASE + SLACK  # the design's bound: 3/4 of a lease
        status, snapshot = await get_json(session, f"{c.url}/jobs/{job['id']}")
        assert (status, snapshot["status"]) == (200, "failed")

        def claims() -> list[int]:
            return sorted(s.log_text().count("marked failed") for s in (b, c))

        await wait_for(lambda: sum(claims()) > 0, 2)
        assert claims() == [0, 1]  # exactly one survivor claimed the job


async def test_sigterm_embedded_cancels_running_jobs_for_their_viewers(tmp_path: Path) -> None:
    async with (
        start_demo(tmp_path / "server.log", "--interval", "30") as server,
        aiohttp.ClientSession() as session,
    ):
        job = await post_job(session, server.url)
        async with watching(session, server.url + job["events"]) as viewer:
            await viewer.read_until(2)
            stopped = time.monotonic()
            server.signal(signal.SIGTERM)
            events = await viewer.read_to_end()
        assert await server.wait_exit(5) == 0
        took = time.monotonic() - stopped
    assert [e.type for e in events] == ["start", "progress", "cancelled", "close"]
    assert events[2].data == "cancelled: the server is shutting down"
    assert took < 2 + SLACK  # the design's bound: --shutdown-grace (1 s) and a hand-over
    assert "Traceback" not in server.log_text()


async def test_sigterm_with_redis_leaves_jobs_to_the_lease_rule(
    tmp_path: Path, redis_url: str
) -> None:
    args = ("--broker", redis_url, "--lease", str(LEASE))
    async with servers(tmp_path, 2, *args) as (a, b), aiohttp.ClientSession() as session:
        job = await post_job(session, a.url, interval=30)
        async with viewers(session, [a.url + job["events"], b.url + job["events"]]) as (on_a, on_b):
            stopped = time.monotonic()
            a.signal(signal.SIGTERM)
            assert await on_a.read_to_end() == expected_after()[:2]  # a clean end, no close
            assert await a.wait_exit(5) == 0
            exited = time.monotonic() - stopped
            async with asyncio.timeout(5 * LEASE):
                seen = await on_b.read_to_end()
            failed = time.monotonic() - stopped
        assert [e.type for e in seen] == ["start", "progress", "failed", "close"]
        print(f"\nSIGTERM with Redis: exited in {exited:.2f} s, job failed in {failed:.2f} s")
        assert exited < 2 + SLACK  # the design's bound: --shutdown-grace and a hand-over
        assert failed < LEASE + SLACK  # the design's bound: the next lease tick
    assert "Traceback" not in a.log_text() + b.log_text()


async def test_redis_going_away_keeps_viewers_and_one_restarted_empty_ends_them(
    tmp_path: Path,
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        args = ["--broker", redis.url, "--interval", "0.05", "--lease", str(LEASE)]
        args += ["--ping-interval", "0.2"]
        async with (
            start_demo(tmp_path / "server.log", *args) as server,
            aiohttp.ClientSession() as session,
        ):
            job = await post_job(session, server.url, interval=30)
            async with watching(session, server.url + job["events"]) as viewer:
                await viewer.read_until(2)
                redis.stop()
                pings = viewer.raw.count(b": ping")
                # The viewer waits out the outage with keep-alive comments.
                while viewer.raw.count(b": ping") < pings + 3:
                    assert await viewer.read_some()
                _, stream = await read_events(session, server.url + "/stream")
                assert stream == expected_after()
                for method, path in (("GET", f"/jobs/{job['id']}"), ("POST", "/jobs")):
                    async with session.request(method, server.url + path) as resp:
                        assert resp.status == 503, (method, path)
                        assert resp.headers["Retry-After"] == "2"
                        assert "job store is unavailable" in (await resp.json())["error"]

                redis.start()  # the same port, empty (no persistence)
                async with asyncio.timeout(SLACK * 2):
                    events = await viewer.read_to_end()  # raises if the body is cut
            assert ids(events) == ["0", "1"]  # ended cleanly, with no close: the job is gone
            async with asyncio.timeout(SLACK * 2):
                while True:
                    async with session.post(f"{server.url}/jobs", json={}) as resp:
                        if resp.status == 201:
                            fresh = await resp.json()
                            break
                        assert resp.status == 503
                    await asyncio.sleep(0.05)
            _, events = await read_events(session, server.url + fresh["events"])
            assert events == expected_after()
            status, _ = await get_json(session, f"{server.url}/jobs/{job['id']}")
            assert status == 404  # Redis came back empty
        log = server.log_text()
        assert "Traceback" not in log
        assert "lost Redis" in log
        assert "Redis came back without 1 watched job(s)" in log
    finally:
        redis.stop()


@pytest.mark.slow
async def test_gunicorn_workers_share_jobs_through_redis(tmp_path: Path, redis_url: str) -> None:
    """Two gunicorn workers on one port: every request finds the job, whichever worker serves it."""
    env = {"SSE_DEMO_BROKER": redis_url}
    async with (
        gunicorn_workers(tmp_path / "gunicorn.log", env) as (server, base),
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session,
    ):
        async with asyncio.timeout(20):
            job = await post_when_up(session, base, interval=0.05)
            statuses = await asyncio.gather(
                *(get_json(session, f"{base}/jobs/{job['id']}") for _ in range(20))
            )
            assert {status for status, _ in statuses} == {200}
            results = await asyncio.gather(
                *(read_events(session, base + job["events"]) for _ in range(10))
            )
        assert [events for _, events in results] == [expected_after()] * 10
        server.signal(signal.SIGTERM)
        assert await server.wait_exit(15) == 0
