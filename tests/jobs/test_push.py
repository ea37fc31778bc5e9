"""The channel's pusher: viewers that keep up are written by one task; the others by their own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from aiohttp_sse_demo.jobs.fanout import Channel
from aiohttp_sse_demo.jobs.model import CLOSE, Entry
from tests.support.serving import wait_for

TIMEOUT = 2.0


@dataclass
class Recorder:
    """A follower that records each write, and the task that made it."""

    can_take: bool = True
    gate: asyncio.Event | None = None
    """While set to an unset event, a write waits on it (a client that reads nothing)."""
    fail_after: int | None = None
    """Raise ConnectionResetError on the write after this many."""
    writes: list[tuple[bytes, bool, asyncio.Task[object] | None]] = field(default_factory=list)

    def ready(self, size: int) -> bool:
        return self.can_take

    async def write(self, frame: bytes, *, last: bool, count: int = 0) -> None:
        if self.fail_after is not None and len(self.writes) == self.fail_after:
            raise ConnectionResetError("the client went away")
        if self.gate is not None:
            await self.gate.wait()
        self.writes.append((frame, last, asyncio.current_task()))

    async def write_ready(self, frame: bytes, *, last: bool, count: int = 0) -> None:
        assert self.can_take, "written by the pusher although it said it could not take it"
        await self.write(frame, last=last, count=count)

    @property
    def body(self) -> bytes:
        return b"".join(frame for frame, _, _ in self.writes)


def entry(position: int) -> Entry:
    return Entry(position, CLOSE if position == 9 else "progress", f"step {position}")


def frames(first: int, last: int) -> bytes:
    return b"".join(entry(p).frame() for p in range(first, last + 1))


async def until(condition: Callable[[], bool]) -> None:
    assert await wait_for(condition, TIMEOUT)


async def until_written(followers: list[Recorder], writes: int) -> None:
    assert await wait_for(lambda: all(len(f.writes) == writes for f in followers), TIMEOUT)


def live_channel(entries: int) -> Channel:
    channel = Channel("job")
    channel.found = True
    channel.extend(entry(p) for p in range(entries))
    return channel


async def test_followers_that_keep_up_get_each_entry_once_from_the_pusher() -> None:
    channel = live_channel(2)
    followers = [Recorder() for _ in range(3)]
    tasks = [asyncio.create_task(channel.follow(f, -1)) for f in followers]
    await until_written(followers, 1)
    for position in range(2, 10):
        channel.extend([entry(position)])
        await until_written(followers, position)
    async with asyncio.timeout(TIMEOUT):
        await asyncio.gather(*tasks)
    for follower, task in zip(followers, tasks, strict=True):
        assert follower.body == frames(0, 9)
        assert [last for _, last, _ in follower.writes] == [False] * 8 + [True]
        assert follower.writes[0][2] is task  # the history, from its own task
        pushed_by = {writer for _, _, writer in follower.writes[1:]}
        assert pushed_by
        assert not pushed_by & set(tasks)  # live entries come from the pusher's task


async def test_a_follower_that_could_wait_writes_in_its_own_task_and_holds_up_no_one() -> None:
    channel = live_channel(1)
    stalled = Recorder()
    keeping_up = Recorder()
    tasks = [asyncio.create_task(channel.follow(f, -1)) for f in (stalled, keeping_up)]
    await until(lambda: len(stalled.writes) == len(keeping_up.writes) == 1)
    stalled.can_take = False
    stalled.gate = asyncio.Event()
    for position in (1, 2):
        channel.extend([entry(position)])
        await until_written([keeping_up], position + 1)
    assert len(stalled.writes) == 1
    stalled.gate.set()  # its client reads again: it catches up, in its own task
    await until(lambda: stalled.body == frames(0, 2))
    assert {writer for _, _, writer in stalled.writes} == {tasks[0]}
    assert keeping_up.body == frames(0, 2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_write_that_fails_in_the_pusher_is_raised_by_follow() -> None:
    channel = live_channel(1)
    failing = Recorder(fail_after=1)
    other = Recorder()
    failed = asyncio.create_task(channel.follow(failing, -1))
    going = asyncio.create_task(channel.follow(other, -1))
    await until(lambda: len(failing.writes) == len(other.writes) == 1)
    channel.extend([entry(1)])
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(ConnectionResetError):
            await failed
    await until(lambda: other.body == frames(0, 1))
    assert not going.done()
    going.cancel()
    await asyncio.gather(going, return_exceptions=True)


async def test_a_follower_that_leaves_is_written_no_more() -> None:
    channel = live_channel(1)
    leaving, staying = Recorder(), Recorder()
    left = asyncio.create_task(channel.follow(leaving, -1))
    stays = asyncio.create_task(channel.follow(staying, -1))
    await until(lambda: len(leaving.writes) == len(staying.writes) == 1)
    left.cancel()
    await asyncio.gather(left, return_exceptions=True)
    channel.extend([entry(1)])
    await until(lambda: len(staying.writes) == 2)
    assert len(leaving.writes) == 1
    stays.cancel()
    await asyncio.gather(stays, return_exceptions=True)


async def test_a_break_ends_every_follower() -> None:
    channel = live_channel(1)
    followers = [Recorder() for _ in range(3)]
    tasks = [asyncio.create_task(channel.follow(f, -1)) for f in followers]
    await until_written(followers, 1)
    channel.break_off()
    async with asyncio.timeout(TIMEOUT):
        await asyncio.gather(*tasks)
    assert all(f.body == frames(0, 0) for f in followers)
