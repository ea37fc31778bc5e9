"""The resume fuzzer's plans: what Hypothesis draws.

A plan is a sequence of connections. Each but the last is dropped somewhere: before
the response head, right after it, after some events, or some bytes into the next
event; the last reads to the end. Every reconnection sends the last id seen (a
browser's ``lastEventId`` after the last complete event), in the ``Last-Event-ID``
header or in the contract's query parameter. Then the terminal id is sent once more
(the ``done`` request). Pure: no I/O here; how a run of one reads to a person is
``words.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

MAX_DROPS = 8
"""Connections dropped in one plan at most, before the one that reads to the end."""


@dataclass(frozen=True, slots=True)
class Drop:
    """Where a connection is dropped: after ``events`` events and ``extra`` more bytes."""

    events: int = 0
    extra: int = 0
    before_head: bool = False
    """Instead: send the request and close before any of the answer is read."""


@dataclass(frozen=True, slots=True)
class Connection:
    """One connection of a plan: where it is dropped (``None``: read to the end), and how
    the position to resume from is sent."""

    drop: Drop | None = None
    query: bool = False
    """The position goes in the contract's query parameter instead of ``Last-Event-ID``."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Connections in order (the last reads to the end), then the terminal id's request."""

    connections: tuple[Connection, ...]
    done_query: bool = False


def plans(events: int, extra: int, query: bool) -> st.SearchStrategy[Plan]:
    """Plans for a stream of ``events`` events whose event takes about ``extra`` bytes.

    Hypothesis draws the points where connections drop, as positions in the stream
    (so each drawn point is as likely to hit a given id as any other), how each drop
    falls (between events, some bytes into one, before the head), and each form.
    Every choice shrinks towards the simplest: fewer connections, earlier positions,
    drops between events, the header rather than the query.
    """
    forms = st.booleans() if query else st.just(False)
    cuts = st.one_of(st.just(0), st.integers(1, max(extra, 1)), st.none())
    points = st.lists(
        st.tuples(st.integers(0, events), cuts, forms), max_size=MAX_DROPS, unique_by=lambda p: p[0]
    )
    return st.builds(_plan, points, forms, forms)


def _plan(points: list[tuple[int, int | None, bool]], last: bool, done: bool) -> Plan:
    connections: list[Connection] = []
    at = 0
    for position, cut, query in sorted(points, key=lambda point: point[0]):
        if cut is None:
            connections.append(Connection(Drop(before_head=True), query))
            continue
        connections.append(Connection(Drop(position - at, cut), query))
        at = position
    return Plan((*connections, Connection(None, last)), done)
