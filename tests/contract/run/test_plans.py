"""The resume fuzzer's plans: drawn in stream order, and told in words a person can replay."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given

from contract import Ending, Event, Recording, Violation, encode
from contract.fuzz.plans import MAX_DROPS, Connection, Drop, Plan, plans
from contract.fuzz.steps import Run, Step
from contract.fuzz.words import curl, describe
from contract.run.target import Target
from tests.contract.support import CORE_EVENTS, recording, stream


@given(plans(11, 40, query=True))
def test_a_plan_drops_in_stream_order_and_ends_reading_to_the_end(plan: Plan) -> None:
    *dropped, last = plan.connections
    assert last.drop is None
    assert len(dropped) <= MAX_DROPS
    assert all(c.drop is not None for c in dropped)
    assert sum(c.drop.events for c in dropped if c.drop is not None) <= 11


def test_a_plan_in_words() -> None:
    events = list(CORE_EVENTS)
    target = Target("http://127.0.0.1:9/stream")
    mid = Connection(Drop(2, 12))
    steps = (
        Step(Connection(Drop(before_head=True)), "", target),
        Step(Connection(Drop(0, 0)), "", target, recording(ending=Ending.DROPPED)),
        Step(mid, "", target, dropped(events[:2], 12)),
        Step(Connection(Drop(3, 0), query=True), "1", target, dropped(events[2:5], 0)),
        Step(Connection(), "4", target, stream(events[5:], status=500)),
    )
    run = Run(Plan(tuple(step.connection for step in steps)), steps, Violation("resume", "", ""))
    assert describe(replace(run, note="status 500"), "last_event_id", 200) == [
        "1. connect; send the request, drop before the head",
        "2. reconnect with no position (no event id seen yet); drop right after the head",
        "3. reconnect with no position (no event id seen yet); "
        "read 2 events (ids 0..1) and 12 byte(s) of the next, drop mid-event",
        "4. reconnect with ?last_event_id=1; read 3 events (ids 2..4), drop",
        "5. reconnect with Last-Event-ID: 4; status 500, read to the end: 6 events (ids 5..10)"
        "  <- status 500",
    ]
    assert curl(steps[2]).endswith(f" | head -c {len(encode(events[:2])) + 12}")


def dropped(events: list[Event], extra: int) -> Recording:
    """A connection the plan dropped after ``events`` and ``extra`` more bytes."""
    body = encode(events) + b"data: cut sh"[:extra]
    return recording((0.0, body), ending=Ending.DROPPED)
