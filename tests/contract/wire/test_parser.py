"""EventParser against a table of cases, each fed whole, byte by byte and split at every point.

The rules are those of WHATWG HTML "interpreting an event stream":
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

import pytest

from contract import Event, EventParser
from tests.contract.wire.cases import BOM, CASES, Case, M, Outcome

TRAILING = b"data: never dispatched\nid: 99\nevent: x\n: c\ndata: y"
"""Bytes that start an event and never end it: they must change nothing."""


def parse(chunks: Sequence[bytes], seed: str = "") -> Outcome:
    """Feed the chunks in order, then close; return the events and the final state."""
    parser = EventParser(last_event_id=seed)
    events: list[Event] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    closing = parser.close()
    assert closing == [], "close() never dispatches: an unterminated event is discarded"
    return Outcome(events, parser.last_event_id, parser.retry)


def expected(case: Case) -> Outcome:
    """The outcome a case's table row states."""
    return Outcome(list(case.events), case.last_event_id, case.retry)


def whole(stream: bytes) -> Iterator[list[bytes]]:
    """The stream as one chunk."""
    yield [stream]


def byte_by_byte(stream: bytes) -> Iterator[list[bytes]]:
    """The stream one byte per chunk."""
    yield [stream[i : i + 1] for i in range(len(stream))]


def every_split(stream: bytes) -> Iterator[list[bytes]]:
    """The stream cut in two at each point, empty halves included."""
    for cut in range(len(stream) + 1):
        yield [stream[:cut], stream[cut:]]


FEEDS: dict[str, Callable[[bytes], Iterator[list[bytes]]]] = {
    "whole": whole,
    "bytes": byte_by_byte,
    "splits": every_split,
}


def case_id(case: Case) -> str:
    """A readable test id."""
    return case.name


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case(case: Case, feed: str) -> None:
    for chunks in FEEDS[feed](case.stream):
        assert parse(chunks, case.seed) == expected(case), chunks


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_with_trailing_unterminated_bytes(case: Case) -> None:
    # Where a case leaves a line open, TRAILING extends it into a line that changes nothing.
    stream = case.stream + TRAILING
    for split in FEEDS.values():
        for chunks in split(stream):
            assert parse(chunks, case.seed) == expected(case), chunks


def test_every_case_is_distinct() -> None:
    assert len({case.name for case in CASES}) == len(CASES)
    assert len({(case.stream, case.seed) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("char", ["é", "€", "😀", "\u2028", "\U0010ffff"])
def test_a_character_split_at_each_offset_survives(char: str) -> None:
    stream = f"data: {char}\n\n".encode()
    start = len(b"data: ")
    for offset in range(1, len(char.encode())):
        cut = start + offset
        assert parse([stream[:cut], stream[cut:]]).events == [M(char)], offset
        assert parse([stream[:cut], b"", stream[cut:]]).events == [M(char)], offset


@pytest.mark.parametrize("split", [(1,), (2,), (1, 2)])
def test_bom_split_across_chunks_is_stripped_once(split: tuple[int, ...]) -> None:
    stream = BOM + b"data: x\n\n"
    cuts = [0, *split, len(stream)]
    chunks = [stream[a:b] for a, b in itertools.pairwise(cuts)]
    assert parse(chunks).events == [M("x")]
    # A second BOM, cut the same way, is kept: "\ufeffdata" is an unknown field.
    doubled = BOM + stream
    cuts = [0, 3, *(c + 3 for c in split), len(doubled)]
    chunks = [doubled[a:b] for a, b in itertools.pairwise(cuts)]
    assert b"".join(chunks) == doubled
    assert parse(chunks).events == []


def test_a_cr_at_a_chunk_end_and_lf_in_the_next_count_once() -> None:
    assert parse([b"data: a\r", b"\n\r", b"\n"]).events == [M("a")]
    assert parse([b"data: a\r", b"", b"\n", b"\r", b"\ndata: b\r\n\r\n"]).events == [M("a"), M("b")]
    # An incomplete character between CR and LF delays nothing: the LF still pairs with the CR.
    assert parse([b"data: a\r", b"\ndata: \xe2", b"\x82\xac\r", b"\n\r\n"]).events == [M("a\n€")]


def test_events_are_returned_by_the_feed_that_completes_them() -> None:
    parser = EventParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\ndata: b\n") == [M("a")]
    assert parser.feed(b"\n\ndata: c\n\n") == [M("b"), M("c")]
    assert parser.close() == []


def test_last_event_id_is_updated_by_the_feed_that_dispatches() -> None:
    parser = EventParser(last_event_id="3")
    parser.feed(b"id: 4\n")
    assert parser.last_event_id == "3"
    parser.feed(b": ping\n")
    assert parser.last_event_id == "3"
    assert parser.feed(b"\n") == []
    assert parser.last_event_id == "4"


def test_close_discards_the_pending_event() -> None:
    parser = EventParser()
    assert parser.feed(b"event: a\ndata: x\nid: 9\n") == []
    assert parser.close() == []
    assert parser.last_event_id == ""
    assert parser.close() == []


def test_close_flushes_a_truncated_character_as_nothing_dispatched() -> None:
    parser = EventParser()
    assert parser.feed(b"data: x\n\n\xf0\x9f") == [M("x")]
    assert parser.close() == []


def test_a_long_line_in_many_chunks() -> None:
    value = "é" * 50_000
    stream = f"data: {value}\n\n".encode()
    chunks = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    assert parse(chunks).events == [M(value)]
