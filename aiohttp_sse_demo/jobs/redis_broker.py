"""The Redis broker: each job's log is a stream, its snapshot a hash, shared by all processes.

Keys (``sse-demo:`` prefix): ``job:{id}`` (hash), ``log:{id}`` (stream), ``jobs``
(sorted set in creation order, for listing; ``made`` counts creations), ``leases``
(sorted set: the deadline of each unfinished job), ``wake:{process}`` (a stream only
this process reads).

Fan-out: one reader task per process follows every live channel with a single
``XREAD BLOCK`` on one dedicated connection, and hands what it reads to the hub;
viewers never touch Redis. When a new job must be followed while that read is
blocked, the process adds an entry to its own wake stream, which is part of the
read, so it returns at once and the next read includes the new job.

Timeouts are set deliberately: redis-py's default 5 s socket timeout would cut a
long ``XREAD BLOCK``, so the reader's connection allows the block plus a margin;
commands get a short timeout and one immediate retry (a pooled connection may be
stale after Redis restarts), never redis-py's default of ten retries with backoff,
which would hold a request for seconds while Redis is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, cast

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import redis_scripts
from .broker import Broker, BrokerUnavailable
from .model import Appended, Entry, Events, Snapshot, Status, new_job_id

log = logging.getLogger(__name__)

PREFIX = "sse-demo:"
BLOCK_MS = 5_000
"""How long one ``XREAD`` waits for news before it is sent again."""
READ_TIMEOUT = BLOCK_MS / 1000 + 5.0
"""The reader connection's socket timeout: the block plus a margin."""
COMMAND_TIMEOUT = 3.0
CONNECT_TIMEOUT = 2.0
POOL_SIZE = 16
"""Connections for commands, shared by all requests of the process (they wait for one)."""
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
"""Pauses between the reader's attempts while Redis is unreachable."""
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisBroker(Broker):
    """Jobs in Redis Streams, shared by every process that uses the same Redis database."""

    shared = True

    def __init__(self, url: str, *, job_ttl: float, prefix: str = PREFIX) -> None:
        super().__init__()
        self._url = url
        self._ttl_ms = str(max(1, round(job_ttl * 1000)))
        self._prefix = prefix
        self._wake_key = f"{prefix}wake:{secrets.token_hex(8)}"
        self._wake_cursor = "0-0"
        self._following: set[str] | None = None
        """The jobs of the ``XREAD`` in flight, if one is."""
        self._reads = 0
        self._woken = -1
        """The number of the last read a wake was sent for (one wake per read is enough)."""
        self._wake_task: asyncio.Task[None] | None = None
        self._wanted = asyncio.Event()
        self._reader_task: asyncio.Task[None] | None = None
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=COMMAND_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
            decode_responses=True,
        )
        self._redis = aioredis.Redis.from_pool(pool)
        self._reader = aioredis.Redis.from_url(
            url,
            socket_timeout=READ_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
            single_connection_client=True,
        )
        self._create = self._redis.register_script(redis_scripts.script(redis_scripts.CREATE))
        self._append = self._redis.register_script(redis_scripts.script(redis_scripts.APPEND))
        self._claim = self._redis.register_script(redis_scripts.script(redis_scripts.CLAIM))
        self._expired = self._redis.register_script(redis_scripts.script(redis_scripts.EXPIRED))
        self._renew = self._redis.register_script(redis_scripts.script(redis_scripts.RENEW))

    async def start(self) -> None:
        """Start the reader; a Redis that does not answer yet is logged, not fatal."""
        self._reader_task = asyncio.create_task(self._read_forever())
        try:
            with _translate():
                await self._redis.ping()
        except BrokerUnavailable as exc:
            log.warning("jobs are unavailable until Redis answers: %s", exc)

    async def close(self) -> None:
        """Stop the reader, end every watch, close the connections."""
        for task in (self._reader_task, self._wake_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await super().close()
        await self._reader.aclose()
        await self._redis.aclose()

    async def create(self, interval: float, lease: float) -> Snapshot:
        """Store a queued job, its place in the index and its lease, in one script."""
        job_id = new_job_id()
        keys = [
            self._job_key(job_id),
            f"{self._prefix}jobs",
            f"{self._prefix}leases",
            f"{self._prefix}made",
        ]
        with _translate():
            fields = await self._create(keys, [job_id, repr(interval), _ms(lease)])
        return _snapshot(job_id, _pairs(fields))

    async def get(self, job_id: str) -> Snapshot | None:
        """The job's hash as a snapshot, or None."""
        with _translate():
            fields = cast(dict[str, str], await self._redis.hgetall(self._job_key(job_id)))
        return _snapshot(job_id, fields) if fields else None

    async def recent(self, limit: int) -> list[Snapshot]:
        """Newest first from the index; ids whose job has expired are dropped from it."""
        index = f"{self._prefix}jobs"
        found: list[Snapshot] = []
        start = 0
        with _translate():
            while len(found) < limit:
                ids = cast(list[str], await self._redis.zrevrange(index, start, start + limit - 1))
                if not ids:
                    break
                start += len(ids)
                async with self._redis.pipeline(transaction=False) as pipe:
                    for job_id in ids:
                        pipe.hgetall(self._job_key(job_id))
                    hashes: list[dict[str, str]] = await pipe.execute()
                gone = [job_id for job_id, fields in zip(ids, hashes, strict=True) if not fields]
                if gone:
                    await self._redis.zrem(index, *gone)
                    start -= len(gone)
                found += [_snapshot(i, f) for i, f in zip(ids, hashes, strict=True) if f]
        return found[:limit]

    async def log(self, job_id: str) -> list[Entry] | None:
        """The whole stream, read together with the job's existence."""
        with _translate():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.exists(self._job_key(job_id))
                pipe.xrange(self._log_key(job_id))
                exists, items = await pipe.execute()
        return [_entry(sid, fields) for sid, fields in items] if exists else None

    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Run the append script (see ``Broker.append``)."""
        keys = [self._job_key(job_id), self._log_key(job_id), f"{self._prefix}leases"]
        args = [job_id, self._ttl_ms, status.value, "" if after is None else str(after)]
        args += [part for event in events for part in event]
        with _translate():
            reply = await self._append(keys, args)
        if reply is None:
            return None
        return Appended(done=bool(reply[0]), snapshot=_snapshot(job_id, _pairs(reply[1])))

    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Move the deadlines of the leases still held to ``lease`` s from now."""
        if job_ids:
            with _translate():
                await self._renew([f"{self._prefix}leases"], [_ms(lease), *job_ids])

    async def claim_expired(self, reason: str) -> list[str]:
        """Claim each job whose lease ran out; the script lets only one process win each."""
        leases = f"{self._prefix}leases"
        claimed: list[str] = []
        with _translate():
            for job_id in await self._expired([leases], [100]):
                keys = [leases, self._job_key(job_id), self._log_key(job_id)]
                args = [job_id, self._ttl_ms, "failed", reason, "close", "job failed"]
                if await self._claim(keys, args):
                    claimed.append(job_id)
        return claimed

    async def tidy(self) -> None:
        """Drop up to 100 of the oldest index entries whose job has expired."""
        index = f"{self._prefix}jobs"
        with _translate():
            oldest = cast(list[str], await self._redis.zrange(index, 0, 99))
            if not oldest:
                return
            async with self._redis.pipeline(transaction=False) as pipe:
                for job_id in oldest:
                    pipe.exists(self._job_key(job_id))
                present: list[int] = await pipe.execute()
            if gone := [i for i, there in zip(oldest, present, strict=True) if not there]:
                await self._redis.zrem(index, *gone)

    def _follow(self, job_id: str) -> None:
        self._wanted.set()
        following = self._following
        if following is not None and job_id not in following and self._woken != self._reads:
            self._woken = self._reads
            self._wake_task = asyncio.create_task(self._wake())

    async def _wake(self) -> None:
        try:
            with _translate():
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.xadd(self._wake_key, {"w": "1"}, maxlen=1, approximate=False)
                    pipe.pexpire(self._wake_key, 3_600_000)
                    await pipe.execute()
        except BrokerUnavailable as exc:
            log.debug("cannot wake the reader: %s", exc)  # the reader meets the same error

    async def _read_forever(self) -> None:
        failures = 0
        while True:
            channels = self.hub.live_channels()
            if not channels:
                self._wanted.clear()
                await self._wanted.wait()
                continue
            streams = {self._log_key(c.job_id): f"0-{len(c.entries)}" for c in channels}
            streams[self._wake_key] = self._wake_cursor
            self._following = {c.job_id for c in channels}
            self._reads += 1
            try:
                with _translate():
                    reply = cast(
                        Sequence[Any],
                        await self._reader.xread(streams, block=BLOCK_MS),  # type: ignore[arg-type]
                    )
            except Exception as exc:
                if not isinstance(exc, BrokerUnavailable):
                    log.exception("the job log reader failed; ending job streams, retrying")
                elif not failures:
                    log.warning("lost Redis (%s); ending job streams, retrying", exc)
                self.hub.break_all()
                await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1
                continue
            finally:
                self._following = None
            if failures:
                log.info("Redis is back")
                failures = 0
            self._deliver(reply or [])

    def _deliver(self, reply: Sequence[Any]) -> None:
        log_prefix = f"{self._prefix}log:"
        for key, items in reply:
            if key == self._wake_key:
                self._wake_cursor = items[-1][0]
            elif key.startswith(log_prefix):
                self.hub.publish(
                    key[len(log_prefix) :], [_entry(sid, fields) for sid, fields in items]
                )

    def _job_key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

    def _log_key(self, job_id: str) -> str:
        return f"{self._prefix}log:{job_id}"


@contextlib.contextmanager
def _translate() -> Iterator[None]:
    """Around redis-py calls: errors of a Redis that is down become ``BrokerUnavailable``.

    redis-py can lose a cancellation that lands while a command is in flight (the
    command then returns or fails as if nothing happened: redis/redis-py#2028), which
    would leave a stopping task running; so a cancelled task is made to stop here.
    """
    try:
        yield
    except _DOWN as exc:
        _stop_if_cancelled()
        raise BrokerUnavailable(f"Redis is unavailable: {exc}") from exc
    _stop_if_cancelled()


def _stop_if_cancelled() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _ms(seconds: float) -> str:
    return str(max(0, round(seconds * 1000)))


def _pairs(flat: Sequence[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _snapshot(job_id: str, fields: Mapping[str, str]) -> Snapshot:
    return Snapshot(
        id=job_id,
        status=Status(fields["status"]),
        created_ms=int(fields["created"]),
        updated_ms=int(fields["updated"]),
        interval=float(fields["interval"]),
        last_position=int(fields["last"]),
    )


def _entry(stream_id: str, fields: Mapping[str, str]) -> Entry:
    return Entry(int(stream_id.partition("-")[2]) - 1, fields["type"], fields["data"])
