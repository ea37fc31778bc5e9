"""The JSON side of /jobs on a real socket, with each broker: create, list, get, cancel, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
import json
from typing import Any

import aiohttp
import pytest

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.jobs.keys import JOBS
from aiohttp_sse_demo.jobs.model import Snapshot, Status
from tests.conftest import Launch, Serve
from tests.jobs.support import (
    ADMIN,
    SNAPSHOT_KEYS,
    bearer,
    cancel_job,
    get_json,
    list_all,
    post_job,
)
from tests.support.serving import wait_for

KIB = 1024


def parse_time(value: str) -> dt.datetime:
    """An ISO 8601 UTC time as the API writes it (``...Z``)."""
    assert value.endswith("Z"), value
    return dt.datetime.fromisoformat(value[:-1] + "+00:00")


async def test_post_creates_a_job_with_its_snapshot(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0.01)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/jobs", json={"interval": 0.02}) as resp:
            assert resp.status == 201
            assert resp.content_type == "application/json"
            job = await resp.json()
            assert resp.headers["Location"] == f"/jobs/{job['id']}"
        assert set(job) == SNAPSHOT_KEYS | {"token"}
        assert job["status"] in ("queued", "running")
        assert job["interval"] == 0.02
        assert job["events"] == f"/jobs/{job['id']}/events"
        assert parse_time(job["created"]) <= parse_time(job["updated"])
        assert abs(parse_time(job["created"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)

        url = f"{base}/jobs/{job['id']}"
        await _until_status(session, url, "succeeded", within=5)
        status, done = await get_json(session, url)
        assert status == 200
        assert set(done) == SNAPSHOT_KEYS
        assert done["last_event_id"] == "10"
        assert parse_time(done["updated"]) > parse_time(done["created"])


async def _until_status(
    session: aiohttp.ClientSession, url: str, status: str, within: float
) -> None:
    async with asyncio.timeout(within):
        for _ in itertools.count():  # polling over HTTP: there is nothing to wait on
            if (await get_json(session, url))[1]["status"] == status:
                return
            await asyncio.sleep(0.01)


async def test_empty_body_uses_the_server_interval(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0.25)
    async with aiohttp.ClientSession() as session:
        for body in (b"", b"  \n", b"{}"):
            async with session.post(f"{base}/jobs", data=body) as resp:
                assert resp.status == 201
                assert (await resp.json())["interval"] == 0.25


async def test_list_is_newest_first_with_a_limit(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        made = [(await post_job(session, base))["id"] for _ in range(4)]
        listed = await list_all(session, base)
        assert [j["id"] for j in listed] == made[::-1]
        assert all(set(j) == SNAPSHOT_KEYS for j in listed)
        assert [j["id"] for j in await list_all(session, base, "?limit=2")] == made[::-1][:2]


async def test_list_default_limit_is_50_and_a_larger_limit_is_capped_at_500(
    serve: Serve, broker: str
) -> None:
    base = await serve(broker=broker, interval=0, max_jobs=1000, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        for _ in range(6):  # 510 jobs, in waves of 85 requests
            await asyncio.gather(*(post_job(session, base) for _ in range(85)))
        assert len(await list_all(session, base)) == 50
        assert len(await list_all(session, base, "?limit=510")) == 500
        assert len(await list_all(session, base, "?limit=" + "9" * 5000)) == 500


async def test_delete_cancels_at_once_then_409(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=30)
        url = f"{base}/jobs/{job['id']}"
        status, cancelled = await cancel_job(session, base, job)
        assert status == 202
        assert cancelled["status"] == "cancelled"
        assert set(cancelled) == SNAPSHOT_KEYS
        _, now = await get_json(session, url)
        assert now["status"] == "cancelled"
        status, body = await cancel_job(session, base, job)
        assert status == 409
        assert "already finished (cancelled)" in body["error"]


async def test_cancel_stops_the_runner_at_once(launch: Launch, broker: str) -> None:
    running = await launch(create_app(Settings(broker=broker, interval=30)))
    jobs = running.app[JOBS]
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, running.url)
        assert len(jobs) == 1
        assert (await cancel_job(session, running.url, job))[0] == 202
        assert await wait_for(lambda: len(jobs) == 0, 2, step=0.005)


UNKNOWN = ["nope", "x" * 64, "a" * 65, "%F0%9F%92%A9", "a.b", "%20"]


@pytest.mark.parametrize("job_id", UNKNOWN)
async def test_unknown_job_is_404_json_everywhere(serve: Serve, broker: str, job_id: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        for method, path in (
            ("GET", f"/jobs/{job_id}"),
            ("DELETE", f"/jobs/{job_id}"),
            ("GET", f"/jobs/{job_id}/events"),
        ):
            async with session.request(method, base + path) as resp:
                assert resp.status == 404, (method, path)
                assert resp.content_type == "application/json"
                assert (await resp.json())["error"].startswith("no ")


BAD_BODIES: list[tuple[bytes, str]] = [
    (b"{", "not valid JSON"),
    (b"\xff\xfe{", "not valid JSON"),
    (b'{"interval": NaN}', "NaN is not a number JSON allows"),
    (b'{"interval": Infinity}', "Infinity is not a number JSON allows"),
    (b'{"interval": 1e400}', "interval must be a number of seconds from 0 to 60, got Infinity"),
    (b'{"interval": -0.5}', "got -0.5"),
    (b'{"interval": 60.001}', "got 60.001"),
    (b'{"interval": "1"}', "got a string"),
    (b'{"interval": true}', "got true"),
    (b'{"interval": null}', "got null"),
    (b'{"interval": [1]}', "got an array"),
    (b'{"interval": 1, "speed": 2}', "unknown field(s) 'speed'"),
    (b"[1]", "must be a JSON object"),
    (b"0.5", "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b'"interval"', "must be a JSON object"),
    (b"[" * 30_000 + b"]" * 30_000, "not valid JSON: nested too deeply"),
    (b'{"interval": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b'{"interval": ' + b"9" * 4000 + b"}", "digits)"),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES, ids=lambda v: repr(v)[:30])
async def test_bad_body_is_400_and_creates_nothing(
    serve: Serve, broker: str, body: bytes, message: str
) -> None:
    base = await serve(broker=broker, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/jobs", data=body) as resp:
            assert resp.status == 400
            error = (await resp.json())["error"]
        assert message in error
        assert len(error) < 200
        assert await list_all(session, base) == []


async def test_interval_bounds_are_inclusive(serve: Serve) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        for interval in (0, 60, 0.0, 60.0):
            job = await post_job(session, base, interval=interval)
            assert job["interval"] == interval


async def test_body_over_64_kib_is_413(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0, admin_token=ADMIN)
    padded = b"{" + b" " * (64 * KIB - 2) + b"}"
    assert len(padded) == 64 * KIB
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/jobs", data=padded) as resp:
            assert resp.status == 201  # exactly 64 KiB is allowed
        for body in (padded + b" ", b" " * (10 * 1024 * KIB)):
            async with session.post(f"{base}/jobs", data=io.BytesIO(body)) as resp:
                assert resp.status == 413
                assert "larger than 64 KiB" in (await resp.json())["error"]

        async def chunks() -> Any:  # no Content-Length: the size is only known while reading
            for _ in range(80):
                yield b" " * KIB

        async with session.post(f"{base}/jobs", data=chunks()) as resp:
            assert resp.status == 413
        assert len(await list_all(session, base)) == 1


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "", "1.5", "\u0663", "1e3", " "])
async def test_bad_limit_is_400(serve: Serve, limit: str) -> None:
    base = await serve(admin_token=ADMIN)
    async with aiohttp.ClientSession(headers=bearer(ADMIN)) as session:
        async with session.get(f"{base}/jobs", params={"limit": limit}) as resp:
            assert resp.status == 400
            assert "limit must be a whole number from 1 to 500" in (await resp.json())["error"]
        async with session.get(f"{base}/jobs", params={"limit": "9" * 5000}) as resp:
            assert resp.status == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/jobs", "GET, HEAD, POST"),
        ("DELETE", "/jobs", "GET, HEAD, POST"),
        ("PATCH", "/jobs/x", "GET, HEAD, DELETE"),
        ("POST", "/jobs/x", "GET, HEAD, DELETE"),
        ("POST", "/jobs/x/events", "GET"),
        ("HEAD", "/jobs/x/events", "GET"),
        ("DELETE", "/jobs/x/events", "GET"),
    ],
)
async def test_wrong_method_is_405_json_with_allow(
    serve: Serve, method: str, path: str, allow: str
) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session, session.request(method, base + path) as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == allow
        if method != "HEAD":
            assert "is not allowed here" in (await resp.json())["error"]


async def test_other_paths_under_jobs_are_404_json(serve: Serve) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        for path in ("/jobs/", "/jobs/a/b", "/jobs/a/events/more"):
            async with session.get(base + path) as resp:
                assert resp.status == 404
                assert (await resp.json())["error"].startswith("no such path")


async def test_max_jobs_is_503_with_retry_after(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, max_jobs=2, interval=30)
    async with aiohttp.ClientSession() as session:
        first = await post_job(session, base)
        await post_job(session, base)
        async with session.post(f"{base}/jobs") as resp:
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "5"
            assert "runs 2 jobs at once" in (await resp.json())["error"]
        assert (await cancel_job(session, base, first))[0] == 202
        for _ in range(1000):  # the runner ends at once; its slot is free again
            async with session.post(f"{base}/jobs") as resp:
                if resp.status == 201:
                    break
            await asyncio.sleep(0.01)
        assert resp.status == 201


async def test_concurrent_posts_respect_max_jobs(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, max_jobs=3, interval=30)
    async with aiohttp.ClientSession() as session:

        async def post() -> int:
            async with session.post(f"{base}/jobs") as resp:
                return resp.status

        statuses = await asyncio.gather(*(post() for _ in range(10)))
        assert sorted(statuses) == [201] * 3 + [503] * 7


async def test_head_of_the_list_and_a_job(serve: Serve) -> None:
    base = await serve(interval=0, admin_token=ADMIN)
    async with aiohttp.ClientSession(headers=bearer(ADMIN)) as session:
        job = await post_job(session, base)
        for path in ("/jobs", f"/jobs?id={job['id']}", f"/jobs/{job['id']}"):
            async with session.head(base + path) as resp:
                assert resp.status == 200
                assert resp.content_type == "application/json"


def test_snapshot_json_is_stable() -> None:
    snapshot = Snapshot("abc", Status.RUNNING, 1_700_000_000_123, 1_700_000_001_000, 0.5, 3)
    assert json.loads(json.dumps(snapshot.to_json())) == {
        "id": "abc",
        "status": "running",
        "created": "2023-11-14T22:13:20.123Z",
        "updated": "2023-11-14T22:13:21.000Z",
        "interval": 0.5,
        "events": "/jobs/abc/events",
        "last_event_id": "3",
    }
    empty = Snapshot("abc", Status.QUEUED, 0, 0, 1.0)
    assert empty.to_json()["last_event_id"] is None
