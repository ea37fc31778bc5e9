"""EventParser's byte path against its line machine: the same events, ids and retry, always.

``_LineParser`` runs the exact line machine on every chunk; ``EventParser`` parses runs
of usual events with ``_fastpath.parse_blocks`` and hands the rest to that machine
(short chunks too, unless made eager as here). After every ``feed`` and after
``close``, all must have returned the same events and hold the same ``last_event_id``
and ``retry``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract import Event, EventParser
from contract.wire.fastpath import parse_blocks
from contract.wire.parser import _LineParser
from tests.contract.wire.streams import chars, cut, raw_streams

BOM = "\ufeff"

Trace = list[tuple[list[Event], str, int | None]]


def trace(parser: EventParser, chunks: Sequence[bytes]) -> Trace:
    """What the parser returns and holds after each chunk, then after ``close``."""
    steps: Trace = [(parser.feed(chunk), parser.last_event_id, parser.retry) for chunk in chunks]
    steps.append((parser.close(), parser.last_event_id, parser.retry))
    return steps


def eager(seed: str = "", *, backoff: bool = True) -> EventParser:
    """An EventParser whose byte path takes every chunk and run, not only long, dense ones.

    Without ``backoff`` it tries the byte path again right after a refusal.
    """
    parser = EventParser(seed)
    parser._eager = True
    if not backoff:
        parser._max_skip = 0
    return parser


def assert_same(chunks: Sequence[bytes], seed: str = "") -> None:
    """The line machine and the parser, as is and eager, agree on every step."""
    want = trace(_LineParser(seed), chunks)
    assert trace(eager(seed, backoff=False), chunks) == want
    assert trace(eager(seed), chunks) == want
    assert trace(EventParser(seed), chunks) == want


# --- streams: mostly what servers send, with the lines that must leave the byte path --------

values = st.one_of(st.text(st.sampled_from("ab 1:é日😀"), max_size=6), st.text(chars, max_size=8))
"""Field values: mostly plain text, sometimes the characters that trip parsers up."""
odd_lines = st.one_of(
    st.builds(lambda v: "retry: " + v, st.sampled_from(["0", "15", "x", "007"])),
    st.builds(lambda v: ":" + v, values),
    st.builds(lambda v: "data:" + v, values),
    st.builds(lambda v: "id:" + v, values),
    st.builds(lambda v: "foo: " + v, values),
    st.sampled_from(["", "id", "data", "event", "event: ", "id: ", BOM + "data: x", "data: a\0b"]),
)


@st.composite
def events(draw: st.DrawFn) -> list[str]:
    """One event's lines in the usual order, sometimes with an odd line anywhere."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("id: " + draw(values))
    if draw(st.booleans()):
        lines.append("event: " + draw(st.sampled_from(["add", "remove", "", "é"]) | values))
    data = draw(st.lists(values, min_size=1, max_size=3) | st.lists(values, max_size=3))
    lines += ["data: " + v for v in data]
    if draw(st.integers(0, 4)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(odd_lines))
    return lines


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """Events, ping blocks, a line ending per stream or per line, a BOM, an unterminated tail."""
    ping = draw(st.sampled_from([[": ping"], [":"], []]))
    blocks = draw(st.lists(st.one_of(events(), events(), st.just(ping)), max_size=8))
    lines = [line for block in blocks for line in [*block, ""]]
    endings = draw(
        st.one_of(
            st.sampled_from([["\n"], ["\r\n"]]),
            st.sampled_from([["\n"], ["\r\n"], ["\r"]]),
            st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3),
        )
    )
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    tail = draw(st.sampled_from(["", "data: unended", "id: 9\r", "retry: 5\n"]))
    return (BOM if draw(st.booleans()) else "").encode() + (text + tail).encode()


cut_points = st.lists(st.integers(min_value=0, max_value=400), max_size=8)
seeds = st.sampled_from(["", "7", "é"])


@given(streams(), cut_points, seeds)
# Each example starts with a comment block: the line machine takes the stream up to its
# first blank line, so what follows reaches the byte path.
@example(b":\n\ndata: a\n\ndata: b\n\r\n", [], "")  # LF then CRLF: a blank line left behind
@example(b":\n\nid: 1\ndata: a\n\nretry: 5\n", [], "")  # retry counts before its event ends
@example(b":\r\n\r\ndata: a\r\r\n\r\ndata: b\r\n\r\n", [], "")  # a lone CR among CRLFs
@example(b":\n\nid: 1\n\n\n\nid: 2\ndata: x\n\n", [], "")  # a run of blank lines
@example(b":\n\ndata: a\n\n", [10, 11], "")  # the blank line arrives alone
@example(b":\r\n\r\ndata: a\r\n\r", [13], "")  # a CR that a later LF completes
def test_byte_path_equals_line_machine(stream: bytes, points: list[int], seed: str) -> None:
    assert_same(cut(stream, points), seed)
    assert_same([stream], seed)


@given(raw_streams, cut_points)
def test_byte_path_equals_line_machine_on_any_bytes(stream: bytes, points: list[int]) -> None:
    assert_same(cut(stream, points))
    # Between blank lines, the bytes reach the byte path rather than the start's line machine.
    assert_same(cut(b":\n\n" + stream + b"\n\n", points))


@given(st.lists(events(), max_size=12), st.sampled_from(["\n", "\r\n"]), st.integers(1, 64))
def test_byte_path_equals_line_machine_in_fixed_chunks(
    blocks: list[list[str]], newline: str, size: int
) -> None:
    stream = "".join(newline.join(block) + newline * 2 for block in blocks).encode()
    assert_same([stream[i : i + size] for i in range(0, len(stream), size)])


