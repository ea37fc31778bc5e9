"""In-process fan-out: one copy of each watched job's log, shared by all its viewers.

A ``Channel`` holds the log of one job from position 0, loaded once when its
first watcher arrives and extended by the broker as entries are appended (the
embedded broker on each append, the Redis one from its single reader task). Every
viewer of the job in this process reads the same channel: no per-viewer queue,
no per-viewer broker call. Entries are framed once, and the bytes that follow a
given position are joined once for all the viewers at that position.

A viewer ``follow``s the channel: it writes what it has not sent yet, then parks,
and while it keeps up the channel's pusher writes new entries to it (``push``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from .errors import BrokerUnavailable
from .model import CLOSE, Entry
from .push import Follower, Pusher

log = logging.getLogger(__name__)

Loader = Callable[[str], Awaitable[list[Entry] | None]]
"""Reads a job's whole log from the broker; None when the job is unknown."""


class Channel:
    """One job's log as this process knows it, and a way to wait for more."""

    __slots__ = (
        "_changed",
        "_frames",
        "_joined",
        "_pusher",
        "broken",
        "entries",
        "found",
        "job_id",
        "ready",
        "watchers",
    )

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.entries: list[Entry] = []
        self.found = False
        self.broken = False
        """The broker went away: viewers end their responses (and reconnect elsewhere)."""
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.watchers = 0
        self._frames: list[bytes] = []
        self._joined: dict[int, bytes] = {}
        self._changed = asyncio.Event()
        self._pusher = Pusher(self)

    @property
    def closed(self) -> bool:
        """True once the log holds ``close``: nothing more will come."""
        return bool(self.entries) and self.entries[-1].type == CLOSE

    @property
    def last(self) -> int:
        """The position of the newest entry (-1 while there is none)."""
        return len(self.entries) - 1

    def ends_with(self, position: int) -> bool:
        """True when ``position`` is that of ``close``."""
        return self.closed and position == len(self.entries) - 1

    @property
    def live(self) -> bool:
        """True while entries may still arrive: loaded, found, not closed, not broken."""
        return self.found and not self.broken and not self.closed

    def extend(self, entries: Iterable[Entry]) -> None:
        """Add entries that follow the known ones; entries already known are skipped."""
        added = False
        for entry in entries:
            if entry.position < len(self.entries):
                continue
            if entry.position > len(self.entries):
                log.warning(
                    "job %s: entry %d skips ahead; ending its viewers", self.job_id, entry.position
                )
                self.break_off()
                return
            self.entries.append(entry)
            self._frames.append(entry.frame())
            added = True
        if added:
            self._joined.clear()
            self._wake()

    def after(self, position: int) -> tuple[bytes, int]:
        """The framed entries after ``position``, and the position of the last of them."""
        last = len(self.entries) - 1
        if position >= last:
            return b"", position
        joined = self._joined.get(position)
        if joined is None:
            joined = self._joined[position] = b"".join(self._frames[position + 1 :])
        return joined, last

    async def follow(self, follower: Follower, position: int) -> None:
        """Write every entry after ``position`` to ``follower``, until ``close`` or a break.

        Raises what a write to the follower raised (the client went away or stalled).
        """
        while True:
            frame, last = self.after(position)
            if frame:
                closes = self.ends_with(last)
                await follower.write(frame, last=closes, count=last - position)
                if closes:
                    return
                position = last
                continue
            if self.broken:
                return
            parked = await self._pusher.park(follower, position)
            if parked.error is not None:
                raise parked.error
            if parked.finished:
                return
            position = parked.position

    async def wait_beyond(self, position: int) -> None:
        """Return once an entry after ``position`` is known or the channel broke."""
        while len(self.entries) - 1 <= position and not self.broken:
            await self._changed.wait()

    def break_off(self) -> None:
        """Mark the channel broken and wake its watchers."""
        self.broken = True
        self._wake()
        self._pusher.wake_all()

    def _wake(self) -> None:
        # A fresh event per change: watchers that wake re-check and wait on the new one.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if not self.broken:
            self._pusher.kick()


class Hub:
    """The channels of the jobs watched in this process."""

    def __init__(self, load: Loader, on_live: Callable[[str], None]) -> None:
        self._load = load
        self._on_live = on_live
        self.channels: dict[str, Channel] = {}
        self._loading: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator[Channel | None]:
        """Follow a job's log for the ``with`` block; None when the job is unknown.

        Raises ``BrokerUnavailable`` when the log cannot be loaded.
        """
        channel = self.channels.get(job_id)
        if channel is None:
            channel = self.channels[job_id] = Channel(job_id)
            # A task of its own, so a first watcher that leaves early cannot strand the others.
            task = asyncio.create_task(self._fill(channel))
            self._loading.add(task)
            task.add_done_callback(self._loading.discard)
        channel.watchers += 1
        try:
            await asyncio.shield(channel.ready)
            if channel.broken:
                raise BrokerUnavailable(f"cannot load job {job_id}: the job store is unavailable")
            yield channel if channel.found else None
        finally:
            channel.watchers -= 1
            if not channel.watchers and self.channels.get(job_id) is channel:
                del self.channels[job_id]

    def publish(self, job_id: str, entries: Iterable[Entry]) -> None:
        """New entries of a job's log, from the broker (ignored when no one watches the job)."""
        channel = self.channels.get(job_id)
        if channel is not None and channel.ready.done() and channel.found:
            channel.extend(entries)

    def live_channels(self) -> list[Channel]:
        """The channels whose logs may still grow (what a reader must follow)."""
        return [c for c in self.channels.values() if c.ready.done() and c.live]

    def break_all(self) -> None:
        """End every watch: viewers end their responses, later watches load afresh."""
        channels = list(self.channels.values())
        self.channels.clear()
        for channel in channels:
            channel.break_off()

    async def close(self) -> None:
        """Break every watch and stop the loads in progress."""
        self.break_all()
        for task in list(self._loading):
            task.cancel()
        await asyncio.gather(*self._loading, return_exceptions=True)

    async def _fill(self, channel: Channel) -> None:
        try:
            entries = await self._load(channel.job_id)
        except BrokerUnavailable:
            self._drop(channel)
        except Exception:
            log.exception("cannot load the log of job %s", channel.job_id)
            self._drop(channel)
        except BaseException:  # cancelled: the app is stopping
            self._drop(channel)
            raise
        else:
            if entries is not None and not channel.broken:
                channel.found = True
                channel.extend(entries)
        finally:
            channel.ready.set_result(None)
        if channel.live:
            self._on_live(channel.job_id)

    def drop(self, channel: Channel) -> None:
        """End one watch (its job is gone): viewers end, a later watch loads afresh."""
        self._drop(channel)

    def _drop(self, channel: Channel) -> None:
        channel.break_off()
        if self.channels.get(channel.job_id) is channel:
            del self.channels[channel.job_id]
