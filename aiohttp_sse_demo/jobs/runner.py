"""The jobs this process runs: the two simulated tasks writing to a job's log as they work.

A runner is plain async code over the broker: it appends each group of events of
the ``/stream`` script (``tasks.batches``) when its work is done, and follows its
own job's log, so a ``close`` written by anyone (a cancel here or in another
process, or a claim after its lease ran out) stops it at once.

Leases (a shared broker only): every ``lease / 4`` seconds this process moves the
deadline of each job it runs to ``lease / 2`` seconds ahead, and looks for jobs
whose deadline has passed, which it fails (``failed`` + ``close``) through the
broker's atomic claim. A runner that dies at time t renewed its lease after
t - lease/4, so its deadline is before t + lease/2, and a live process claims it
by t + 3/4 lease: within ``--lease`` seconds, while a process that merely missed
one renewal keeps its jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection

from aiohttp_sse_demo.settings import Settings
from aiohttp_sse_demo.tasks import batches

from .broker import Broker
from .errors import RETRY_DELAYS, BrokerUnavailable, JobsFull, retry_delay
from .model import CLOSE, Appended, Events, Snapshot, Status

log = logging.getLogger(__name__)

CANCELLED = "cancelled"
FAILED = "failed"
CANCELLED_BY_CLIENT = "cancelled by a client (DELETE)"
CANCELLED_AT_SHUTDOWN = "cancelled: the server is shutting down"
RUNNER_LOST = "its runner stopped: the process running it did not renew its lease"
HANDOVER_TIMEOUT = 0.5
"""Seconds shutdown waits to hand its jobs over (within the 1 s of ``--shutdown-grace``)."""


class Jobs:
    """Start, cancel and run jobs; keep this process's leases; fail the jobs of dead runners."""

    def __init__(self, broker: Broker, settings: Settings) -> None:
        self.broker = broker
        self.limit = settings.max_jobs
        self._interval = float(settings.interval)
        self._lease = settings.lease
        self._running: dict[str, asyncio.Task[None]] = {}
        self._starting = 0
        self._chores: list[asyncio.Task[None]] = []

    @property
    def default_interval(self) -> float:
        """The work interval of a job whose request names none (``--interval``)."""
        return self._interval

    def __len__(self) -> int:
        return len(self._running)

    async def start(self) -> None:
        """Start the broker, and the lease chores when other processes share it."""
        await self.broker.start()
        if self.broker.shared:
            self._chores = [
                asyncio.create_task(self._keep_leases()),
                asyncio.create_task(self._housekeeping()),
            ]

    async def submit(self, interval: float) -> Snapshot:
        """Store a new job and start running it here; ``JobsFull`` at ``--max-jobs``."""
        if len(self._running) + self._starting >= self.limit:
            raise JobsFull
        self._starting += 1
        try:
            snapshot = await self.broker.create(interval, self._lease / 2)
        finally:
            self._starting -= 1
        self._running[snapshot.id] = asyncio.create_task(self._run(snapshot.id, interval))
        return snapshot

    async def cancel(self, job_id: str) -> Appended | None:
        """Write ``cancelled`` + ``close``; the runner, wherever it is, sees it and stops."""
        events = [("cancelled", CANCELLED_BY_CLIENT), (CLOSE, "job cancelled")]
        return await self.broker.append(job_id, events, Status.CANCELLED)

    async def stop(self) -> None:
        """At shutdown: stop the runners; cancel their jobs, or leave them to the lease rule."""
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
                await self.broker.append(job_id, events, Status.CANCELLED)

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

    async def _write(self, job_id: str, events: Events, status: Status, after: int) -> int | None:
        """Append as the runner: the new last position, or None once the job ended elsewhere.

        While the broker is unreachable the write is retried for up to a lease; a write
        whose reply was lost shows up as a log that already ends with it.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._lease
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
            mine = not snapshot.status.finished and snapshot.last_position == after + len(events)
            return snapshot.last_position if result.done or mine else None

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
            await self.broker.append(job_id, events, Status.FAILED)

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 4)
            try:
                await self.broker.renew(list(self._running), self._lease / 2)
            except BrokerUnavailable as exc:
                log.warning("cannot renew the leases of %d job(s): %s", len(self._running), exc)

    async def _housekeeping(self) -> None:
        """Fail the jobs of dead runners; tidy what expired jobs left."""
        while True:
            await asyncio.sleep(self._lease / 4)
            try:
                for job_id in await self.broker.claim_expired(RUNNER_LOST):
                    log.warning("job %s: its runner's lease ran out; marked failed", job_id)
                await self.broker.tidy()
            except BrokerUnavailable as exc:
                log.debug("cannot look for expired leases or tidy: %s", exc)
