"""Hypothesis properties of EventParser and the encoder: framing never changes what a browser sees.

The oracle is ``model``: the WHATWG steps of "interpreting an event stream", applied
line by line to already split lines, as literally as the standard words them
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
"""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from contract import Event, encode

# --- properties ------------------------------------------------------------------------------
from tests.contract.wire.streams import (
    BOM,
    LINE_BREAK,
    NEWLINES,
    Framing,
    cut,
    cut_points,
    digits,
    endings_strategy,
    event_lists,
    frame,
    framings,
    lines_strategy,
    model_of_bytes,
    model_of_framed,
    parse,
    raw_streams,
    seeds,
    values,
)


@given(lines_strategy, framings, seeds, cut_points)
@example(["id: 1", ": ping", ""], Framing(["\n"]), "", [])  # httpx-sse's phantom event
@example(["data: a", "data: b", ""], Framing(["\r\n"]), "", [8])  # CR | LF counted once
@example(["data: 😀", ""], Framing(["\n"], bom=True), "", [4, 11])  # BOM and 4-byte char cut
def test_any_chunking_gives_the_spec_events(
    lines: list[str], framing: Framing, seed: str, points: list[int]
) -> None:
    stream = (BOM.encode() if framing.bom else b"") + frame(lines, framing.endings, framing.tail)
    want = model_of_framed(lines, seed, bom=framing.bom)
    assert parse([stream], seed) == want
    assert parse(cut(stream, points), seed) == want
    assert parse([stream[i : i + 1] for i in range(len(stream))], seed) == want


