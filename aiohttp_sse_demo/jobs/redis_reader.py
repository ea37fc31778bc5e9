"""The Redis broker's single reader: one ``XREAD BLOCK`` for every job this process watches.

It follows every live channel of the hub, each at its own position, on one
dedicated connection, and hands what it reads to the hub; viewers never read Redis.
When a new job must be followed while that read is blocked, the process adds an
entry to its own wake stream, which is part of the read, so it returns at once and
the next read includes the new job.

If Redis stops answering, the reader retries with backoff and the channels stay as
they are: viewers keep their responses (with keep-alive comments) and, once Redis
answers again, the next read continues each log where its channel stopped, so no
event is lost or sent twice. Then the jobs are checked: a Redis that came back
without a job (restarted empty) ends that job's viewers cleanly. An outage longer
than ``OUTAGE_PATIENCE`` ends every viewer (an EventSource reconnects later).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, cast

import redis.asyncio as aioredis

from .errors import OUTAGE_PATIENCE, BrokerUnavailable, retry_delay
from .fanout import Hub
from .redis_clients import BLOCK_MS, ErrorCount, stream_entry, translate

log = logging.getLogger(__name__)

WAKE_TTL_MS = 3_600_000
"""A wake stream left by a process that died disappears after an hour."""
WAKE_AT_CLOSE_TIMEOUT = 0.5
"""Seconds closing waits to wake a blocked read (Redis may not answer)."""


class LogReader:
    """Reads the logs of the hub's live channels and publishes what it reads to the hub."""

    def __init__(
        self,
        hub: Hub,
        reader: aioredis.Redis,
        commands: aioredis.Redis,
        *,
        log_prefix: str,
        job_prefix: str,
        counts: ErrorCount | None = None,
    ) -> None:
        self._hub = hub
        self._counts = counts
        self._reader = reader
        self._commands = commands
        self._log_prefix = log_prefix
        self._job_prefix = job_prefix
        self.wake_key = ""
        self._wake_cursor = "0-0"
        self._following: set[str] | None = None
        """The jobs of the ``XREAD`` in flight, if one is."""
        self._reads = 0
        self._woken = -1
        """The number of the last read a wake was sent for (one wake per read is enough)."""
        self._wanted = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, wake_key: str) -> None:
        """Start reading; ``wake_key`` names this process's wake stream."""
        self.wake_key = wake_key
        self._spawn(self._read_forever())

    async def close(self) -> None:
        """Stop reading (and any wake in flight).

        redis-py can hold a cancelled ``XREAD BLOCK`` until the block ends (5 s; see
        ``redis_clients.translate``): a wake makes it return at once.
        """
        for task in list(self._tasks):
            task.cancel()
        if self._following is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WAKE_AT_CLOSE_TIMEOUT):
                    await self._wake()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._reader.aclose()

    def follow(self, job_id: str) -> None:
        """A channel became live: make sure the next read includes it."""
        self._wanted.set()
        following = self._following
        if following is not None and job_id not in following and self._woken != self._reads:
            self._woken = self._reads
            self._spawn(self._wake())

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _wake(self) -> None:
        try:
            with translate(self._counts):
                async with self._commands.pipeline(transaction=False) as pipe:
                    pipe.xadd(self.wake_key, {"w": "1"}, maxlen=1, approximate=False)
                    pipe.pexpire(self.wake_key, WAKE_TTL_MS)
                    await pipe.execute()
        except BrokerUnavailable as exc:
            log.debug("cannot wake the reader: %s", exc)  # the reader meets the same error

    async def _read_forever(self) -> None:
        failures = 0
        lost_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            channels = self._hub.live_channels()
            if not channels:
                self._wanted.clear()
                await self._wanted.wait()
                continue
            streams = {self._log_prefix + c.job_id: f"0-{len(c.entries)}" for c in channels}
            streams[self.wake_key] = self._wake_cursor
            self._following = {c.job_id for c in channels}
            self._reads += 1
            try:
                if failures:
                    await self._check_jobs()
                with translate(self._counts):
                    reply = cast(
                        Sequence[Any],
                        await self._reader.xread(streams, block=BLOCK_MS),  # type: ignore[arg-type]
                    )
            except Exception as exc:
                if not failures:
                    lost_at = loop.time()
                    if isinstance(exc, BrokerUnavailable):
                        log.warning("lost Redis (%s); job viewers wait, retrying", exc)
                    else:
                        log.exception("the job log reader failed; retrying")
                if loop.time() - lost_at > OUTAGE_PATIENCE and self._hub.channels:
                    log.warning("Redis is still unavailable; ending job streams")
                    self._hub.break_all()
                await asyncio.sleep(retry_delay(failures))
                failures += 1
                continue
            finally:
                self._following = None
            if failures:
                log.info("Redis is back after %.1f s", loop.time() - lost_at)
                failures = 0
            self._deliver(reply or [])

    async def _check_jobs(self) -> None:
        """After an outage: end the viewers of jobs that Redis no longer holds."""
        channels = self._hub.live_channels()
        if not channels:
            return
        with translate(self._counts):
            async with self._commands.pipeline(transaction=False) as pipe:
                for channel in channels:
                    pipe.exists(self._job_prefix + channel.job_id)
                present: list[int] = await pipe.execute()
        gone = [c for c, there in zip(channels, present, strict=True) if not there]
        if gone:
            log.warning(
                "Redis came back without %d watched job(s) (restarted empty?); "
                "ending their viewers",
                len(gone),
            )
        for channel in gone:
            self._hub.drop(channel)

    def _deliver(self, reply: Sequence[Any]) -> None:
        for key, items in reply:
            if key == self.wake_key:
                self._wake_cursor = items[-1][0]
            elif key.startswith(self._log_prefix):
                entries = [stream_entry(sid, fields) for sid, fields in items]
                self._hub.publish(key[len(self._log_prefix) :], entries)
