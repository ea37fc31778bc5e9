"""The one seam of the jobs subsystem: an append-only log per job, plus its snapshot.

Two implementations: ``EmbeddedBroker`` (``memory.py``, process memory, the default)
and ``RedisBroker`` (``redis_broker.py``, Redis Streams, shared by any number of
processes). This module imports neither: ``routes.open_broker``, where the app is
assembled, picks one, and nothing else knows which one runs. Every write goes
through ``append``, which is atomic: it gives the events their positions, refuses
to write after ``close``, and (with ``after``) refuses a write that does not
follow the position the writer last saw.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager

from .fanout import Channel, Hub
from .model import Appended, Entry, Events, Snapshot, Status

__all__ = ["Broker"]


class Broker(ABC):
    """Where jobs live: snapshots, logs, leases, and the in-process fan-out of logs."""

    shared: bool = False
    """True when other processes see the same jobs (then leases matter)."""

    def __init__(self) -> None:
        self.hub = Hub(self.log, self._follow)
        self.errors = 0
        """Calls that failed because the broker could not be reached (``/metrics``)."""

    def counts(self) -> dict[Status, int] | None:
        """How many jobs this process holds, by status; None when they live elsewhere."""
        return None

    @abstractmethod
    async def start(self) -> None:
        """Begin serving (connections, reader tasks)."""

    async def close(self) -> None:
        """End every watch and release what ``start`` took."""
        await self.hub.close()

    def watch(self, job_id: str) -> AbstractAsyncContextManager[Channel | None]:
        """Follow a job's log in this process (its channel), or None for an unknown job."""
        return self.hub.watch(job_id)

    @abstractmethod
    async def create(self, interval: float, lease: float, *, owner: str = "") -> Snapshot:
        """Store a new queued job with an empty log, held by this process for ``lease`` s.

        ``owner`` is the digest of the job's token (``tokens.digest``), kept beside the
        snapshot and never shown in it.
        """

    @abstractmethod
    async def get(self, job_id: str) -> Snapshot | None:
        """A job's snapshot, or None when it is unknown (or expired)."""

    @abstractmethod
    async def snapshots(self, job_ids: Sequence[str]) -> list[Snapshot]:
        """The snapshots of the known ones of ``job_ids``, in that order."""

    @abstractmethod
    async def owner(self, job_id: str) -> str | None:
        """The digest of a job's token ("" when it has none), or None for an unknown job."""

    @abstractmethod
    async def recent(self, limit: int) -> list[Snapshot]:
        """Up to ``limit`` jobs, newest first."""

    @abstractmethod
    async def log(self, job_id: str) -> list[Entry] | None:
        """A job's whole log, or None when the job is unknown."""

    @abstractmethod
    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Append ``events`` and set ``status``, atomically; None for an unknown job.

        Refused (``done`` False) when the job has finished, or when ``after`` is given and
        the log's last position is not ``after``. A final status starts the job's TTL.
        """

    @abstractmethod
    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Extend this process's leases on ``job_ids`` to ``lease`` s from now."""

    @abstractmethod
    async def claim_expired(self, reason: str, *, mine: Collection[str] = ()) -> list[str]:
        """Fail the jobs whose lease ran out (``failed`` + ``close``); those this call claimed.

        ``mine`` are the jobs this process runs: never claimed, whatever their deadline.
        """

    @abstractmethod
    async def tidy(self) -> None:
        """Drop what expired jobs left behind, in bounded work (now and then, every process)."""

    @abstractmethod
    def _follow(self, job_id: str) -> None:
        """A channel became live (loaded, not closed): a broker that reads logs follows it."""