@given(raw_streams, cut_points)
@example(b"data: \xf0\x9f\x98\x80\n\n", [7])
@example(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n", [1, 4])
def test_any_bytes_any_chunking(stream: bytes, points: list[int]) -> None:
    want = model_of_bytes(stream)
    assert parse([stream]) == want
    assert parse(cut(stream, points)) == want
    assert parse([stream[i : i + 1] for i in range(len(stream))]) == want


@given(lines_strategy, endings_strategy)
def test_lf_cr_and_crlf_framings_give_the_same_events(lines: list[str], mixed: list[str]) -> None:
    want = model_of_framed(lines)
    for endings in (["\n"], ["\r"], ["\r\n"], mixed):
        assert parse([frame(lines, endings)]) == want, endings


@given(event_lists(), st.sampled_from(NEWLINES), st.booleans(), cut_points)
@example([Event("message", "a\r\nb\rc", "")], "\r", True, [9])
@example([Event("x", "", "1"), Event("message", "", "")], "\r\n", False, [])
def test_encode_then_parse_returns_the_events(
    events: list[Event], newline: str, with_ids: bool, points: list[int]
) -> None:
    stream = encode(events, newline=newline, with_ids=with_ids)
    want = [Event(e.type, LINE_BREAK.sub("\n", e.data), e.last_event_id) for e in events]
    got = parse(cut(stream, points))
    assert got.events == want
    assert got.last_event_id == (events[-1].last_event_id if events else "")


@given(
    lines_strategy,
    st.sampled_from(NEWLINES),
    st.lists(st.tuples(st.integers(min_value=0, max_value=20), values), max_size=5),
    cut_points,
)
@example(["id: 1", ""], "\n", [(1, " ping")], [])  # right after an id line: httpx-sse issue #35
@example(["id: 1", "data: x", "id: 2", ""], "\r", [(1, " ping"), (3, "")], [])
def test_comments_anywhere_change_nothing(
    lines: list[str], newline: str, inserts: list[tuple[int, str]], points: list[int]
) -> None:
    with_comments = list(lines)
    for position, text in sorted(inserts, reverse=True):
        with_comments.insert(min(position, len(lines)), ":" + text)
    # A heartbeat after each id line, as a server would send one while it works.
    with_comments = [
        x for line in with_comments for x in ([line, ": ping"] if line.startswith("id") else [line])
    ]
    # The stream's own BOM first: a BOM opening the first line then means the same wherever a
    # comment goes (without one, the decoder would strip it only while that line comes first).
    want = parse([BOM.encode() + frame(lines, [newline])])
    assert parse(cut(BOM.encode() + frame(with_comments, [newline]), points)) == want


@given(lines_strategy, st.sampled_from(NEWLINES), st.data())
def test_heartbeat_blocks_between_events_change_nothing(
    lines: list[str], newline: str, data: st.DataObject
) -> None:
    boundaries = [0] + [i + 1 for i, line in enumerate(lines) if line == ""]
    chosen = data.draw(st.lists(st.sampled_from(boundaries), max_size=4), label="after")
    with_pings = list(lines)
    for position in sorted(chosen, reverse=True):
        with_pings[position:position] = [": ping", ""]
    bom = BOM.encode()  # as in test_comments_anywhere_change_nothing
    assert parse([bom + frame(with_pings, [newline])]) == parse([bom + frame(lines, [newline])])


@given(lines_strategy, st.sampled_from(NEWLINES), st.integers(min_value=0, max_value=3), cut_points)
@example(["data: x", ""], "\n", 2, [1])
def test_a_bom_is_stripped_once_only_at_the_start(
    lines: list[str], newline: str, boms: int, points: list[int]
) -> None:
    stream = BOM.encode() * boms + frame(lines, [newline])
    if lines and boms:
        lines = [BOM * (boms - 1) + lines[0], *lines[1:]]
    want = model_of_framed(lines, bom=boms > 0)
    assert parse(cut(stream, points)) == want


@given(lines_strategy.filter(lambda lines: len(lines) > 1), st.integers(min_value=1))
@example(["data: a", "", "data: b", ""], 2)
def test_a_bom_after_the_start_is_kept(lines: list[str], index: int) -> None:
    index = 1 + index % (len(lines) - 1)
    marked = [*lines[:index], BOM + lines[index], *lines[index + 1 :]]
    assert parse([frame(marked, ["\n"])]) == model_of_framed(marked)


@given(lines_strategy, st.lists(st.tuples(st.integers(0, 20), values), min_size=1, max_size=4))
@example(["id: 1", "data: x", ""], [(1, "2")])
def test_an_id_with_nul_never_becomes_the_last_event_id(
    lines: list[str], bad_ids: list[tuple[int, str]]
) -> None:
    with_nul = list(lines)
    for position, text in sorted(bad_ids, reverse=True):
        cut_at = len(text) // 2
        with_nul.insert(min(position, len(lines)), f"id: {text[:cut_at]}\0{text[cut_at:]}")
    bom = BOM.encode()  # as in test_comments_anywhere_change_nothing
    got = parse([bom + frame(with_nul, ["\n"])])
    assert got == parse([bom + frame(lines, ["\n"])])
    assert "\0" not in got.last_event_id
    assert all("\0" not in event.last_event_id for event in got.events)


@given(
    st.one_of(
        digits,
        st.text(st.characters(categories=["Nd", "No"]), max_size=4),
        st.from_regex(r"\A[+-]?[0-9]{1,3}(ms|\.0| |_0)?\Z"),
        values,
    ),
    st.sampled_from(["retry: ", "retry:"]),
)
@example("0" * 5000 + "5", "retry: ")  # int() refused 5,001 digits: the field was lost
@example("\u0663", "retry: ")  # str.isdigit() is true for ARABIC-INDIC DIGIT THREE
@example("\xb2", "retry: ")  # and for SUPERSCRIPT TWO
def test_retry_only_from_ascii_digits(value: str, prefix: str) -> None:
    got = parse([f"retry: 250\n{prefix}{value}\n".encode()]).retry
    if re.fullmatch("[0-9]+", value):
        assert got == int(value.lstrip("0") or "0")
    else:
        assert got == 250
