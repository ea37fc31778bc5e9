"""The parser's table of cases: each a stream and the events and state a browser ends with.

The rules are those of WHATWG HTML "interpreting an event stream":
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contract import Event


@dataclass(frozen=True)
class Case:
    """One stream and what a browser makes of it once the response ends."""

    name: str
    stream: bytes
    events: tuple[Event, ...] = ()
    last_event_id: str = ""
    retry: int | None = None
    seed: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Outcome:
    """Everything the parser reports after a whole response."""

    events: list[Event]
    last_event_id: str
    retry: int | None


def M(data: str, last_event_id: str = "") -> Event:
    """An event of the default type."""
    return Event("message", data, last_event_id)


# The examples of the standard (9.2.1, 9.2.4 and 9.2.6), transcribed as data.
SPEC_EXAMPLES = [
    Case(
        "spec: three messages, one of two lines",
        b"data: This is the first message.\n\n"
        b"data: This is the second message, it\n"
        b"data: has two lines.\n\n"
        b"data: This is the third message.\n\n",
        (
            M("This is the first message."),
            M("This is the second message, it\nhas two lines."),
            M("This is the third message."),
        ),
    ),
    Case(
        "spec: event types add and remove",
        b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
        (Event("add", "73857293"), Event("remove", "2153"), Event("add", "113411")),
    ),
    Case("spec: YHOO +2 10", b"data: YHOO\ndata: +2\ndata: 10\n\n", (M("YHOO\n+2\n10"),)),
    Case(
        "spec: four blocks, id reset, one space stripped",
        b": test stream\n\n"
        b"data: first event\nid: 1\n\n"
        b"data:second event\nid\n\n"
        b"data:  third event\n\n",
        (M("first event", "1"), M("second event", ""), M(" third event", "")),
    ),
    Case(
        "spec: empty data, a lone newline, an unterminated block",
        b"data\n\ndata\ndata\n\ndata:",
        (M(""), M("\n")),
    ),
    Case("spec: data:test twice", b"data:test\n\ndata: test\n\n", (M("test"), M("test"))),
]

LINE_ENDINGS = [
    Case("LF", b"data: a\ndata: b\n\n", (M("a\nb"),)),
    Case("CRLF", b"data: a\r\ndata: b\r\n\r\n", (M("a\nb"),)),
    Case("CR", b"data: a\rdata: b\r\r", (M("a\nb"),)),
    Case("mixed", b"data: a\rdata: b\r\ndata: c\n\r\n", (M("a\nb\nc"),)),
    Case("CRLF counts once", b"data: a\r\n\r\ndata: b\r\r\n", (M("a"), M("b"))),
    Case("LF then CR is two line ends", b"data: a\n\rdata: b\n\n", (M("a"), M("b"))),
    Case("a final CR ends the blank line at once", b"data: a\r\r", (M("a"),)),
    Case(
        "U+2028, U+2029, NEL, VT, FF are not line breaks",
        "data: a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\n\n".encode(),
        (M("a\u2028b\u2029c\x85d\x0be\x0cf\x1cg"),),
    ),
    Case(
        "U+2028 in id and type",
        "id: 1\u20282\nevent: x\u2028y\ndata: z\n\n".encode(),
        (Event("x\u2028y", "z", "1\u20282"),),
        "1\u20282",
    ),
]

FIELDS = [
    Case("comments are ignored", b": hi\n:\n::data: x\ndata: y\n: between\n\n", (M("y"),)),
    Case("unknown fields are ignored", b"foo: bar\nDATA: x\nData: y\ndata: z\n\n", (M("z"),)),
    Case("a field name with a trailing space is unknown", b"data :x\n\n"),
    Case("a field name with a leading space is unknown", b" data: x\n\n"),
    Case("data with no colon is an empty line of data", b"data\n\n", (M(""),)),
    Case("data: with an empty value", b"data:\n\n", (M(""),)),
    Case("data: with only a space", b"data: \n\n", (M(""),)),
    Case("one leading space stripped, not two", b"data:  x\n\n", (M(" x"),)),
    Case("a tab is not stripped", b"data:\tx\n\n", (M("\tx"),)),
    Case("trailing spaces are kept", b"data: x  \n\n", (M("x  "),)),
    Case("colons after the first belong to the value", b"data: a: b:c\n\n", (M("a: b:c"),)),
    Case("data lines joined with LF", b"data: a\ndata:\ndata: b\ndata:\n\n", (M("a\n\nb\n"),)),
    Case("NUL in data is kept", b"data: a\x00b\n\n", (M("a\x00b"),)),
    Case("type is message by default", b"data: x\n\n", (M("x"),)),
    Case("event: with an empty value is message", b"event:\ndata: x\n\n", (M("x"),)),
    Case("event with no colon is message", b"event\ndata: x\n\n", (M("x"),)),
    Case("the last event line wins", b"event: a\nevent: b\ndata: x\n\n", (Event("b", "x"),)),
    Case(
        "the type does not carry over",
        b"event: a\ndata: x\n\ndata: y\n\n",
        (Event("a", "x"), M("y")),
    ),
    Case(
        "an event with no data is not dispatched, and its type is reset",
        b"event: a\n\ndata: x\n\nevent: b\nevent\n\ndata: y\n\n",
        (M("x"), M("y")),
    ),
    Case("a type is kept verbatim", b"event:  Add:1 \ndata: x\n\n", (Event(" Add:1 ", "x"),)),
]

IDS = [
    Case(
        "the last event id persists across events",
        b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
        (M("a", "1"), M("b", "1"), M("c", "2")),
        "2",
    ),
    Case(
        "an id after the data still belongs to the event",
        b"data: a\nid: 7\n\n",
        (M("a", "7"),),
        "7",
    ),
    Case("an id is set on dispatch even with no data", b"id: 5\n\n", (), "5"),
    Case("an id before a heartbeat makes no phantom event", b"id: 5\n: ping\n\n", (), "5"),
    Case(
        "a heartbeat between events changes nothing",
        b"id: 1\ndata: a\n\n: ping\n\nid: 2\n: ping\n\ndata: b\n\n",
        (M("a", "1"), M("b", "2")),
        "2",
    ),
    Case(
        "an undispatched id does not count",
        b"id: 1\ndata: a\n\nid: 2\ndata: b\n",
        (M("a", "1"),),
        "1",
    ),
    Case(
        "an id containing NUL is ignored", b"id: 1\n\nid: 2\x00\ndata: x\n\n", (M("x", "1"),), "1"
    ),
    Case("id: with no value resets", b"id: 1\ndata: a\n\nid:\ndata: b\n\n", (M("a", "1"), M("b"))),
    Case("id with no colon resets", b"id: 1\ndata: a\n\nid\ndata: b\n\n", (M("a", "1"), M("b"))),
    Case("an id keeps colons and spaces", b"id:  a:b \ndata: x\n\n", (M("x", " a:b "),), " a:b "),
    Case("a non-numeric id", "id: é😀\ndata: x\n\n".encode(), (M("x", "é😀"),), "é😀"),
    Case("the seed is the first last event id", b"data: x\n\n", (M("x", "41"),), "41", seed="41"),
    Case("a seed survives a blank line", b"\n\n: ping\n\n", (), "41", seed="41"),
    Case("a seed can be reset", b"id\ndata: x\n\n", (M("x"),), "", seed="41"),
    Case("a seed is replaced", b"id: 42\ndata: x\n\n", (M("x", "42"),), "42", seed="41"),
    Case("a seed stays until dispatch", b"id: 42\ndata: x\n", (), "41", seed="41"),
]

RETRY = [
    Case("retry: digits", b"retry: 1500\n", (), "", 1500),
    Case("retry: zero", b"retry: 0\n", (), "", 0),
    Case("retry: no space", b"retry:250\n", (), "", 250),
    Case("retry: the last valid one wins", b"retry: 1\nretry: x\nretry: 2\nretry: -3\n", (), "", 2),
    Case("retry applies without a blank line", b"retry: 9\ndata: x\n", (), "", 9),
    Case("retry is not an event", b"retry: 9\n\n", (), "", 9),
    Case("retry: Arabic-Indic three", "retry: \u0663\n".encode()),
    Case("retry: superscript two", "retry: \xb2\n".encode()),
    Case("retry: fullwidth digits", "retry: \uff15\n".encode()),
    Case("retry: plus sign", b"retry: +5\n"),
    Case("retry: minus sign", b"retry: -5\n"),
    Case("retry: unit", b"retry: 5ms\n"),
    Case("retry: underscore", b"retry: 1_000\n"),
    Case("retry: hex", b"retry: 0x10\n"),
    Case("retry: decimal point", b"retry: 5.0\n"),
    Case("retry: two leading spaces", b"retry:  5\n"),
    Case("retry: trailing space", b"retry: 5 \n"),
    Case("retry: empty", b"retry:\nretry\n"),
    Case("retry: leading zeros", b"retry: 007\n", (), "", 7),
    Case("retry: 5,001 digits, mostly leading zeros", b"retry: " + b"0" * 5000 + b"5\n", (), "", 5),
    Case("retry: 4,300 significant digits", b"retry: 1" + b"0" * 4299 + b"\n", (), "", 10**4299),
    Case("retry: 4,301 digits are ignored", b"retry: 3\nretry: 1" + b"0" * 4300 + b"\n", (), "", 3),
]

BOM = "\ufeff".encode()
ENCODING = [
    Case("one leading BOM is stripped", BOM + b"data: x\n\n", (M("x"),)),
    Case("a second BOM is not stripped", BOM + BOM + b"data: x\n\ndata: y\n\n", (M("y"),)),
    Case("a BOM alone on the first line", BOM + b"\ndata: x\n\n", (M("x"),)),
    Case("a BOM after the start is kept", b"data: a\n\n" + BOM + b"data: b\n\n", (M("a"),)),
    Case("a BOM inside a value is kept", b"data: " + BOM + b"x\n\n", (M("\ufeffx"),)),
    Case("a BOM after a comment is kept", b": c\n" + BOM + b"data: x\n\n"),
    Case("only a BOM", BOM),
    Case("a cut BOM is not a BOM", b"\xef\xbbdata: x\n\n"),
    Case("non-ASCII data", "data: héllo ✓ 日本語 😀\n\n".encode(), (M("héllo ✓ 日本語 😀"),)),
    Case("an invalid byte is U+FFFD", b"data: a\xffb\n\n", (M("a\ufffdb"),)),
    Case("a lone continuation byte is U+FFFD", b"data: \x80\n\n", (M("\ufffd"),)),
    Case("a truncated 2-byte sequence", b"data: \xc3\n\n", (M("\ufffd"),)),
    Case("a truncated 4-byte sequence is one U+FFFD", b"data: \xf0\x9f\x98\n\n", (M("\ufffd"),)),
    Case("an overlong encoding", b"data: \xc0\xaf\n\n", (M("\ufffd\ufffd"),)),
    Case("an encoded surrogate", b"data: \xed\xa0\x80\n\n", (M("\ufffd\ufffd\ufffd"),)),
    Case("above U+10FFFF", b"data: \xf4\x90\x80\x80\n\n", (M("\ufffd" * 4),)),
    Case("invalid bytes in a field name", b"dat\xffa: x\n\n"),
    Case("invalid bytes in an id", b"id: \xff\ndata: x\n\n", (M("x", "\ufffd"),), "\ufffd"),
    Case("a truncated sequence is a line of its own", b"data: x\n\xe2\x82\n\n", (M("x"),)),
]

UNTERMINATED = [
    Case("empty stream", b""),
    Case("blank lines only", b"\n\n\r\n\r\r"),
    Case("data with no line end", b"data: x"),
    Case("data with no blank line", b"data: x\n"),
    Case("the last event without a blank line is dropped", b"data: a\n\ndata: b\n", (M("a"),)),
    Case("a CR-ended line then nothing", b"data: a\r\rdata: b\r", (M("a"),)),
]

CASES = SPEC_EXAMPLES + LINE_ENDINGS + FIELDS + IDS + RETRY + ENCODING + UNTERMINATED
