"""Who may do what (JOBS.md, "Ownership"): tokens, bearer checks, the admin list, ``?id=``."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from aiohttp_sse_demo.jobs.tokens import bearer as parse_bearer
from aiohttp_sse_demo.jobs.tokens import digest, matches, new_token
from tests.conftest import Serve
from tests.jobs.support import (
    ADMIN,
    SNAPSHOT_KEYS,
    bearer,
    cancel_job,
    get_json,
    list_all,
    post_job,
)
from tests.support.serving import read_events


async def test_a_token_comes_once_and_cancels_its_job_only(
    serve: Serve, broker: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = await serve(broker=broker, interval=30, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        mine, other = await post_job(session, base), await post_job(session, base)
        assert len(mine["token"]) >= 22  # 128 bits or more, URL-safe base64
        assert mine["token"] != other["token"]
        url = f"{base}/jobs/{mine['id']}"

        async with session.delete(url) as resp:
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
            assert "needs its token" in (await resp.json())["error"]
        for header in ("Basic abc", "Bearer", "Bearer ", mine["token"], "Token " + mine["token"]):
            async with session.delete(url, headers={"Authorization": header}) as resp:
                assert resp.status == 401, header
        wrong = [other["token"], mine["token"][:-1], mine["token"] + "x", "x" * 5000, ADMIN[1:]]
        for token in wrong:
            status, body = await cancel_job(session, base, mine, token)
            assert status == 403, token[:20]
            assert "not one of them" in body["error"]
        assert (await get_json(session, url))[1]["status"] == "running"

        status, snapshot = await cancel_job(session, base, mine)
        assert (status, snapshot["status"]) == (202, "cancelled")
        assert set(snapshot) == SNAPSHOT_KEYS
        assert (await cancel_job(session, base, other, ADMIN))[0] == 202  # the admin may
        assert (await cancel_job(session, base, mine))[0] == 409

        # The token is nowhere else: snapshots, lists, events, the log.
        shown = [
            (await get_json(session, url))[1],
            await list_all(session, base),
            (await get_json(session, f"{base}/jobs?id={mine['id']}"))[1],
        ]
        _, events = await read_events(session, base + mine["events"])
        for text in [*map(repr, shown), repr(events), caplog.text]:
            assert mine["token"] not in text
            assert other["token"] not in text


async def test_an_unknown_job_is_404_whatever_the_token(serve: Serve) -> None:
    base = await serve(admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        for headers in ({}, bearer("x"), bearer(ADMIN)):
            async with session.delete(f"{base}/jobs/nope", headers=headers) as resp:
                assert resp.status == 404


async def test_the_full_list_is_for_the_admin_only(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base)
        async with session.get(f"{base}/jobs") as resp:
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        for token in ("wrong", job["token"]):
            async with session.get(f"{base}/jobs", headers=bearer(token)) as resp:
                assert resp.status == 403
        assert [j["id"] for j in await list_all(session, base)] == [job["id"]]


async def test_with_no_admin_token_no_one_gets_the_full_list(serve: Serve) -> None:
    base = await serve(interval=0)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base)
        async with session.get(f"{base}/jobs") as resp:
            assert resp.status == 401
        for token in ("", "x", job["token"]):
            async with session.get(f"{base}/jobs", headers=bearer(token)) as resp:
                assert resp.status in (401, 403)
        async with session.head(f"{base}/jobs") as resp:
            assert resp.status == 401


async def test_ids_list_those_jobs_for_anyone(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, interval=0)
    async with aiohttp.ClientSession() as session:
        a, b, c = [await post_job(session, base) for _ in range(3)]
        query = f"?id={a['id']}&id=nope&id={c['id']}&id=%3Cx%3E&id={a['id']}"
        status, body = await get_json(session, f"{base}/jobs{query}")
        assert status == 200
        assert [j["id"] for j in body["jobs"]] == [a["id"], c["id"]]  # as asked, once each
        assert all(set(j) == SNAPSHOT_KEYS for j in body["jobs"])
        status, body = await get_json(session, f"{base}/jobs?id={b['id']}&id={c['id']}&limit=1")
        assert [j["id"] for j in body["jobs"]] == [b["id"]]
        assert (await get_json(session, f"{base}/jobs?id=")) == (200, {"jobs": []})

        many = "&".join(f"id=j{i}" for i in range(100))
        assert (await get_json(session, f"{base}/jobs?{many}"))[0] == 200
        status, body = await get_json(session, f"{base}/jobs?{many}&id=one-more")
        assert status == 400
        assert body["error"] == "at most 100 id parameters, got 101"


def test_tokens_and_their_digests() -> None:
    token = new_token()
    assert len(token) >= 43
    assert matches(token, digest(token))
    assert not matches(token + "x", digest(token))
    assert not matches("", "")  # a job with no owner is cancelled by the admin only
    assert digest(token) != token
    assert parse_bearer(f"bearer  {token} ") == token
    for header in (None, "", "Bearer", "Basic x", token):
        assert parse_bearer(header) is None
