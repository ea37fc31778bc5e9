"""The jobs this process runs: the two simulated tasks writing to a job's log as they work.

A runner is plain async code over the broker: it appends each group of events of
the ``/stream`` script (``tasks.batches``) when its work is done, and follows its
own job's log, so a ``close`` written by anyone (a cancel here or in another
process, or a claim after its lease ran out) stops it at once. Its leases are kept
by ``leases.LeaseKeeper`` (a shared broker only).

While the broker is unreachable a runner keeps its job and retries its write for up
to ``OUTAGE_PATIENCE``; each write says which position it follows (``after``), so a
write whose reply was lost is recognised on the retry and nothing is written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Collection

from aiohttp_sse_demo.settings import Settings
from aiohttp_sse_demo.tasks import batches

from .broker import Broker
from .errors import OUTAGE_PATIENCE, RETRY_DELAYS, BrokerUnavailable, JobsFull, retry_delay
from .leases import LeaseKeeper
from .model import CLOSE, Appended, Events, Snapshot, Status
from .tokens import digest, new_token

log = logging.getLogger(__name__)

CANCELLED = "cancelled"
FAILED = "failed"
CANCELLED_BY_CLIENT = "cancelled by a client (DELETE)"
CANCELLED_AT_SHUTDOWN = "cancelled: the server is shutting down"
HANDOVER_TIMEOUT = 0.5
"""Seconds shutdown waits to hand its jobs over (within the 1 s of ``--shutdown-grace``)."""


class Jobs:
    """Start, cancel and run jobs; keep this process's leases; fail the jobs of dead runners."""

    def __init__(self, broker: Broker, settings: Settings) -> None:
        self.broker = broker
        self.limit = settings.max_jobs
        self.admin_digest = digest(settings.admin_token) if settings.admin_token else ""
        self._interval = float(settings.interval)
        self._lease = settings.lease
        self._running: dict[str, asyncio.Task[None]] = {}
        self._starting = 0
        self._chores: list[asyncio.Task[None]] = []
        self.stopping = False
        """True once shutdown began (viewers' streams then end for that reason)."""
        self.leases = LeaseKeeper(broker, settings.lease, self._running.keys)
        self.started = 0
        """Jobs this process has started."""
        self.finished: Counter[Status] = Counter()
        """Jobs this process has ended, by final status (its runners, cancels, claims)."""

    @property
    def default_interval(self) -> float:
        """The work interval of a job whose request names none (``--interval``)."""
        return self._interval

    def __len__(self) -> int:
        return len(self._running)

    @property
    def starting(self) -> int:
        """Jobs being stored, not yet running."""
        return self._starting

    async def start(self) -> None:
        """Start the broker, and the lease chore when other processes share it."""
        await self.broker.start()
        if self.broker.shared:
            self._chores = [asyncio.create_task(self.leases.run())]

    async def submit(self, interval: float) -> tuple[Snapshot, str]:
        """Store a new job and start running it here: its snapshot and its token.

        ``JobsFull`` at ``--max-jobs``.
        """
        if len(self._running) + self._starting >= self.limit:
            raise JobsFull
        token = new_token()
        self._starting += 1
        try:
            snapshot = await self.broker.create(interval, self._lease / 2, owner=digest(token))
        finally:
            self._starting -= 1
        self.started += 1
        self._running[snapshot.id] = asyncio.create_task(self._run(snapshot.id, interval))
        return snapshot, token

    async def cancel(self, job_id: str) -> Appended | None:
        """Write ``cancelled`` + ``close``; the runner, wherever it is, sees it and stops."""
        events = [("cancelled", CANCELLED_BY_CLIENT), (CLOSE, "job cancelled")]
        result = await self.broker.append(job_id, events, Status.CANCELLED)
        if result is not None and result.done:
            self.finished[Status.CANCELLED] += 1
        return result

    async def stop(self) -> None:
        """At shutdown: stop the runners; cancel their jobs, or leave them to the lease rule."""
        self.stopping = True
        for chore in self._chores:
            chore.cancel()
        runners = dict(self._running)
        for task in runners.values():
            task.cancel()
        await asyncio.gather(*self._chores, *runners.values(), return_exceptions=True)
        try:
            async with asyncio.timeout(HANDOVER_TIMEOUT):
                await self._hand_over(runners)
        except (BrokerUnavailable, TimeoutError) as exc:
            log.warning("could not hand over %d job(s): %r", len(runners), exc)
        self.broker.hub.break_all()

    async def _hand_over(self, runners: Collection[str]) -> None:
        if self.broker.shared:
            # Due now: the next sweep of any process fails them (this one's included,
            # should it come back); they are not cancelled, since no one asked for that.
            await self.broker.renew(runners, 0)
        else:
            events = [("cancelled", CANCELLED_AT_SHUTDOWN), (CLOSE, "job cancelled")]
            for job_id in runners:
                result = await self.broker.append(job_id, events, Status.CANCELLED)
                if result is not None and result.done:
                    self.finished[Status.CANCELLED] += 1

    async def _run(self, job_id: str, interval: float) -> None:
        work = asyncio.create_task(self._work(job_id, interval))
        watch = asyncio.create_task(self._until_closed(job_id))
        try:
            await asyncio.wait((work, watch), return_when=asyncio.FIRST_COMPLETED)
        finally:
            work.cancel()
            watch.cancel()
            await asyncio.gather(work, watch, return_exceptions=True)
            del self._running[job_id]
        if not work.cancelled() and (error := work.exception()) is not None:
            await self._runner_failed(job_id, error)

    async def _work(self, job_id: str, interval: float) -> None:
        last = -1
        for group in batches(-1, merge_work=interval == 0):
            if group[0].work_before:
                await asyncio.sleep(interval)
            status = Status.SUCCEEDED if group[-1].type == CLOSE else Status.RUNNING
            written = await self._write(job_id, [(s.type, s.data) for s in group], status, last)
            if written is None:
                return
            last = written
        self.finished[Status.SUCCEEDED] += 1

    async def _write(self, job_id: str, events: Events, status: Status, after: int) -> int | None:
        """Append as the runner: the new last position, or None once the job ended elsewhere.

        While the broker is unreachable the write is retried for up to ``OUTAGE_PATIENCE``;
        a write whose reply was lost shows up as a log that already ends with it.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + OUTAGE_PATIENCE
        attempt = 0
        while True:
            try:
                result = await self.broker.append(job_id, events, status, after=after)
            except BrokerUnavailable:
                delay = retry_delay(attempt)
                if loop.time() + delay > give_up:
                    raise
                attempt += 1
                await asyncio.sleep(delay)
                continue
            if result is None:
                return None
            snapshot = result.snapshot
            written = snapshot.last_position == after + len(events)
            if result.done or (written and snapshot.status is status):
                return snapshot.last_position
            return None

    async def _until_closed(self, job_id: str) -> None:
        """Return once the job's log holds ``close`` (or the job is gone)."""
        while True:
            with contextlib.suppress(BrokerUnavailable):
                async with self.broker.watch(job_id) as channel:
                    if channel is None:
                        return
                    while not channel.closed and not channel.broken:
                        await channel.wait_beyond(len(channel.entries) - 1)
                    if channel.closed:
                        return
            await asyncio.sleep(RETRY_DELAYS[-1])

    async def _runner_failed(self, job_id: str, error: BaseException) -> None:
        if isinstance(error, BrokerUnavailable):
            log.warning(
                "job %s: the job store stayed unreachable (%s); left to the lease rule",
                job_id,
                error,
            )
            return
        log.error("job %s: its runner failed", job_id, exc_info=error)
        events = [(FAILED, f"runner error: {type(error).__name__}"), (CLOSE, "job failed")]
        with contextlib.suppress(BrokerUnavailable):
            result = await self.broker.append(job_id, events, Status.FAILED)
            if result is not None and result.done:
                self.finished[Status.FAILED] += 1
