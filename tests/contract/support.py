"""Hand-made recordings for the contract suite's pure tests, parsed as the client parses."""

from __future__ import annotations

from collections.abc import Sequence

from contract import (
    Contract,
    Ending,
    Event,
    EventParser,
    Probe,
    Recording,
    Recordings,
    RuleResult,
    TimedEvent,
    default_contract,
    encode,
    evaluate,
    parse_contract,
)
from contract.wire.framing import LineScanner

SSE = (("Content-Type", "text/event-stream; charset=utf-8"),)
DEMO = default_contract()
CORE_EVENTS = tuple(Event(e.type, e.data, e.id or "") for e in DEMO.events)
"""The demo contract's 11 events, as a browser sees them."""


def recording(
    *writes: tuple[float, bytes],
    status: int | None = 200,
    headers: tuple[tuple[str, str], ...] = SSE,
    ending: Ending = Ending.EOF,
    detail: str = "",
    ended_at: float | None = None,
) -> Recording:
    """A recording of ``writes`` (arrival time, bytes), parsed and scanned as the client does."""
    parser = EventParser()
    scanner = LineScanner(0.0)
    events: list[TimedEvent] = []
    for at, data in writes:
        scanner.feed(data, at)
        events.extend(TimedEvent(at, event) for event in parser.feed(data))
    end = (writes[-1][0] if writes else 0.0) if ended_at is None else ended_at
    return Recording(
        url="http://test/stream",
        status=status,
        headers=headers,
        head_at=0.0,
        events=tuple(events),
        ending=ending,
        detail=detail,
        ended_at=end,
        framing=scanner.close(end, eof=ending is Ending.EOF),
    )


def stream(
    events: Sequence[Event] = CORE_EVENTS,
    step: float = 0.1,
    *,
    status: int | None = 200,
    ending: Ending = Ending.EOF,
    detail: str = "",
) -> Recording:
    """Events written one per write, ``step`` seconds apart."""
    writes = [(i * step, encode([event])) for i, event in enumerate(events)]
    return recording(*writes, status=status, ending=ending, detail=detail)


def probe(purpose: str, value: str, rec: Recording, query: str | None = None) -> Probe:
    """A probe sent with ``value``, that got ``rec``."""
    return Probe(purpose, value, rec, query)


def judge(main: Recording, *probes: Probe, contract: Contract = DEMO) -> dict[str, RuleResult]:
    """Every rule's result by name."""
    return {r.rule: r for r in evaluate(contract, Recordings(main, tuple(probes)))}


def contract(text: str) -> Contract:
    """A contract from TOML text, ``format = 1`` added."""
    return parse_contract("format = 1\n" + text, "test.toml")
