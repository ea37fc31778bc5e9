"""Hypothesis properties of EventParser and the encoder: framing never changes what a browser sees.

The oracle is ``model``: the WHATWG steps of "interpreting an event stream", applied
line by line to already split lines, as literally as the standard words them
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import example, given
from hypothesis import strategies as st

from contract import Event, EventParser, encode

BOM = "\ufeff"
NEWLINES = ("\n", "\r", "\r\n")
TRICKY = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", ":", " ", "\t", "\0", BOM, "é"]
TRICKY += ["日", "😀", "\ufffd", "\U0010ffff"]
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Outcome:
    """Everything the parser reports after a whole response."""

    events: list[Event]
    last_event_id: str
    retry: int | None


# --- the oracle ------------------------------------------------------------------------------


def model(lines: Sequence[str], seed: str = "") -> Outcome:
    """What a browser makes of these complete lines, step by step as the standard says."""
    data_buffer = ""
    type_buffer = ""
    id_buffer = seed
    last_event_id = seed
    retry: int | None = None
    events: list[Event] = []
    for line in lines:
        if line == "":
            last_event_id = id_buffer
            if data_buffer == "":
                type_buffer = ""
                continue
            if data_buffer.endswith("\n"):
                data_buffer = data_buffer[:-1]
            events.append(
                Event(type_buffer if type_buffer else "message", data_buffer, last_event_id)
            )
            data_buffer = type_buffer = ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            type_buffer = value
        elif name == "data":
            data_buffer += value + "\n"
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value.lstrip("0") or "0")
    return Outcome(events, last_event_id, retry)


def model_of_framed(lines: Sequence[str], seed: str = "", *, bom: bool = False) -> Outcome:
    """The model on lines framed as a stream: its decoder drops one leading BOM, the file's own
    when ``bom`` is set, else one that starts the first line."""
    if lines and not bom:
        lines = [lines[0].removeprefix(BOM), *lines[1:]]
    return model(lines, seed)


def model_of_bytes(stream: bytes, seed: str = "") -> Outcome:
    """The model on raw bytes: decode with replacement, drop one BOM, split, drop the open line."""
    text = stream.decode("utf-8", errors="replace").removeprefix(BOM)
    return model(LINE_BREAK.split(text)[:-1], seed)


def parse(chunks: Sequence[bytes], seed: str = "") -> Outcome:
    """Feed the chunks in order, then close."""
    parser = EventParser(last_event_id=seed)
    events: list[Event] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    events += parser.close()
    return Outcome(events, parser.last_event_id, parser.retry)


def cut(stream: bytes, points: Sequence[int]) -> list[bytes]:
    """The stream cut at the given offsets (any order, repeats give empty chunks)."""
    edges = [0, *sorted(p % (len(stream) + 1) for p in points), len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(edges)]


def frame(lines: Sequence[str], endings: Sequence[str], tail: str = "") -> bytes:
    """Lines with their endings, then an unterminated tail.

    A CR ending followed by an empty line ended by LF would read as one CRLF and
    swallow that blank line, so such a CR is written as CRLF instead.
    """
    out: list[str] = []
    for i, line in enumerate(lines):
        ending = endings[i % len(endings)]
        following = i + 1 < len(lines) and lines[i + 1] == ""
        if ending == "\r" and following and endings[(i + 1) % len(endings)].startswith("\n"):
            ending = "\r\n"
        out.append(line + ending)
    if tail and out and out[-1].endswith("\r") and tail.startswith("\n"):
        tail = tail[1:]
    return "".join(out).encode() + tail.encode()


# --- strategies ------------------------------------------------------------------------------

chars = st.one_of(
    st.sampled_from(TRICKY),
    st.characters(codec="utf-8", exclude_characters="\r\n"),
)
values = st.text(chars, max_size=8)
"""Field values: no CR or LF, anything else, with the characters that trip parsers up."""

any_text = st.lists(st.one_of(chars, st.sampled_from(NEWLINES)), max_size=12).map("".join)
"""Event data: line breaks of all three kinds included."""

names = st.sampled_from(["data", "event", "id", "retry"])
odd_names = st.sampled_from(
    ["Data", "data ", " data", "ID", "eventx", "retry ", "foo", "", BOM + "data"]
)
digits = st.text(st.sampled_from("0123456789"), min_size=1, max_size=6)


@st.composite
def field_lines(draw: st.DrawFn) -> str:
    """One field line as a server might write it: with or without colon and space."""
    name = draw(st.one_of(names, names, names, odd_names))
    value = draw(digits) if name == "retry" and draw(st.booleans()) else draw(values)
    form = draw(st.sampled_from(["{n}: {v}", "{n}:{v}", "{n}", "{n}:  {v}"]))
    line = form.format(n=name, v=value)
    # A line of an odd name with no colon that starts with a colon would be a comment.
    return line if not line.startswith(":") else "x" + line


lines_strategy = st.lists(
    st.one_of(
        field_lines(),
        st.just(""),
        st.just(""),
        st.builds(lambda v: ":" + v, values),
    ),
    max_size=14,
)
seeds = st.one_of(st.just(""), st.sampled_from(["0", "41"]), values.filter(lambda v: "\0" not in v))
endings_strategy = st.lists(st.sampled_from(NEWLINES), min_size=1, max_size=4)
tails = st.one_of(st.just(""), field_lines(), values)


@dataclass(frozen=True)
class Framing:
    """How lines become a stream: endings used in turn, an unterminated tail, a leading BOM."""

    endings: list[str]
    tail: str = ""
    bom: bool = False


framings = st.builds(Framing, endings_strategy, tails, st.booleans())
cut_points = st.lists(st.integers(min_value=0, max_value=10_000), max_size=6)


@st.composite
def event_lists(draw: st.DrawFn) -> list[Event]:
    """Events an encoder can frame: types non-empty, ids without line breaks or NUL."""
    ids = st.text(st.one_of(chars, st.just("7")), max_size=6).filter(lambda v: "\0" not in v)
    types = st.one_of(st.just("message"), st.text(chars, min_size=1, max_size=8))
    events: list[Event] = []
    last_id = ""
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        if draw(st.booleans()):
            last_id = draw(ids)
        events.append(Event(draw(types), draw(any_text), last_id))
    return events


ATOMS = [b"\r", b"\n", b"\r\n", b":", b" ", b"data", b"id", b"event", b"retry", b"5", b"x", b"\0"]
ATOMS += [b"\xef\xbb\xbf", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xe2\x80\xa8", b"\xc2\x85"]
ATOMS += [b"\xff", b"\xc3", b"\xf0\x9f", b"\xed\xa0\x80", b"\x80"]
"""Bytes that matter to a parser: line ends, field names, BOM, multi-byte and invalid UTF-8."""
byte_atoms = st.sampled_from(ATOMS)
raw_streams = st.one_of(st.lists(byte_atoms, max_size=30).map(b"".join), st.binary(max_size=40))


# --- properties ------------------------------------------------------------------------------


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
