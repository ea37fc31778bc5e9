"""The load clients' HTTP/1.1 reader: every framing fed whole, byte by byte and cut anywhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.load.http1 import MAX_HEAD, Malformed, ResponseReader

BODY = b"id: 1\ndata: one\n\nid: 2\ndata: two\n\n"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
CHUNKED = (
    HEAD
    + b"Transfer-Encoding: chunked\r\n\r\n"
    + b"".join(b"%x;ext=1\r\n%s\r\n" % (len(part), part) for part in (BODY[:10], BODY[10:]))
    + b"0\r\nX-Trailer: 1\r\n\r\n"
)
CASES = {
    "chunked": (CHUNKED, True),
    "length": (HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, True),
    "until close": (HEAD + b"\r\n" + BODY, False),
    "a 100 first": (b"HTTP/1.1 100 Continue\r\n\r\n" + CHUNKED, True),
}


def feed_all(pieces: list[bytes]) -> tuple[ResponseReader, bytes]:
    reader = ResponseReader()
    body = b"".join(reader.feed(piece) for piece in pieces)
    return reader, body


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("cut", ["whole", "bytes"])
def test_every_framing_gives_the_body_whole_or_byte_by_byte(name: str, cut: str) -> None:
    wire, done = CASES[name]
    pieces = [wire] if cut == "whole" else [wire[i : i + 1] for i in range(len(wire))]
    reader, body = feed_all(pieces)
    assert body == BODY
    assert reader.done is done
    assert reader.until_close is (name == "until close")
    assert reader.head is not None
    assert reader.head.status == 200
    assert reader.head.header("content-type") == "text/event-stream"


@given(
    st.sampled_from(sorted(CASES)),
    st.lists(st.integers(1, 400), max_size=12),
    st.binary(max_size=8),
)
def test_cut_anywhere_and_with_bytes_after_the_end(
    name: str, cuts: list[int], extra: bytes
) -> None:
    wire, done = CASES[name]
    points = sorted({min(c, len(wire)) for c in cuts})
    pieces = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    reader, body = feed_all([*pieces, extra] if done else pieces)
    assert body == BODY
    assert reader.done is done


def test_no_body_for_204_and_head_requests() -> None:
    reader, body = feed_all([b"HTTP/1.1 204 No Content\r\n\r\n"])
    assert (reader.done, body) == (True, b"")
    head_only = ResponseReader(no_body=True)
    assert head_only.feed(HEAD + b"Content-Length: 5\r\n\r\n") == b""
    assert head_only.done


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        (b"HTTX/1.1 200 OK\r\n\r\n", "not an HTTP/1.x status line: 'HTTX/1.1 200 OK'"),
        (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "not a header line: 'no colon'"),
        (HEAD + b"Content-Length: -1\r\n\r\n", "Content-Length '-1'"),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size b'zz'"),
        (
            HEAD + b"Transfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
            "chunk data longer than its size",
        ),
        (
            b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * (MAX_HEAD // 6),
            f"a response head longer than {MAX_HEAD} bytes",
        ),
    ],
)
def test_what_is_no_response_is_malformed_with_a_reason(wire: bytes, why: str) -> None:
    with pytest.raises(Malformed) as caught:
        ResponseReader().feed(wire)
    assert str(caught.value) == why
