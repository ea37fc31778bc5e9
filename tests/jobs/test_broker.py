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
async def opened(url: str) -> AsyncIterator[Broker]:
    """A started broker, closed on exit."""
    broker = open_broker(url, job_ttl=TTL)
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


async def test_only_one_of_many_claimers_fails_a_job(redis_url: str) -> None:
    """Ten processes' brokers claim at once: one writes ``failed`` + ``close``, once."""
    async with contextlib.AsyncExitStack() as stack:
        stores = [await stack.enter_async_context(opened(redis_url)) for _ in range(10)]
        job = await stores[0].create(0.5, lease=0.05)
        kept = await stores[0].create(0.5, lease=0.05)
        await stores[0].append(job.id, [("start", "a")], Status.RUNNING)
        await stores[0].renew([kept.id], 60)
        await asyncio.sleep(0.1)
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
