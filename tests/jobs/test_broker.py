"""The broker seam itself, with each implementation: appends, refusals, leases, the claim."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from aiohttp_sse_demo.jobs import Broker, open_broker
from aiohttp_sse_demo.jobs.fanout import Channel, Hub
from aiohttp_sse_demo.jobs.model import CLOSE, Entry, Status

TTL = 60.0


@contextlib.asynccontextmanager
async def opened(url: str, *, lease: float = 10.0, max_kept: int = 100) -> AsyncIterator[Broker]:
    """A started broker, closed on exit."""
    broker = open_broker(url, job_ttl=TTL, lease=lease, max_kept=max_kept)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.close()


async def test_appends_get_consecutive_positions(broker: str) -> None:
    async with opened(broker) as store:
        job = await store.create(0.5, lease=10)
        assert (job.status, job.last_position, job.interval) == (Status.QUEUED, -1, 0.5)
        first = await store.append(job.id, [("start", "a"), ("progress", "b")], Status.RUNNING)
        second = await store.append(job.id, [("end", "c")], Status.RUNNING, after=1)
        assert first is not None
        assert second is not None
        assert (first.done, first.snapshot.last_position) == (True, 1)
        assert (second.done, second.snapshot.last_position) == (True, 2)
        log = await store.log(job.id)
        assert log == [Entry(0, "start", "a"), Entry(1, "progress", "b"), Entry(2, "end", "c")]
        snapshot = await store.get(job.id)
        assert snapshot == second.snapshot
        assert snapshot.updated_ms >= snapshot.created_ms


async def test_an_append_that_does_not_follow_is_refused(broker: str) -> None:
    async with opened(broker) as store:
        job = await store.create(0.5, lease=10)
        await store.append(job.id, [("start", "a")], Status.RUNNING, after=-1)
        stale = await store.append(job.id, [("start", "a")], Status.RUNNING, after=-1)
        assert stale is not None
        assert (stale.done, stale.snapshot.last_position) == (False, 0)
        assert await store.log(job.id) == [Entry(0, "start", "a")]


async def test_nothing_is_appended_after_a_final_status(broker: str) -> None:
    async with opened(broker) as store:
        job = await store.create(0.5, lease=10)
        done = await store.append(job.id, [("cancelled", "why"), (CLOSE, "x")], Status.CANCELLED)
        assert done is not None
        assert done.done
        for status in (Status.RUNNING, Status.SUCCEEDED):
            late = await store.append(job.id, [("start", "a")], status)
            assert late is not None
            assert (late.done, late.snapshot.status) == (False, Status.CANCELLED)
        assert [e.type for e in await store.log(job.id) or []] == ["cancelled", CLOSE]


async def test_unknown_jobs_are_none(broker: str) -> None:
    async with opened(broker) as store:
        assert await store.get("nope") is None
        assert await store.log("nope") is None
        assert await store.append("nope", [("start", "a")], Status.RUNNING) is None
        async with store.watch("nope") as channel:
            assert channel is None


async def test_a_watch_sees_the_log_then_each_append(broker: str) -> None:
    async with opened(broker) as store:
        job = await store.create(0.5, lease=10)
        await store.append(job.id, [("start", "a")], Status.RUNNING)
        async with store.watch(job.id) as channel, store.watch(job.id) as again:
            assert channel is not None
            assert channel is again
            assert [e.position for e in channel.entries] == [0]
            await store.append(job.id, [("progress", "b"), (CLOSE, "c")], Status.SUCCEEDED)
            async with asyncio.timeout(2):
                await channel.wait_beyond(1)
            assert channel.closed
            frame, last = channel.after(0)
            assert last == 2
            assert frame == b"".join(e.frame() for e in channel.entries[1:])
        assert job.id not in store.hub.channels


async def test_recent_is_newest_first(broker: str) -> None:
    async with opened(broker) as store:
        made = [(await store.create(1.0, lease=10)).id for _ in range(5)]
        assert [s.id for s in await store.recent(3)] == made[::-1][:3]
        assert [s.id for s in await store.recent(50)] == made[::-1]


async def beat_for(store: Broker, seconds: float) -> None:
    """Renew nothing every 20 ms for ``seconds``: a live process's lease ticks."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while loop.time() < until:
        await store.renew([], 60)
        await asyncio.sleep(0.02)


