"""The embedded broker: jobs in this process's memory, lost when it stops.

Every method runs without awaiting anything, so each is atomic on the event loop.
Appends reach this process's viewers at once through the hub. A single process
has no one to take over its jobs, so leases do nothing here.

Finished jobs are kept in the order they finished, which is also the order they
expire in (one ``job_ttl`` for all): each call first drops those past their time
and those beyond ``max_kept``, from the oldest, so memory stays bounded however
fast jobs are made and finish, with no timer per job.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from .broker import Broker
from .model import Appended, Entry, Events, Snapshot, Status, new_job_id

DEFAULT_MAX_KEPT = 10_000


@dataclass(slots=True)
class _Job:
    snapshot: Snapshot
    owner: str = ""
    entries: list[Entry] = field(default_factory=list)


class EmbeddedBroker(Broker):
    """Jobs in a dict; a finished job is forgotten after ``job_ttl`` s or ``max_kept`` newer."""

    def __init__(self, *, job_ttl: float, max_kept: int = DEFAULT_MAX_KEPT) -> None:
        super().__init__()
        self._job_ttl = job_ttl
        self._max_kept = max_kept
        self._jobs: dict[str, _Job] = {}
        self._finished: dict[str, float] = {}
        """Finished jobs, oldest first, with the monotonic time each expires at."""

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Forget every job."""
        await super().close()
        self._jobs.clear()
        self._finished.clear()

    def __len__(self) -> int:
        return len(self._jobs)

    def counts(self) -> dict[Status, int] | None:
        """How many jobs this store holds, by status."""
        self._prune()
        counts = dict.fromkeys(Status, 0)
        for job in self._jobs.values():
            counts[job.snapshot.status] += 1
        return counts

    async def create(self, interval: float, lease: float, *, owner: str = "") -> Snapshot:
        """Store a new queued job."""
        self._prune()
        now = _now_ms()
        snapshot = Snapshot(new_job_id(), Status.QUEUED, now, now, interval)
        self._jobs[snapshot.id] = _Job(snapshot, owner)
        return snapshot

    async def get(self, job_id: str) -> Snapshot | None:
        """The job's snapshot, or None."""
        job = self._job(job_id)
        return None if job is None else job.snapshot

    async def snapshots(self, job_ids: Sequence[str]) -> list[Snapshot]:
        """The snapshots of the known ones of ``job_ids``."""
        jobs = (self._job(job_id) for job_id in job_ids)
        return [job.snapshot for job in jobs if job is not None]

    async def owner(self, job_id: str) -> str | None:
        """The digest of the job's token, or None."""
        job = self._job(job_id)
        return None if job is None else job.owner

    async def recent(self, limit: int) -> list[Snapshot]:
        """The newest ``limit`` jobs (a dict keeps them in creation order)."""
        self._prune()
        newest: list[Snapshot] = []
        for job in reversed(self._jobs.values()):
            if len(newest) == limit:
                break
            newest.append(job.snapshot)
        return newest

    async def log(self, job_id: str) -> list[Entry] | None:
        """A copy of the job's log, or None."""
        job = self._job(job_id)
        return None if job is None else list(job.entries)

    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Append and publish to this process's viewers, or refuse (see ``Broker.append``)."""
        job = self._job(job_id)
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
            self._finished[job_id] = time.monotonic() + self._job_ttl
            self._prune()
        self.hub.publish(job_id, new)
        return Appended(done=True, snapshot=job.snapshot)

    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Nothing to do: no other process could take these jobs over."""

    async def claim_expired(self, reason: str, *, mine: Collection[str] = ()) -> list[str]:
        """None: a job here lives and dies with this process."""
        return []

    async def tidy(self) -> None:
        """Drop the finished jobs past their time or beyond ``max_kept``."""
        self._prune()

    def _follow(self, job_id: str) -> None:
        """Nothing to do: ``append`` publishes to the hub itself."""

    def _job(self, job_id: str) -> _Job | None:
        self._prune()
        return self._jobs.get(job_id)

    def _prune(self) -> None:
        finished = self._finished
        if not finished:
            return
        now = time.monotonic()
        while finished:
            oldest = next(iter(finished))
            if len(finished) <= self._max_kept and finished[oldest] > now:
                return
            del finished[oldest]
            self._jobs.pop(oldest, None)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
