"""Writing a channel's new entries to the viewers that keep up, from one task per channel.

A viewer that has sent everything parks. When entries are added, one pusher task
writes the new batch to each parked viewer in turn, awaiting each write inline:
no task wakes up per viewer and event, which is most of what one task per viewer
spends beyond the ``send()`` itself (docs/benchmarks.md, "Jobs fan-out"). A viewer
whose next write might have to wait for its client is woken instead, to write in
its own task under its send timeout, so a slow client never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Follower(Protocol):
    """A viewer as the pusher sees it: a place to write frames to."""

    def ready(self, size: int) -> bool:
        """True when ``size`` bytes can be written now without waiting for the client."""
        ...

    async def write(self, frame: bytes, *, last: bool, count: int) -> None:
        """Write ``count`` framed entries; ``last`` (the batch with ``close``) ends the response.

        May wait for the client, as long as the follower's send timeout allows.
        """
        ...

    async def write_ready(self, frame: bytes, *, last: bool, count: int) -> None:
        """``write``, once ``ready`` has said it need not wait (so it does not check again)."""
        ...


class Log(Protocol):
    """What the pusher reads of a channel."""

    job_id: str
    broken: bool

    def after(self, position: int) -> tuple[bytes, int]:
        """The framed entries after ``position``, and the position of the last of them."""
        ...

    def ends_with(self, position: int) -> bool:
        """True when ``position`` is that of ``close``."""
        ...

    @property
    def last(self) -> int:
        """The position of the newest entry (-1 while there is none)."""
        ...


class Parked:
    """A follower waiting for news, and what the pusher did for it meanwhile."""

    __slots__ = ("error", "finished", "follower", "position", "woken")

    def __init__(self, follower: Follower, position: int, woken: asyncio.Future[None]) -> None:
        self.follower = follower
        self.position = position
        """Where the follower is: moved on by each write the pusher makes for it."""
        self.woken = woken
        self.finished = False
        """The pusher wrote ``close``: the response has ended."""
        self.error: Exception | None = None
        """What a write by the pusher raised, for the follower's own task to raise."""

    def wake(self) -> None:
        """Return the follower to its own task."""
        if not self.woken.done():
            self.woken.set_result(None)


class Pusher:
    """The parked followers of one channel, and the task that writes to them."""

    __slots__ = ("_log", "_loop", "_parked", "_task")

    def __init__(self, channel: Log) -> None:
        self._log = channel
        self._loop = asyncio.get_running_loop()
        self._parked: dict[Parked, None] = {}
        """In the order they parked (a dict as an ordered set)."""
        self._task: asyncio.Task[None] | None = None

    async def park(self, follower: Follower, position: int) -> Parked:
        """Wait, at ``position``, until woken; what the pusher did meanwhile is in the result."""
        parked = Parked(follower, position, self._loop.create_future())
        self._parked[parked] = None
        try:
            await parked.woken
        finally:
            del self._parked[parked]
        return parked

    def kick(self) -> None:
        """Entries were added: bring the parked followers up to date."""
        if self._parked and self._task is None:
            self._task = self._loop.create_task(self._run())

    def wake_all(self) -> None:
        """Return every parked follower to its own task (the channel broke)."""
        for parked in self._parked:
            parked.wake()

    async def _run(self) -> None:
        try:
            while not self._log.broken:
                last = self._log.last
                for parked in list(self._parked):
                    if parked.position < last and not parked.woken.done():
                        await self._push_to(parked)
                if self._log.last == last:
                    return
        except Exception:
            log.exception("job %s: pushing failed; viewers catch up themselves", self._log.job_id)
            self.wake_all()
        finally:
            self._task = None

    async def _push_to(self, parked: Parked) -> None:
        frame, last = self._log.after(parked.position)
        if not parked.follower.ready(len(frame)):
            parked.wake()
            return
        count = last - parked.position
        parked.position = last
        closes = self._log.ends_with(last)
        try:
            await parked.follower.write_ready(frame, last=closes, count=count)
        except Exception as exc:  # the client went away: its own task ends the response
            parked.error = exc
            parked.wake()
            return
        if closes:
            parked.finished = True
            parked.wake()
