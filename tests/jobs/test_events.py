"""GET /jobs/{id}/events with each broker: viewers, history then live, resume, 204, cancel, TTL."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

import aiohttp
import pytest

from aiohttp_sse_demo import Settings, create_app
from aiohttp_sse_demo.keys import REGISTRY
from contract import Verdict, run_suite
from tests.conftest import Launch, Serve
from tests.jobs.support import (
    ADMIN,
    bearer,
    expected_after,
    get_json,
    ids,
    list_all,
    post_job,
    viewers,
    watching,
)
from tests.support.serving import read_events, wait_for
from tests.support.sockets import RawStream, closing_all, connect, raise_fd_limit, request_bytes

MALFORMED = ["", "-1", "+3", "3.0", "1_0", "abc", "\u0663", "3a", "0x3"]
UNKNOWN = ["11", "12", "99999", "9" * 5000]


async def finished_job(session: aiohttp.ClientSession, base: str) -> str:
    """A job that has run to its end; its events URL."""
    job = await post_job(session, base, interval=0)
    url: str = base + job["events"]
    _, events = await read_events(session, url)
    assert ids(events)[-1] == "10"
    return url


async def test_a_job_streams_the_events_of_stream(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.02)
        async with watching(session, base + job["events"]) as viewer:
            assert viewer.resp.headers["Cache-Control"] == "no-cache"
            assert viewer.resp.headers["X-Accel-Buffering"] == "no"
            assert await viewer.read_to_end() == expected_after()
        _, snapshot = await get_json(session, f"{base}/jobs/{job['id']}")
        assert (snapshot["status"], snapshot["last_event_id"]) == ("succeeded", "10")


async def test_three_viewers_see_the_same_events_and_ids(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.03)
        url = base + job["events"]
        results = await asyncio.gather(*(read_events(session, url) for _ in range(3)))
    assert [events for _, events in results] == [expected_after()] * 3


async def test_a_late_viewer_gets_the_history_then_live(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.3)
        url = base + job["events"]
        async with watching(session, url) as early:
            await early.read_until(5)  # ids 0-6 are written: the third unit of work is under way
            async with watching(session, url) as late:
                history = await late.read_until(7)
                _, snapshot = await get_json(session, f"{base}/jobs/{job['id']}")
                assert snapshot["last_event_id"] == "6"  # the history came before more work
                assert history[:7] == expected_after()[:7]
                assert await late.read_to_end() == expected_after()
            assert await early.read_to_end() == expected_after()


async def test_resume_after_every_id_both_forms(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        url = await finished_job(session, base)
        for last in range(10):
            _, by_header = await read_events(session, url, {"Last-Event-ID": str(last)})
            _, by_query = await read_events(session, f"{url}?last_event_id={last}")
            assert by_header == by_query == expected_after(last), last
        _, padded = await read_events(session, url, {"Last-Event-ID": "0004"})
        assert padded == expected_after(4)


async def test_resume_mid_job_has_no_gap_and_no_duplicate(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.1)
        url = base + job["events"]
        async with watching(session, url) as first:
            seen = (await first.read_until(2))[:2]
        async with watching(session, url, {"Last-Event-ID": seen[-1].last_event_id}) as again:
            seen += (await again.read_until(3))[:3]  # ids 2-4: then drop again
        async with watching(session, f"{url}?last_event_id={seen[-1].last_event_id}") as third:
            seen += await third.read_to_end()
    assert seen == expected_after()


async def test_the_header_wins_over_the_query_parameter(serve: Serve) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        url = await finished_job(session, base)
        _, events = await read_events(session, f"{url}?last_event_id=2", {"Last-Event-ID": "6"})
        assert events == expected_after(6)
        _, events = await read_events(session, f"{url}?last_event_id=2", {"Last-Event-ID": "x"})
        assert events == expected_after()  # a malformed header counts as absent, not the query


async def test_malformed_or_unknown_ids_give_the_whole_log(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        url = await finished_job(session, base)
        for value in MALFORMED + UNKNOWN:
            _, events = await read_events(session, url, {"Last-Event-ID": value})
            assert events == expected_after(), repr(value)
            _, events = await read_events(session, f"{url}?{urlencode({'last_event_id': value})}")
            assert events == expected_after(), repr(value)


async def test_the_id_of_close_gets_204_both_forms(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        url = await finished_job(session, base)
        for headers, query in (({"Last-Event-ID": "10"}, ""), ({}, "?last_event_id=10")):
            async with session.get(url + query, headers=headers) as resp:
                assert resp.status == 204
                assert await resp.read() == b""
        cancelled = await post_job(session, base, interval=30)
        async with session.delete(
            f"{base}/jobs/{cancelled['id']}", headers=bearer(cancelled["token"])
        ) as resp:
            assert (await resp.json())["last_event_id"] == "3"
        async with session.get(base + cancelled["events"], headers={"Last-Event-ID": "3"}) as resp:
            assert resp.status == 204


async def test_cancel_while_viewers_watch(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=30)
        url = base + job["events"]
        async with viewers(session, [url, url]) as (a, b):
            assert [len(a.events), len(b.events)] == [2, 2]
            started = time.monotonic()
            async with session.delete(
                f"{base}/jobs/{job['id']}", headers=bearer(job["token"])
            ) as resp:
                assert resp.status == 202
            async with asyncio.timeout(10):
                ends = [await a.read_to_end(), await b.read_to_end()]
            took = time.monotonic() - started
    assert ends[0] == ends[1]
    assert [(e.type, e.last_event_id) for e in ends[0]] == [
        ("start", "0"),
        ("progress", "1"),
        ("cancelled", "2"),
        ("close", "3"),
    ]
    assert ends[0][2].data == "cancelled by a client (DELETE)"
    # "At once": long before the 30 s unit of work ends. The bound is generous for a
    # loaded machine; the order of events above is the real check.
    assert took < 10


async def test_keepalive_comments_while_a_job_is_quiet(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, ping_interval=0.05)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.3)
        async with watching(session, base + job["events"]) as viewer:
            await viewer.read_until(3)
        assert viewer.raw.count(b": ping") >= 3
        assert viewer.events == expected_after()[:3]


async def test_a_job_expires_after_its_ttl(serve: Serve, broker: str) -> None:
    base = await serve(broker=broker, job_ttl=0.3, admin_token=ADMIN)
    async with aiohttp.ClientSession() as session:
        url = await finished_job(session, base)
        job_url = url.removesuffix("/events")
        assert (await get_json(session, job_url))[0] == 200
        started = time.monotonic()
        while (await get_json(session, job_url))[0] != 404:
            assert time.monotonic() - started < 5, "the job never expired"
            await asyncio.sleep(0.02)
        assert time.monotonic() - started > 0.1
        async with session.get(url) as resp:
            assert resp.status == 404
        assert await list_all(session, base) == []


VIEWERS = 1000


async def test_a_thousand_viewers_each_get_every_event_once(serve: Serve, broker: str) -> None:
    raise_fd_limit(4 * VIEWERS)
    base = await serve(broker=broker, max_streams=2 * VIEWERS)
    port = int(base.rsplit(":", 1)[1])
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.5)  # 2 s: most viewers join mid-job
    streams: list[RawStream] = []
    with closing_all(streams):
        started = time.monotonic()
        async with asyncio.timeout(30):
            for _ in range(VIEWERS // 100):  # in waves, to stay within the listen backlog
                wave = await asyncio.gather(*(connect(port) for _ in range(100)))
                for stream in wave:
                    stream.writer.write(request_bytes(job["events"], {"Connection": "close"}))
                streams += wave
            await asyncio.gather(*(s.read_head() for s in streams))
            assert {s.status for s in streams} == {200}
            joined = time.monotonic() - started
            ended = await asyncio.gather(*(s.read_to_end() for s in streams))
        took = time.monotonic() - started
    assert all(ended)
    for stream in streams:
        assert stream.events == expected_after()
    kind = broker.split(":", maxsplit=1)[0]
    print(f"\n{VIEWERS} viewers ({kind}): joined in {joined:.2f} s, done {took:.2f} s")


async def test_the_contract_suite_passes_on_a_job(serve: Serve, broker: str) -> None:
    """The core on a running job; resume on a finished one (whose ids all exist by then).

    While a job runs, an id it has not reached yet is unknown and gets the whole log
    (JOBS.md), so the suite's resume probes, sent at the start, only hold once it ends.
    """
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.1)
    live = await run_suite(base + job["events"])
    core = {r.rule: r.verdict for r in live.results if not r.extension}
    assert core, live.error
    assert set(core.values()) == {Verdict.PASS}, core
    finished = await run_suite(base + job["events"])
    verdicts = {r.rule: r.verdict for r in finished.results}
    assert verdicts["resume"] is Verdict.SUPPORTED
    assert verdicts["tolerant"] is Verdict.SUPPORTED
    assert verdicts["events"] is Verdict.PASS


@pytest.mark.parametrize("value", ["", "abc"])
async def test_a_resume_value_never_changes_an_unknown_job_into_a_stream(
    serve: Serve, value: str
) -> None:
    base = await serve()
    headers = {"Last-Event-ID": value}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}/jobs/none/events", headers=headers) as resp,
    ):
        assert resp.status == 404


async def test_a_viewer_that_leaves_is_released(launch: Launch, broker: str) -> None:
    """Under ``web.run_app`` rules (no handler cancellation) the reaper ends a quiet viewer."""
    running = await launch(create_app(Settings(broker=broker, reap_interval=0.02)))
    registry = running.app[REGISTRY]
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, running.url, interval=30)
    stream = await connect(running.port)
    stream.writer.write(request_bytes(job["events"]))
    await stream.read_head()
    await stream.read_events(2)
    assert len(registry) == 1
    stream.close(reset=True)
    assert await wait_for(lambda: len(registry) == 0, 2)
