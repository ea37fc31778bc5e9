"""A model of the WHATWG steps of "interpreting an event stream", and Hypothesis strategies for
streams: lines, framings, chunkings and raw bytes that matter to a parser.

The model applies the standard line by line to already split lines, as literally as the
standard words them
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from contract import Event, EventParser

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
