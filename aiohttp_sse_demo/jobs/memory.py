"""The embedded broker: jobs in this process's memory, lost when it stops.

Every method runs without awaiting anything, so each is atomic on the event loop.
Appends reach this process's viewers at once through the hub. A single process
has no one to take over its jobs, so leases do nothing here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from .broker import Broker
from .model import Appended, Entry, Events, Snapshot, Status, new_job_id


@dataclass
class _Job:
    snapshot: Snapshot
    entries: list[Entry] = field(default_factory=list)
    expiry: asyncio.TimerHandle | None = None


class EmbeddedBroker(Broker):
    """Jobs in a dict; a finished job is forgotten ``job_ttl`` seconds later."""

    def __init__(self, *, job_ttl: float) -> None:
        super().__init__()
        self._job_ttl = job_ttl
        self._jobs: dict[str, _Job] = {}

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Forget every job."""
        await super().close()
        for job in self._jobs.values():
            if job.expiry is not None:
                job.expiry.cancel()
        self._jobs.clear()

    async def create(self, interval: float, lease: float) -> Snapshot:
        """Store a new queued job."""
        now = _now_ms()
        snapshot = Snapshot(new_job_id(), Status.QUEUED, now, now, interval)
        self._jobs[snapshot.id] = _Job(snapshot)
        return snapshot

    async def get(self, job_id: str) -> Snapshot | None:
        """The job's snapshot, or None."""
        job = self._jobs.get(job_id)
        return None if job is None else job.snapshot

    async def recent(self, limit: int) -> list[Snapshot]:
        """The newest ``limit`` jobs (a dict keeps them in creation order)."""
        newest: list[Snapshot] = []
        for job in reversed(self._jobs.values()):
            if len(newest) == limit:
                break
            newest.append(job.snapshot)
        return newest

    async def log(self, job_id: str) -> list[Entry] | None:
        """A copy of the job's log, or None."""
        job = self._jobs.get(job_id)
        return None if job is None else list(job.entries)

    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Append and publish to this process's viewers, or refuse (see ``Broker.append``)."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        last = job.snapshot.last_position
        if job.snapshot.status.finished or (after is not None and after != last):
            return Appended(done=False, snapshot=job.snapshot)
        new = [Entry(last + 1 + i, kind, data) for i, (kind, data) in enumerate(events)]
        job.entries += new
        job.snapshot = replace(
            job.snapshot, status=status, updated_ms=_now_ms(), last_position=last + len(new)
        )
        if status.finished:
            job.expiry = asyncio.get_running_loop().call_later(
                self._job_ttl, self._jobs.pop, job_id, None
            )
        self.hub.publish(job_id, new)
        return Appended(done=True, snapshot=job.snapshot)

    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Nothing to do: no other process could take these jobs over."""

    async def claim_expired(self, reason: str) -> list[str]:
        """None: a job here lives and dies with this process."""
        return []

    async def tidy(self) -> None:
        """Nothing to do: a finished job's timer forgets it."""

    def _follow(self, job_id: str) -> None:
        """Nothing to do: ``append`` publishes to the hub itself."""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
