"""Servers that resume right except in one place, for the resume fuzzer's tests.

Each writes the demo contract's events in the aiohttp port's batches (one write per
group of events due at one moment, with the work interval before a group that
follows work), takes the position from ``Last-Event-ID`` or ``?last_event_id=``,
and answers 204 after the last id. ``RESUME_BUGS`` has one mistake each; ``correct``
has none. ``token_stream`` is a correct server for a kinds-mode contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aiohttp import web

from aiohttp_sse_demo.tasks import LAST_ID, batches
from contract import Event, encode, encode_event
from tests.contract.support import CORE_EVENTS

from .scripted import Reply, Responder, Step

QUERY = "last_event_id"
BURST_ENDS = frozenset(group[-1].id for group in batches(-1)) - {LAST_ID}
"""Ids that end a write of the port's stream (1, 2, 6 and 7)."""
Start = Callable[[int, bool], int]
"""Where a server resumes: the first id it sends after ``after`` (sent in the query or not)."""


def position(request: web.Request, query: str = QUERY) -> tuple[int | None, bool]:
    """The id to continue after (``None``: from the start), and whether the query carried it."""
    value = request.query.get(query)
    in_query = value is not None
    if value is None:
        value = request.headers.get("Last-Event-ID")
    if value is None or not value.isascii() or not value.isdigit():
        return None, in_query
    return (int(value) if len(value) < 4 else 10**4), in_query


def batched(first: int, interval: float) -> list[Step]:
    """The events from id ``first`` on, one write per batch, the interval before work."""
    steps: list[Step] = []
    for group in batches(first - 1):
        if group[0].work_before:
            steps.append(interval)
        steps.append(encode([CORE_EVENTS[step.id] for step in group]))
    return steps


def resuming(start: Start, done: int = 204) -> Callable[[float], Responder]:
    """A server that resumes at ``start(after, in_query)`` and answers ``done`` after the end."""

    def factory(interval: float) -> Responder:
        def respond(request: web.Request) -> Reply:
            after, in_query = position(request)
            if after is not None and after >= LAST_ID:
                return Reply(status=done)
            return Reply(batched(0 if after is None else start(after, in_query), interval))

        return respond

    return factory


correct = resuming(lambda after, in_query: after + 1)
empty_when_done = resuming(lambda after, in_query: after + 1, done=200)
"""Resumes right, but the last id gets 200 with no event where the demo contract wants 204."""
RESUME_BUGS: dict[str, Callable[[float], Responder]] = {
    "repeats-id-6": resuming(lambda after, in_query: after if after == 6 else after + 1),
    "skips-after-a-burst": resuming(
        lambda after, in_query: after + 2 if after in BURST_ENDS else after + 1
    ),
    "query-repeats-its-id": resuming(lambda after, in_query: after if in_query else after + 1),
}
"""Servers that resume right except at one id, after the end of a burst, or in the query."""


TOKENS = 12
TOKEN_BURST = 3
TOKEN_CONTRACT = f"""
format = 1
name = "token stream"

[limits]
seconds = 10
idle_seconds = 3

[kinds.chunk]
schema = {{ type = "object", required = ["text"], properties = {{ text = {{ type = "string" }} }} }}

[kinds.done]
type = "done"
data = "[DONE]"

[sequence]
pattern = "chunk{{{TOKENS}}} done"

[end]
after = "done"
grace = 0.3

[ids]
scheme = "sequential"
start = 1

[resume]
after_end = "empty"
query = "cursor"
"""
"""A kinds-mode contract: twelve JSON chunks then ``done``, ids from 1, resumable."""


def token_events() -> list[Event]:
    """The token stream's events, ids 1..13."""
    chunks = [
        Event("message", json.dumps({"text": f"token {n}"}), str(n)) for n in range(1, TOKENS + 1)
    ]
    return [*chunks, Event("done", "[DONE]", str(TOKENS + 1))]


def token_stream(interval: float) -> Responder:
    """A correct server for ``TOKEN_CONTRACT``: bursts of three, ``?cursor=`` or the header."""
    events = token_events()

    def respond(request: web.Request) -> Reply:
        after, _ = position(request, "cursor")
        rest = events[after or 0 :]
        steps: list[Step] = []
        for start in range(0, len(rest), TOKEN_BURST):
            steps += [interval, encode(rest[start : start + TOKEN_BURST])]
        return Reply(steps)

    return respond


IDLESS_CONTRACT = """
format = 1
name = "some events without ids"

[limits]
seconds = 10
idle_seconds = 3

[kinds.hello]
type = "hello"

[kinds.token]
data_match = 't\\d+'

[kinds.done]
type = "done"

[sequence]
pattern = "hello token+ done"

[end]
after = "done"
grace = 0.3

[resume]
after_end = 204
"""
"""A stream where only some events set an id: the others carry the last one set."""
IDLESS: list[tuple[str, str, str | None]] = [
    ("hello", "hi", None),
    ("message", "t0", "1"),
    ("message", "t1", None),
    ("message", "t2", "2"),
    ("message", "t3", None),
    ("message", "t4", None),
    ("message", "t5", "3"),
    ("done", "bye", "4"),
]
"""Each event's type, data and ``id`` field (``None``: no ``id:`` line)."""


def idless_stream(interval: float) -> Responder:
    """A correct server for ``IDLESS_CONTRACT``: after ``Last-Event-ID: X`` it sends what
    followed the event that set X, the id-less events after it included; X of the last
    event gets 204."""

    def respond(request: web.Request) -> Reply:
        after = request.headers.get("Last-Event-ID")
        ids = [ident for _, _, ident in IDLESS]
        if after == ids[-1]:
            return Reply(status=204)
        start = ids.index(after) + 1 if after is not None and after in ids else 0
        steps: list[Step] = []
        for kind, data, ident in IDLESS[start:]:
            steps += [interval, encode_event(data, type=kind, id=ident)]
        return Reply(steps)

    return respond
