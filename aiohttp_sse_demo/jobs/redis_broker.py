"""The Redis broker: each job's log is a stream, its snapshot a hash, shared by all processes.

Keys (``sse-demo:`` prefix): ``job:{id}`` (hash), ``log:{id}`` (stream), ``jobs``
(sorted set in creation order, for listing; ``made`` counts creations), ``leases``
(sorted set: the deadline of each unfinished job), ``wake:{process}`` (a stream only
this process reads). Writes are Lua scripts (``redis_scripts``); the logs reach this
process's viewers through its one reader (``redis_reader``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import cast

from . import redis_scripts
from .broker import Broker
from .errors import BrokerUnavailable
from .model import Appended, Entry, Events, Snapshot, Status, new_job_id
from .redis_clients import command_client, reader_client, stream_entry, translate
from .redis_reader import LogReader

log = logging.getLogger(__name__)

PREFIX = "sse-demo:"


class RedisBroker(Broker):
    """Jobs in Redis Streams, shared by every process that uses the same Redis database."""

    shared = True

    def __init__(self, url: str, *, job_ttl: float, prefix: str = PREFIX) -> None:
        super().__init__()
        self._ttl_ms = str(max(1, round(job_ttl * 1000)))
        self._prefix = prefix
        self._redis = command_client(url)
        self._reader = LogReader(
            self.hub, reader_client(url), self._redis, log_prefix=f"{prefix}log:"
        )
        self._create = self._redis.register_script(redis_scripts.script(redis_scripts.CREATE))
        self._append = self._redis.register_script(redis_scripts.script(redis_scripts.APPEND))
        self._claim = self._redis.register_script(redis_scripts.script(redis_scripts.CLAIM))
        self._expired = self._redis.register_script(redis_scripts.script(redis_scripts.EXPIRED))
        self._renew = self._redis.register_script(redis_scripts.script(redis_scripts.RENEW))

    async def start(self) -> None:
        """Start the reader; a Redis that does not answer yet is logged, not fatal."""
        self._reader.start(f"{self._prefix}wake:{secrets.token_hex(8)}")
        try:
            with translate():
                await self._redis.ping()
        except BrokerUnavailable as exc:
            log.warning("jobs are unavailable until Redis answers: %s", exc)

    async def close(self) -> None:
        """Stop the reader, end every watch, close the connections."""
        await self._reader.close()
        await super().close()
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
        with translate():
            fields = await self._create(keys, [job_id, repr(interval), _ms(lease)])
        return _snapshot(job_id, _pairs(fields))

    async def get(self, job_id: str) -> Snapshot | None:
        """The job's hash as a snapshot, or None."""
        with translate():
            fields = cast(dict[str, str], await self._redis.hgetall(self._job_key(job_id)))
        return _snapshot(job_id, fields) if fields else None

    async def recent(self, limit: int) -> list[Snapshot]:
        """Newest first from the index; ids whose job has expired are dropped from it."""
        index = f"{self._prefix}jobs"
        found: list[Snapshot] = []
        start = 0
        with translate():
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
        with translate():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.exists(self._job_key(job_id))
                pipe.xrange(self._log_key(job_id))
                exists, items = await pipe.execute()
        return [stream_entry(sid, fields) for sid, fields in items] if exists else None

    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Run the append script (see ``Broker.append``)."""
        keys = [self._job_key(job_id), self._log_key(job_id), f"{self._prefix}leases"]
        args = [job_id, self._ttl_ms, status.value, "" if after is None else str(after)]
        args += [part for event in events for part in event]
        with translate():
            reply = await self._append(keys, args)
        if reply is None:
            return None
        return Appended(done=bool(reply[0]), snapshot=_snapshot(job_id, _pairs(reply[1])))

    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Move the deadlines of the leases still held to ``lease`` s from now."""
        if job_ids:
            with translate():
                await self._renew([f"{self._prefix}leases"], [_ms(lease), *job_ids])

    async def claim_expired(self, reason: str) -> list[str]:
        """Claim each job whose lease ran out; the script lets only one process win each."""
        leases = f"{self._prefix}leases"
        claimed: list[str] = []
        with translate():
            for job_id in await self._expired([leases], [100]):
                keys = [leases, self._job_key(job_id), self._log_key(job_id)]
                args = [job_id, self._ttl_ms, "failed", reason, "close", "job failed"]
                if await self._claim(keys, args):
                    claimed.append(job_id)
        return claimed

    async def tidy(self) -> None:
        """Drop up to 100 of the oldest index entries whose job has expired."""
        index = f"{self._prefix}jobs"
        with translate():
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
        self._reader.follow(job_id)

    def _job_key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

    def _log_key(self, job_id: str) -> str:
        return f"{self._prefix}log:{job_id}"


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