@given(
    st.lists(events(), min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(1024, 4096),
)
def test_byte_path_equals_line_machine_with_its_own_limits(
    blocks: list[list[str]], newline: str, size: int
) -> None:
    # Long streams in long chunks: the parser as used, with its limits and its backoff.
    stream = "".join(newline.join(block) + newline * 2 for block in blocks).encode() * 40
    assert_same([stream[i : i + size] for i in range(0, len(stream), size)])


def test_many_event_types_beyond_the_remembered_ones() -> None:
    stream = "".join(f"event: t{i}\ndata: {i}\n\n" for i in range(200)).encode()
    assert_same([stream[i : i + 100] for i in range(0, len(stream), 100)])
    assert_same([stream[i : i + 2000] for i in range(0, len(stream), 2000)])


def test_chunks_long_and_short_in_turn() -> None:
    # Long chunks take the byte path, short ones the line machine, with state handed over.
    stream = b"id: 1\r\nevent: a\r\ndata: \xc3\xa9\r\ndata: z\r\n\r\n: ping\r\n\r\n" * 300
    sizes = [1500, 7, 3000, 1, 900, 1024, 5000, 2]
    chunks: list[bytes] = []
    at = 0
    while at < len(stream):
        size = sizes[len(chunks) % len(sizes)]
        chunks.append(stream[at : at + size])
        at += size
    assert_same(chunks)


def test_long_events_among_short_ones() -> None:
    # Runs that start with a long event go to the line machine, the others to the byte path.
    long = b"id: 7\r\n" + b"data: " + b"y" * 3000 + b"\r\n\r\n"
    short = b"id: 8\r\ndata: z\r\n\r\n" * 40
    stream = (short + long + long + short) * 5
    for size in (1024, 4096, 65536):
        assert_same([stream[i : i + size] for i in range(0, len(stream), size)])


def test_feeding_on_after_close_and_other_bytes_like_chunks() -> None:
    # feed() is typed for bytes; it took any buffer before the byte path, and still does.
    stream = b"id: 1\ndata: a\n\n" * 100 + b"id: 2\ndata: b"
    line, parser = _LineParser(), EventParser()
    chunks: list[Any] = [stream, bytearray(stream), memoryview(stream)]
    for chunk in chunks:
        assert parser.feed(chunk) == line.feed(chunk)
        assert parser.close() == line.close()
        assert (parser.last_event_id, parser.retry) == (line.last_event_id, line.retry)


def test_unusual_events_then_usual_ones_come_out_the_same() -> None:
    # Each refusal sends a few runs to the line machine; the usual events after still match.
    odd = b"data:x\n\n" * 50
    usual = b"id: 1\nevent: a\ndata: y\n\n" * 50
    stream = odd + usual + odd + usual
    assert_same([stream[i : i + 64] for i in range(0, len(stream), 64)])


# --- the byte path takes what servers send, so the property above compares two paths ----------

USUAL = [
    pytest.param(
        b"id: 1\r\nevent: add\r\ndata: a\r\ndata: b\r\n\r\n"
        b": ping\r\n\r\nid: 2\r\ndata: \xc3\xa9\r\n\r\n",
        [Event("add", "a\nb", "1"), Event("message", "\u00e9", "2")],
        id="aiohttp-sse: CRLF, ids, a type, pings",
    ),
    pytest.param(
        b"data: {}\n\ndata: [DONE]\n\n",
        [Event("message", "{}", "7"), Event("message", "[DONE]", "7")],
        id="LF, data only: the id carries over",
    ),
    pytest.param(
        b"data: a\r\ndata: b\r\n\r\ndata: \xff\r\n\r\n",
        [Event("message", "a\nb", "7"), Event("message", "\ufffd", "7")],
        id="CRLF, data only, two lines, an invalid byte",
    ),
    pytest.param(
        b":\n\nevent: x\ndata:  a\ndata: \n\n:\n\n",
        [Event("x", " a\n", "7")],
        id="comments alone, two spaces, an empty data line",
    ),
]


@pytest.mark.parametrize(("region", "want"), USUAL)
def test_the_byte_path_parses_usual_events(region: bytes, want: list[Event]) -> None:
    assert parse_blocks(region, "7", {}) == (want, want[-1].last_event_id)


UNUSUAL = [
    pytest.param(b"retry: 5\ndata: a\n\n", id="retry"),
    pytest.param(b"data:a\n\n", id="no space after the colon"),
    pytest.param(b"id: 1\ndata: a\n\ndata: b\nid: 2\n\n", id="an id after the data"),
    pytest.param(b"id: 1\n: ping\ndata: a\n\n", id="a comment inside an event"),
    pytest.param(b"id: 1\x00\ndata: a\n\n", id="NUL in an id"),
    pytest.param(b"data: a\rb\r\n\r\n", id="a lone CR among CRLFs"),
    pytest.param(b"data: a\nb\r\n\r\n", id="a lone LF among CRLFs"),
    pytest.param(b"id: 5\n\n", id="an event with no data"),
    pytest.param(b"data: a\n\n\nid: 1\ndata: b\n\n", id="two blank lines"),
    pytest.param(b"data: a\n\n\ndata: b\n\n", id="two blank lines between data"),
    pytest.param(b"data: a\n\nid: 1\ndata: b\n\n", id="data only, then an id"),
    pytest.param(b"event: a\nevent: b\ndata: c\n\n", id="two event lines"),
]


@pytest.mark.parametrize("region", UNUSUAL)
def test_the_byte_path_refuses_what_it_does_not_know(region: bytes) -> None:
    assert parse_blocks(region, "", {}) is None
