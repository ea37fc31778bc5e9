"""What a job is made of: its status, its snapshot, and the entries of its log.

The API and events: docs/jobs.md. An entry's id is its position in the job's log
(0, 1, 2, ...), whatever the broker: the same ids as ``/stream``, so the page and
the contract suite apply to a job's stream as they are.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

CLOSE = "close"
"""The event that ends every job's log."""

_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Status(Enum):
    """Where a job is in its life; the last three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True for the statuses a job never leaves."""
        return self in _FINISHED


_FINISHED = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A job as ``GET /jobs/{id}`` shows it; times are milliseconds since the epoch (UTC)."""

    id: str
    status: Status
    created_ms: int
    updated_ms: int
    interval: float
    last_position: int = -1
    """The position of the newest entry of the log; -1 while it is empty."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of JOBS.md."""
        return {
            "id": self.id,
            "status": self.status.value,
            "created": iso_time(self.created_ms),
            "updated": iso_time(self.updated_ms),
            "interval": self.interval,
            "events": events_path(self.id),
            "last_event_id": None if self.last_position < 0 else str(self.last_position),
        }


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append did: ``done`` False means it was refused, and ``snapshot`` says why."""

    done: bool
    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of a job's log; ``position`` is also its SSE id."""

    position: int
    type: str
    data: str

    def frame(self) -> bytes:
        """The event as SSE text, with a ``data:`` line per line of data."""
        lines = "".join(f"data: {line}\r\n" for line in _lines(self.data))
        return f"id: {self.position}\r\nevent: {self.type}\r\n{lines}\r\n".encode()


Events = Sequence[tuple[str, str]]
"""Events to append: (type, data) pairs; the broker gives them their positions."""


def new_job_id() -> str:
    """A fresh job id: 16 URL-safe characters, unguessable."""
    return secrets.token_urlsafe(12)


def valid_job_id(value: str) -> bool:
    """True when ``value`` could be a job id (anything else is unknown without a look-up)."""
    return _JOB_ID.fullmatch(value) is not None


def events_path(job_id: str) -> str:
    """The URL path of a job's event stream."""
    return f"/jobs/{job_id}/events"


def iso_time(ms: int) -> str:
    """Milliseconds since the epoch as ISO 8601 UTC, e.g. ``2025-01-31T12:00:00.000Z``."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _lines(data: str) -> list[str]:
    # SSE line ends are CRLF, LF and CR; str.splitlines would also split on U+2028 and others.
    return data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
