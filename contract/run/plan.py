"""Which positions the suite resumes from: the probes a contract asks for; pure.

Each probe repeats the contract's request with one ``Last-Event-ID`` value (or the
same value in the contract's query parameter): every recorded id before the
terminal one (at most 20, spread evenly) or the contract's list, the terminal id
and past it (``done``), and the malformed values to tolerate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.spec.model import MAX_RESUME_POINTS, Contract, Limits
from contract.wire.event import Event

HUGE_ID = "1" + "0" * 4999
"""An integer id past any real one, longer than ``int()`` takes by default."""


@dataclass(frozen=True, slots=True)
class Planned:
    """One probe to send: why, which value, and whether in the query parameter."""

    purpose: str
    value: str
    query: str | None = None


def spread(values: Sequence[str], count: int) -> list[str]:
    """At most ``count`` of ``values``, evenly spread, first and last included."""
    if len(values) <= count:
        return list(values)
    return [values[round(i * (len(values) - 1) / (count - 1))] for i in range(count)]


def resume_points(contract: Contract, events: Sequence[Event], terminal: int | None) -> list[str]:
    """The ids to resume from: the contract's list, or the recorded ids before the terminal one."""
    resume = contract.resume
    if resume is None:
        return []
    if resume.from_ids is not None:
        return list(resume.from_ids)
    before = events[:terminal] if terminal is not None else events
    ids = list(dict.fromkeys(e.last_event_id for e in before if e.last_event_id))
    if terminal is not None:
        final = events[terminal].last_event_id
        ids = [value for value in ids if value != final]
    return spread(ids, MAX_RESUME_POINTS)


def done_values(contract: Contract, events: Sequence[Event], terminal: int | None) -> list[str]:
    """The terminal id, and with ``past_end`` the next integer and a 5,000-digit one."""
    if contract.resume is None or terminal is None or not events[terminal].last_event_id:
        return []
    final = events[terminal].last_event_id
    values = [final]
    if contract.resume.past_end and final.isascii() and final.isdigit() and len(final) < 100:
        values += [str(int(final) + 1), HUGE_ID]
    return values


def plan(contract: Contract, events: Sequence[Event], terminal: int | None) -> list[Planned]:
    """Every probe, in the header and (when the contract names one) the query parameter."""
    resume = contract.resume
    if resume is None:
        return []
    chosen = [
        *(("resume", v) for v in resume_points(contract, events, terminal)),
        *(("done", v) for v in done_values(contract, events, terminal)),
        *(("tolerant", v) for v in resume.tolerate),
    ]
    forms: list[str | None] = [None] if resume.query is None else [None, resume.query]
    return [Planned(purpose, value, form) for form in forms for purpose, value in chosen]


def expected_events(contract: Contract) -> list[Event] | None:
    """An exact list's events when every one names its id, so probes can be planned ahead."""
    if not contract.exact or any(e.id is None for e in contract.events):
        return None
    return [Event(e.type, e.data, e.id or "") for e in contract.events]


ONE_MORE = 4096
"""Characters of events a probe keeps past its reference at least: room for an extra event."""


def _chars(event: Event) -> int:
    return len(event.type) + len(event.data) + len(event.last_event_id)


def probe_caps(
    reference: Sequence[Event], limits: Limits, shared_by: int | None = None
) -> tuple[int, int]:
    """The events and characters of events a probe keeps: what it is compared with and one
    event more (as large as the largest there, or ``ONE_MORE``), so the first extra one
    shows; with ``shared_by``, at most that share of one recording's limits, so that the
    probes of a flood together keep no more than one recording may."""
    sizes = [_chars(event) for event in reference]
    events, chars = len(reference) + 1, sum(sizes) + max([ONE_MORE, *sizes])
    if shared_by:
        events = min(events, max(1, limits.max_events // shared_by))
        chars = min(chars, max(ONE_MORE, limits.max_bytes // shared_by))
    return events, chars
