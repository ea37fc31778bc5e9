"""Framing a mock's events: whatever the seed's style, a browser's parser gives back the events,
fed whole, byte by byte, or as the writes the mock makes."""

from __future__ import annotations

from random import Random

import pytest

from contract import Event, EventParser, encode_event
from contract.mock.event import MockEvent
from contract.mock.frames import BOM, Framer, Pause, Style, Write, choose_style

EVENTS = [
    MockEvent("message", "plain", "1"),
    MockEvent("tick", '{\n  "price": 1.5\n}', "2", pause=0.1),
    MockEvent("tick", " leading space and trailing \u2028", "2"),
    MockEvent("message", "", "3"),
    MockEvent("note", "caf\u00e9 \U0001f600 \u0000 nul", "", pause=0.2),
    MockEvent("message", "a\n\nb\n", "4"),
]
"""Multi-line data, a repeated id, an id reset to none, a space a parser would strip."""


def _parsed(chunks: list[bytes], last_event_id: str = "") -> list[Event]:
    parser = EventParser(last_event_id)
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.close()


def _expected(events: list[MockEvent]) -> list[Event]:
    return [Event(e.type, e.data, e.id) for e in events]


def _render(style: Style, seed: int, events: list[MockEvent]) -> list[bytes]:
    framer = Framer(style, Random(seed))
    writes = [framer.opening()]
    for step in framer.steps(events, ping=0.05):
        if isinstance(step, Write):
            writes.append(step.data)
        else:
            writes.append(step.ping or b"")
    return writes


@pytest.mark.parametrize("seed", range(40))
def test_every_style_parses_back_to_the_events(seed: int) -> None:
    style = choose_style(Random(seed))
    writes = _render(style, seed, EVENTS)
    body = b"".join(writes)
    assert _parsed(writes) == _expected(EVENTS)
    assert _parsed([body]) == _expected(EVENTS)
    assert _parsed([body[i : i + 1] for i in range(len(body))]) == _expected(EVENTS)
    assert body.startswith(BOM) == style.bom


def test_the_styles_vary_what_the_seed_says() -> None:
    styles = [choose_style(Random(seed)) for seed in range(60)]
    assert {s.newline for s in styles} == {"\n", "\r\n", "\r"}
    assert {s.space for s in styles} == {True, False}
    assert {s.bom for s in styles} == {True, False}
    assert {s.every_id for s in styles} == {True, False}
    assert {s.retry for s in styles} >= {None, 2000}
    assert max(s.cuts for s in styles) > 1
    assert max(s.comments for s in styles) > 0
    assert {s.data_first for s in styles} == {True, False}
    assert {s.bare for s in styles} == {True, False}
    assert max(s.odd for s in styles) > 0


def test_a_burst_is_written_after_its_pause_with_pings() -> None:
    style = Style(cuts=0)
    steps = list(Framer(style, Random(0)).steps(EVENTS[:2], ping=0.05))
    assert steps == [
        Write(b"id: 1\ndata: plain\n\n"),
        Pause(0.1, b": keep-alive\n", 0.05),
        Write(b'id: 2\nevent: tick\ndata: {\ndata:   "price": 1.5\ndata: }\n\n'),
    ]


def test_fields_in_any_order_bare_names_and_fields_a_browser_ignores() -> None:
    style = Style(data_first=True, bare=True, odd=1.0)
    framer = Framer(style, Random(1))
    body = b"".join(framer.event(event) for event in EVENTS)
    assert b"\ndata\n" in body  # an empty line of data, without its colon
    assert b"data: plain\nid: 1\n" in body  # data before id
    assert b"mock-field: ignored" in body or b"event: replaced" in body
    assert _parsed([body]) == _expected(EVENTS)


def test_a_resumed_response_leaves_out_the_id_the_client_holds() -> None:
    framer = Framer(Style(every_id=False), Random(0), previous_id="2")
    writes = [s.data for s in framer.steps(EVENTS[2:4], ping=None) if isinstance(s, Write)]
    assert b"id" not in writes[0].split(b"\n\n")[0]
    assert _parsed(writes, "2") == _expected(EVENTS[2:4])


@pytest.mark.parametrize(
    ("space", "data", "wire"),
    [
        (False, "x", b"data:x\n\n"),
        (False, " x", b"data:  x\n\n"),
        (False, "", b"data:\n\n"),
        (True, "x", b"data: x\n\n"),
    ],
)
def test_the_encoder_writes_no_space_unless_a_value_needs_it(
    space: bool, data: str, wire: bytes
) -> None:
    assert encode_event(data, space=space) == wire
    assert _parsed([wire]) == [Event("message", data)]
