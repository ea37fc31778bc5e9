"""How the Redis broker talks to redis-py: clients with deliberate timeouts, errors translated.

redis-py's defaults do not fit: its 5 s socket timeout would cut a long ``XREAD
BLOCK``, so the reader's connection allows the block plus a margin; and its ten
retries with backoff would hold a request for seconds while Redis is down, so
commands get a short timeout and one immediate retry (a pooled connection may be
stale after Redis restarts).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .errors import BrokerUnavailable
from .model import Entry

BLOCK_MS = 5_000
"""How long one ``XREAD`` waits for news before it is sent again."""
READ_TIMEOUT = BLOCK_MS / 1000 + 5.0
"""The reader connection's socket timeout: the block plus a margin."""
COMMAND_TIMEOUT = 3.0
CONNECT_TIMEOUT = 2.0
POOL_SIZE = 16
"""Connections for commands, shared by all requests of the process (they wait for one)."""
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ErrorCount(Protocol):
    """Where ``translate`` counts the errors of a Redis that is down (``/metrics``)."""

    errors: int


def command_client(url: str) -> aioredis.Redis:
    """The client for commands: a bounded pool, short timeouts, one immediate retry."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_SIZE,
        timeout=COMMAND_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(NoBackoff(), 1),
        decode_responses=True,
    )
    return aioredis.Redis.from_pool(pool)


def reader_client(url: str) -> aioredis.Redis:
    """The reader's client: one connection whose timeout outlasts ``XREAD BLOCK``; no retry."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=READ_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
        single_connection_client=True,
    )


@contextlib.contextmanager
def translate(counts: ErrorCount | None = None) -> Iterator[None]:
    """Around redis-py calls: errors of a Redis that is down become ``BrokerUnavailable``.

    redis-py can lose a cancellation that lands while a command is in flight (the
    command then returns or fails as if nothing happened: redis/redis-py#2028), which
    would leave a stopping task running; so a cancelled task is made to stop here.
    """
    try:
        yield
    except _DOWN as exc:
        if counts is not None:
            counts.errors += 1
        _stop_if_cancelled()
        raise BrokerUnavailable(f"Redis is unavailable: {exc}") from exc
    _stop_if_cancelled()


def stream_entry(stream_id: str, fields: Mapping[str, str]) -> Entry:
    """A log entry from a stream entry: stream id ``0-(n+1)`` is position ``n``."""
    return Entry(int(stream_id.partition("-")[2]) - 1, fields["type"], fields["data"])


def _stop_if_cancelled() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
