"""The Redis broker: each job's log is a stream, its snapshot a hash, shared by all processes.

Keys (``sse-demo:`` prefix): ``job:{id}`` (hash; ``owner`` holds the digest of its
token, never shown), ``log:{id}`` (stream), ``jobs`` (sorted set in creation order,
for listing; ``made`` counts creations), ``finished`` (sorted set: finished jobs by
the time they finished, pruned to ``max_kept`` and ``job_ttl``), ``leases`` (sorted
set: the deadline of each unfinished job), ``beat`` (hash: when the lease scripts
last ran, see ``redis_scripts``), ``wake:{process}`` (a stream only this process
reads). Writes are Lua scripts (``redis_scripts``); the logs reach this process's
viewers through its one reader (``redis_reader``).
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
DEFAULT_LEASE = 10.0
DEFAULT_MAX_KEPT = 10_000


class RedisBroker(Broker):
    """Jobs in Redis Streams, shared by every process that uses the same Redis database."""

    shared = True

    def __init__(
        self,
        url: str,
        *,
        job_ttl: float,
        lease: float = DEFAULT_LEASE,
        max_kept: int = DEFAULT_MAX_KEPT,
        prefix: str = PREFIX,
    ) -> None:
        super().__init__()
        self._ttl_ms = str(max(1, round(job_ttl * 1000)))
        self._horizon_ms = _ms(lease / 2)
        """A lease's horizon: how far ahead renewals move deadlines, and the longest silence."""
        self._max_kept = str(max_kept)
        self._prefix = prefix
        self._redis = command_client(url)
        self._reader = LogReader(
            self.hub,
            reader_client(url),
            self._redis,
            log_prefix=f"{prefix}log:",
            job_prefix=f"{prefix}job:",
            counts=self,
        )
        scripts = redis_scripts
        self._create = self._redis.register_script(scripts.script(scripts.CREATE))
        self._append = self._redis.register_script(scripts.script(scripts.APPEND))
        self._claim = self._redis.register_script(scripts.script(scripts.CLAIM))
        self._expired = self._redis.register_script(scripts.script(scripts.EXPIRED))
        self._renew = self._redis.register_script(scripts.script(scripts.RENEW))
        self._prune = self._redis.register_script(scripts.script(scripts.PRUNE))

    async def start(self) -> None:
        """Start the reader; a Redis that does not answer yet is logged, not fatal."""
        self._reader.start(f"{self._prefix}wake:{secrets.token_hex(8)}")
        try:
            with translate(self):
                await self._redis.ping()
        except BrokerUnavailable as exc:
            log.warning("jobs are unavailable until Redis answers: %s", exc)

    async def close(self) -> None:
        """Stop the reader, end every watch, close the connections."""
        await self._reader.close()
        await super().close()
        await self._redis.aclose()

    async def create(self, interval: float, lease: float, *, owner: str = "") -> Snapshot:
        """Store a queued job, its place in the index and its lease, in one script."""
        job_id = new_job_id()
        keys = [self._job_key(job_id), self._key("jobs"), self._key("leases"), self._key("made")]
        with translate(self):
            fields = await self._create(keys, [job_id, repr(interval), _ms(lease), owner])
        return _snapshot(job_id, _pairs(fields))

    async def get(self, job_id: str) -> Snapshot | None:
        """The job's hash as a snapshot, or None."""
        with translate(self):
            fields = cast(dict[str, str], await self._redis.hgetall(self._job_key(job_id)))
        return _snapshot(job_id, fields) if fields else None

    async def snapshots(self, job_ids: Sequence[str]) -> list[Snapshot]:
        """The hashes of ``job_ids`` in one round trip; unknown ones left out."""
        if not job_ids:
            return []
        with translate(self):
            async with self._redis.pipeline(transaction=False) as pipe:
                for job_id in job_ids:
                    pipe.hgetall(self._job_key(job_id))
                hashes: list[dict[str, str]] = await pipe.execute()
        return [_snapshot(i, f) for i, f in zip(job_ids, hashes, strict=True) if f]

    async def owner(self, job_id: str) -> str | None:
        """The ``owner`` field of the job's hash ("" when it has none), or None."""
        with translate(self):
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.exists(self._job_key(job_id))
                pipe.hget(self._job_key(job_id), "owner")
                exists, owner = await pipe.execute()
        return (owner or "") if exists else None

    async def recent(self, limit: int) -> list[Snapshot]:
        """Newest first from the index; ids whose job has expired are dropped from it."""
        index = self._key("jobs")
        found: list[Snapshot] = []
        start = 0
        with translate(self):
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
        with translate(self):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.exists(self._job_key(job_id))
                pipe.xrange(self._log_key(job_id))
                exists, items = await pipe.execute()
        return [stream_entry(sid, fields) for sid, fields in items] if exists else None

    async def append(
        self, job_id: str, events: Events, status: Status, *, after: int | None = None
    ) -> Appended | None:
        """Run the append script (see ``Broker.append``)."""
        keys = [self._job_key(job_id), self._log_key(job_id), self._key("leases")]
        keys += [self._key("finished"), self._key("jobs")]
        args = [job_id, self._ttl_ms, self._max_kept, self._prefix, status.value]
        args += ["" if after is None else str(after)]
        args += [part for event in events for part in event]
        with translate(self):
            reply = await self._append(keys, args)
        if reply is None:
            return None
        return Appended(done=bool(reply[0]), snapshot=_snapshot(job_id, _pairs(reply[1])))

    async def renew(self, job_ids: Collection[str], lease: float) -> None:
        """Move the deadlines of the leases still held to ``lease`` s from now.

        Called on every lease tick, with no jobs too: the call itself tells Redis that
        this process is live (the ``beat`` that claims wait on after a silence).
        """
        keys = [self._key("leases"), self._key("beat")]
        with translate(self):
            await self._renew(keys, [_ms(lease), self._horizon_ms, *job_ids])

    async def claim_expired(self, reason: str, *, mine: Collection[str] = ()) -> list[str]:
        """Claim each job whose lease ran out, except ``mine``; one process wins each."""
        leases, beat = self._key("leases"), self._key("beat")
        claimed: list[str] = []
        with translate(self):
            for job_id in await self._expired([leases, beat], [100, self._horizon_ms]):
                if job_id in mine:
                    continue  # this process runs it: its renewal is on its way
                keys = [leases, self._job_key(job_id), self._log_key(job_id)]
                keys += [self._key("finished"), self._key("jobs"), beat]
                args = [job_id, self._ttl_ms, self._max_kept, self._prefix, self._horizon_ms]
                args += ["failed", reason, "close", "job failed"]
                if await self._claim(keys, args):
                    claimed.append(job_id)
        return claimed

    async def tidy(self) -> None:
        """Drop finished jobs past their TTL or ``max_kept``, then stray index entries."""
        index = self._key("jobs")
        batch = redis_scripts.TIDY_BATCH
        with translate(self):
            args: list[str | int] = [self._ttl_ms, self._max_kept, self._prefix, batch]
            await self._prune([self._key("finished"), index], args)
            oldest = cast(list[str], await self._redis.zrange(index, 0, batch - 1))
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

    def _key(self, name: str) -> str:
        return self._prefix + name

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
