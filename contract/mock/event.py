"""One event of a mock's stream: what a browser will see, and the pause the server takes first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MockEvent:
    """One event of the stream, and the seconds the server works before sending it."""

    type: str
    data: str
    id: str = ""
    """The lastEventId it carries ("" when none)."""
    kind: str | None = None
    pause: float = 0.0
