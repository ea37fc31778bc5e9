"""What a ``Last-Event-ID`` request header asks for: the full run, a resume, or nothing more.

Only a plain ASCII decimal integer counts (docs/stream-contract.md E1-E3). Anything else
(empty, signs, ``3.0``, ``1_0``, non-ASCII digits) is treated as absent. The value
is compared as digits, never through ``int()``, so an integer of any length works.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """The three answers a stream can give to a request."""

    FULL = "full"
    RESUME = "resume"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Resume:
    """The decision for one request: where to continue, and why when the header was ignored."""

    kind: Kind
    after_id: int = -1
    ignored: str | None = None


_ASCII_DIGITS = frozenset("0123456789")


def decide(header: str | None, last_id: int) -> Resume:
    """Decide what a ``Last-Event-ID`` value asks of a run whose last id is ``last_id``."""
    if header is None:
        return Resume(Kind.FULL)
    if not header or not _ASCII_DIGITS.issuperset(header):
        return Resume(Kind.FULL, ignored="not a plain decimal integer")
    significant = header.lstrip("0") or "0"
    if len(significant) > len(str(last_id)) or int(significant) >= last_id:
        return Resume(Kind.DONE)
    return Resume(Kind.RESUME, after_id=int(significant))
