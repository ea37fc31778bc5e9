"""The resume fuzzer's plans: what Hypothesis draws, and how a run of one reads to a person.

A plan is a sequence of connections. Each but the last is dropped somewhere: before
the response head, right after it, after some events, or some bytes into the next
event; the last reads to the end. Every reconnection sends the last id seen (a
browser's ``lastEventId`` after the last complete event), in the ``Last-Event-ID``
header or in the contract's query parameter. Then the terminal id is sent once more
(the ``done`` request). Pure: no I/O here.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from hypothesis import strategies as st
from yarl import URL

from ._client import Target, raw_request, sent_headers
from ._models import Ending, Event, Recording, Violation
from ._rules._context import ids_text

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


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a run: what was sent and what came back."""

    connection: Connection
    position: str
    """The id sent ("" for none)."""
    target: Target
    recording: Recording | None = None
    """``None`` for a request dropped before the head."""
    problem: str = ""
    """Why a request dropped before the head could not be sent."""
    done: bool = False
    """The request with the terminal id, after the last event."""


@dataclass(frozen=True, slots=True)
class Run:
    """A plan as it went: its steps, and the violation the last one ended with, if any."""

    plan: Plan
    steps: tuple[Step, ...]
    violation: Violation | None = None
    note: str = ""
    """What went wrong, as the failing step's line says it."""


def _opening(index: int, step: Step, query: str | None) -> str:
    if index == 0 and not step.done:
        return "connect"
    if not step.position:
        return "reconnect with no position (no event id seen yet)"
    if step.connection.query and query:
        return f"reconnect with ?{query}={step.position}"
    return f"reconnect with Last-Event-ID: {step.position}"


def _events(events: list[Event]) -> str:
    if len(events) == 1:
        return f"1 event (id {ids_text(events)})"
    return f"{len(events)} events" + (f" (ids {ids_text(events)})" if events else "")


def _action(step: Step, status: int) -> str:
    recording, drop = step.recording, step.connection.drop
    if recording is None:
        return "send the request, drop before the head" + (
            f" (not sent: {step.problem})" if step.problem else ""
        )
    if step.done:
        events = recording.event_list()
        text = f"status {recording.status}" + (f", {_events(events)}" if events else ", no event")
        return text + cut_short(recording)
    events = recording.event_list()
    if recording.ending is Ending.DROPPED and drop is not None:
        if not events and recording.framing.total_bytes == 0:
            return "drop right after the head"
        if drop.extra:
            return f"read {_events(events)} and {drop.extra} byte(s) of the next, drop mid-event"
        return f"read {_events(events)}, drop"
    if recording.status is None:
        return recording.ending_text()
    shown = "" if recording.status == status else f"status {recording.status}, "
    if recording.ending is Ending.EOF:
        return f"{shown}read to the end: {_events(events)}"
    return f"{shown}read {_events(events)}, then {recording.ending_text()}"


def cut_short(recording: Recording) -> str:
    """``, then`` how a response the client cut short ended (a limit, a reset), else ""."""
    if recording.ending in (Ending.EOF, Ending.DROPPED):
        return ""
    return f", then {recording.ending_text()}"


def describe(run: Run, query: str | None, status: int) -> list[str]:
    """The run in words, one numbered line per request; the failing one says why."""
    lines = []
    for index, step in enumerate(run.steps):
        line = f"{index + 1}. {_opening(index, step, query)}; {_action(step, status)}"
        if run.violation is not None and index == len(run.steps) - 1:
            line += f"  <- {run.note or run.violation.actual}"
        lines.append(line)
    return lines


def curl(step: Step) -> str:
    """A shell line that sends ``step``'s request and stops reading where the plan did."""
    target = step.target
    if step.recording is None:
        host, port = _host_port(target.url)
        code = (
            "import socket; s = socket.create_connection("
            f"({host!r}, {port})); s.sendall({raw_request(target)!r}); s.close()"
        )
        return f"python3 -c {shlex.quote(code)}"
    words = ["curl", "-si" if step.done else "-sN"]
    if target.method != "GET":
        words += ["-X", target.method]
    for name, value in sent_headers(target):
        words += ["-H", f"{name}: {value}"]
    if target.body is not None:
        words += ["--data-binary", target.body.decode("utf-8", "replace")]
    words.append(target.url)
    line = shlex.join(words)
    if step.recording.ending is Ending.DROPPED:
        line += f" | head -c {step.recording.framing.total_bytes}"
    return line


def _host_port(url: str) -> tuple[str, int]:
    parsed = URL(url)
    return parsed.raw_host or "", parsed.port or 80
