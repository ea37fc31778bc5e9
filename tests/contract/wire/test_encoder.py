"""encode_event and encode: exact bytes for simple events, clear errors for what cannot be sent."""

from __future__ import annotations

import re

import pytest

from contract import Event, EventParser, encode, encode_event

NEWLINES = ["\n", "\r\n", "\r"]


def parse(stream: bytes) -> list[Event]:
    """The events a browser reads from a whole response."""
    parser = EventParser()
    return parser.feed(stream) + parser.close()


@pytest.mark.parametrize("nl", NEWLINES)
def test_data_only(nl: str) -> None:
    assert encode_event("hello", newline=nl) == f"data: hello{nl}{nl}".encode()


@pytest.mark.parametrize("nl", NEWLINES)
def test_every_field_in_order(nl: str) -> None:
    got = encode_event("a", type="progress", id="7", retry=1500, newline=nl)
    assert got == f"id: 7{nl}event: progress{nl}retry: 1500{nl}data: a{nl}{nl}".encode()


@pytest.mark.parametrize("nl", NEWLINES)
@pytest.mark.parametrize("data", ["a\nb", "a\r\nb", "a\rb"])
def test_each_line_of_data_is_a_data_line(nl: str, data: str) -> None:
    assert encode_event(data, newline=nl) == f"data: a{nl}data: b{nl}{nl}".encode()


@pytest.mark.parametrize("nl", NEWLINES)
def test_empty_data_and_trailing_line_break(nl: str) -> None:
    assert encode_event("", newline=nl) == f"data: {nl}{nl}".encode()
    assert encode_event("x\n", newline=nl) == f"data: x{nl}data: {nl}{nl}".encode()


def test_values_are_written_verbatim_after_one_space() -> None:
    got = encode_event(" lead: é\u2028😀", type=" t", id=" i")
    assert got == "id:  i\nevent:  t\ndata:  lead: é\u2028😀\n\n".encode()
    assert parse(got) == [Event(" t", " lead: é\u2028😀", " i")]


def test_empty_id_and_zero_retry_are_written() -> None:
    assert encode_event("x", id="", retry=0) == b"id: \nretry: 0\ndata: x\n\n"


@pytest.mark.parametrize("nl", NEWLINES)
def test_encode_writes_ids_and_types(nl: str) -> None:
    events = [Event("start", "a", "0"), Event("message", "b", "0"), Event("end", "c\nd", "1")]
    want = (
        f"id: 0{nl}event: start{nl}data: a{nl}{nl}"
        f"id: 0{nl}data: b{nl}{nl}"
        f"id: 1{nl}event: end{nl}data: c{nl}data: d{nl}{nl}"
    ).encode()
    assert encode(events, newline=nl) == want
    assert parse(want) == events


def test_encode_without_ids_writes_only_changes() -> None:
    events = [Event("message", "a"), Event("message", "b", "5"), Event("message", "c", "5")]
    events.append(Event("message", "d"))
    got = encode(events, with_ids=False)
    assert got == b"data: a\n\nid: 5\ndata: b\n\ndata: c\n\nid: \ndata: d\n\n"
    assert parse(got) == events


def test_encode_nothing() -> None:
    assert encode([]) == b""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "a\nb"}, "id must not contain a line break or NUL, got 'a\\nb'"),
        ({"id": "a\rb"}, "id must not contain a line break or NUL, got 'a\\rb'"),
        ({"id": "a\x00"}, "id must not contain a line break or NUL, got 'a\\x00'"),
        ({"type": ""}, "type must be non-empty without line breaks, got ''"),
        ({"type": "a\r\nb"}, "type must be non-empty without line breaks, got 'a\\r\\nb'"),
        ({"type": "a\nb"}, "type must be non-empty without line breaks, got 'a\\nb'"),
        ({"retry": -1}, "retry must be a non-negative int, got -1"),
        ({"retry": True}, "retry must be a non-negative int, got True"),
        ({"retry": 1.5}, "retry must be a non-negative int, got 1.5"),
        ({"newline": "\n\n"}, "newline must be one of ('\\n', '\\r\\n', '\\r'), got '\\n\\n'"),
        ({"newline": ""}, "newline must be one of ('\\n', '\\r\\n', '\\r'), got ''"),
        ({"id": "\udc80"}, "id must be valid Unicode text (no lone surrogates), got '\\udc80'"),
        (
            {"type": "a\ud800"},
            "type must be valid Unicode text (no lone surrogates), got 'a\\ud800'",
        ),
    ],
)
def test_encode_event_refuses_bad_fields(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode_event("x", **fields)  # type: ignore[arg-type]


def test_encode_event_refuses_unencodable_data() -> None:
    message = "data must be valid Unicode text (no lone surrogates), got 'ok\\ud800'"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode_event("ok\ud800")


def test_encode_names_the_bad_event() -> None:
    events = [Event("message", "a", "1"), Event("message", "b", "2\x00")]
    message = "event 1: id must not contain a line break or NUL, got '2\\x00'"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode(events)
    with pytest.raises(ValueError, match=r"^event 0: type must be non-empty"):
        encode([Event("", "a")])
    with pytest.raises(ValueError, match=r"^newline must be one of"):
        encode([], newline="\n\r")