async def test_only_one_of_many_claimers_fails_a_job(redis_url: str) -> None:
    """Ten processes' brokers claim at once: one writes ``failed`` + ``close``, once."""
    async with contextlib.AsyncExitStack() as stack:
        stores = [await stack.enter_async_context(opened(redis_url, lease=0.2)) for _ in range(10)]
        job = await stores[0].create(0.5, lease=0.05)
        kept = await stores[0].create(0.5, lease=0.05)
        await stores[0].append(job.id, [("start", "a")], Status.RUNNING)
        await stores[0].renew([kept.id], 60)
        await beat_for(stores[0], 0.15)
        results = await asyncio.gather(*(s.claim_expired("lost") for s in stores))
        assert sorted(len(r) for r in results) == [0] * 9 + [1]
        assert [r for r in results if r] == [[job.id]]
        log = await stores[0].log(job.id)
        assert [(e.type, e.data) for e in log or []] == [
            ("start", "a"),
            ("failed", "lost"),
            (CLOSE, "job failed"),
        ]
        assert (await stores[0].get(kept.id)) is not None
        assert (await stores[0].get(kept.id)).status is Status.QUEUED  # type: ignore[union-attr]
        assert await asyncio.gather(*(s.claim_expired("lost") for s in stores)) == [[]] * 10


async def test_no_claim_after_a_silence_until_live_processes_could_renew(redis_url: str) -> None:
    """Redis did not answer for longer than a horizon: claims wait one horizon of calls."""
    async with opened(redis_url, lease=0.4) as store:  # horizon 0.2 s
        job = await store.create(0.5, lease=0.05)
        await asyncio.sleep(0.3)  # no lease call at all: what a paused Redis looks like
        assert await store.claim_expired("lost") == []  # the silence has just ended
        await store.renew([], 60)
        assert await store.claim_expired("lost") == []  # ... and calls resumed 0 s ago
        await beat_for(store, 0.25)
        assert await store.claim_expired("lost", mine={job.id}) == []  # never one's own
        assert await store.claim_expired("lost") == [job.id]


async def test_a_store_keeps_at_most_max_kept_finished_jobs(broker: str) -> None:
    async with opened(broker, max_kept=5) as store:
        running = await store.create(0.5, lease=10)
        made = []
        for _ in range(40):
            job = await store.create(0, lease=10)
            await store.append(job.id, [(CLOSE, "done")], Status.SUCCEEDED)
            made.append(job.id)
        await store.tidy()
        listed = [s.id for s in await store.recent(100)]
        assert listed == [*made[::-1][:5], running.id]
        assert await store.get(made[0]) is None
        assert await store.log(made[0]) is None
        assert await store.get(running.id) is not None


async def test_redis_keeps_no_index_entry_or_key_for_a_pruned_job(redis_url: str) -> None:
    import redis.asyncio as aioredis

    async with opened(redis_url, max_kept=3) as store:
        for _ in range(50):
            job = await store.create(0, lease=10)
            await store.append(job.id, [(CLOSE, "done")], Status.SUCCEEDED)
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            assert await client.zcard("sse-demo:jobs") == 3
            assert await client.zcard("sse-demo:finished") == 3
            keys = [k async for k in client.scan_iter("sse-demo:job:*")]
            assert len(keys) == 3
            assert "token" not in repr(await client.hgetall(keys[0]))
        finally:
            await client.aclose()


async def test_the_embedded_broker_has_no_leases() -> None:
    async with opened("memory") as store:
        job = await store.create(0.5, lease=0)
        await store.renew([job.id], 0)
        assert await store.claim_expired("lost") == []
        assert (await store.get(job.id)) == job


# -- the channel, without any broker ---------------------------------------------------------


async def test_a_channel_skips_known_entries_and_breaks_on_a_gap() -> None:
    channel = Channel("j")
    channel.extend([Entry(0, "start", "a"), Entry(1, "progress", "b")])
    channel.extend([Entry(1, "progress", "b"), Entry(2, "end", "c")])
    assert [e.position for e in channel.entries] == [0, 1, 2]
    assert (channel.broken, channel.live) == (False, False)  # not loaded by a hub: not found
    channel.extend([Entry(5, "end", "x")])
    assert (channel.broken, len(channel.entries)) == (True, 3)


async def test_channel_frames_are_joined_once_per_position() -> None:
    channel = Channel("j")
    channel.extend([Entry(0, "start", "a"), Entry(1, "progress", "two\nlines")])
    frame, last = channel.after(-1)
    assert last == 1
    assert frame == b"id: 0\r\nevent: start\r\ndata: a\r\n\r\nid: 1\r\nevent: progress\r\n" + (
        b"data: two\r\ndata: lines\r\n\r\n"
    )
    assert channel.after(-1)[0] is frame
    assert channel.after(1) == (b"", 1)


async def test_a_failed_load_is_unavailable_and_retried_by_the_next_watch() -> None:
    from aiohttp_sse_demo.jobs import BrokerUnavailable

    calls: list[str] = []

    async def load(job_id: str) -> list[Entry] | None:
        calls.append(job_id)
        if len(calls) == 1:
            raise BrokerUnavailable("down")
        return []

    hub = Hub(load, lambda job_id: None)
    with pytest.raises(BrokerUnavailable):
        async with hub.watch("j"):
            pass
    async with hub.watch("j") as channel:
        assert channel is not None
        assert channel.found
    assert calls == ["j", "j"]
    assert hub.channels == {}
