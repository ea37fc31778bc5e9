"""The run's events framed for the wire once per app, not once per connection.

Every connection that resumes after the same id sends the same bytes, so the
frames for each resume point are built when the app is created. Events due at
the same moment go out in one write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .tasks import LAST_ID, Step, batches

SEPARATOR = "\r\n"
"""The line ending aiohttp-sse uses by default; the contract accepts any of the three."""


@dataclass(frozen=True, slots=True)
class Frame:
    """Bytes to write at one moment, and whether a unit of work comes first."""

    work_before: bool
    data: bytes
    events: int = 0
    """How many events ``data`` holds."""


def encode(steps: Iterable[Step], sep: str = SEPARATOR) -> bytes:
    """Frame steps as ``id``/``event``/``data`` blocks, each ended by a blank line."""
    return "".join(
        f"id: {s.id}{sep}event: {s.type}{sep}data: {s.data}{sep}{sep}" for s in steps
    ).encode()


def build_table(*, merge_work: bool) -> tuple[tuple[Frame, ...], ...]:
    """Frames for every resume point: index ``n + 1`` holds what follows id ``n``."""
    return tuple(
        tuple(
            Frame(group[0].work_before, encode(group), len(group))
            for group in batches(after, merge_work=merge_work)
        )
        for after in range(-1, LAST_ID)
    )
