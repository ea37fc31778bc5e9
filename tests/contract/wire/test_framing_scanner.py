"""``LineScanner``, which counts a body's framing chunk by chunk, against a line-by-line model.

The scanner works on whole chunks (counts and splits, no regex per line) so that a flood
of tiny lines costs the client little; the model here splits the whole body with a regex
and looks at one line at a time, as the counts are defined. Fed whole, byte by byte or in
random pieces, the scanner must agree with it on every count, and on the longest line and
largest event, which the client's size limits read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import example, given
from hypothesis import strategies as st

from contract.wire.framing import Framing, LineScanner

BREAK = re.compile(rb"\r\n|\r|\n")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Counts:
    """What the scanner reports about a body: its framing, the longest line, the largest event."""

    framing: Framing
    longest_line: int
    largest_event: int


def model(body: bytes) -> Counts:
    """The counts of ``body`` (which ends at EOF), one line at a time."""
    endings = [m.group() for m in BREAK.finditer(body)]
    *lines, tail = BREAK.split(body)
    first = True
    counts = dict.fromkeys(("comments", "retry", "unknown", "invalid", "nul"), 0)
    pending = largest = longest = 0
    has_data = bom = False
    if lines and lines[0].startswith(BOM):
        bom, lines[0] = True, lines[0][len(BOM) :]
    for line in lines:
        first = False
        longest = max(longest, len(line))
        if not line:
            largest = max(largest, pending)
            pending, has_data = 0, False
            continue
        if line.startswith(b":"):
            counts["comments"] += 1
            continue
        name = line.split(b":", 1)[0]
        if name == b"retry":
            counts["retry"] += 1
        elif name not in (b"data", b"event", b"id"):
            counts["unknown"] += 1
        else:
            try:
                line.decode()
            except UnicodeDecodeError:
                counts["invalid"] += 1
            counts["nul"] += name == b"id" and b"\0" in line
            has_data = has_data or name == b"data"
            pending += len(line) + 1
    unfinished = tail.removeprefix(BOM) if first else tail
    cut_off = pending + len(unfinished) if has_data or unfinished[:1] not in (b"", b":") else 0
    framing = Framing(
        total_bytes=len(body),
        lf=endings.count(b"\n"),
        crlf=endings.count(b"\r\n"),
        cr=endings.count(b"\r"),
        bom=bom,
        comments=counts["comments"],
        retry_fields=counts["retry"],
        unknown_fields=counts["unknown"],
        invalid_utf8_lines=counts["invalid"],
        nul_ids=counts["nul"],
        cut_off=cut_off,
    )
    return Counts(framing, max(longest, len(tail)), max(largest, pending + len(tail)))


def scanned(chunks: Sequence[bytes]) -> Counts:
    """Feed ``chunks`` to a scanner, all at time 0, then close it at EOF."""
    scanner = LineScanner()
    for chunk in chunks:
        scanner.feed(chunk, 0.0)
    longest, largest = scanner.longest_line, scanner.largest_event
    framing = scanner.close(0.0, eof=True)
    return Counts(_without_chunks(framing), longest, largest)


def _without_chunks(framing: Framing) -> Framing:
    """The counts that do not depend on how the body was cut."""
    return Framing(
        **{
            name: getattr(framing, name)
            for name in Framing.__slots__
            if name not in ("chunks", "smallest_chunk", "largest_chunk")
        }
    )


def cut(body: bytes, points: Sequence[int]) -> list[bytes]:
    """``body`` cut at the given offsets."""
    edges = [0, *sorted(p % (len(body) + 1) for p in points), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(edges)]


pieces = st.sampled_from(
    [
        b"data: x",
        b"data: \xff",
        "data: é".encode(),
        b"event: \xc3",
        b"data:",
        b"data",
        b"event: tick",
        b"id: 7",
        b"id: \x00",
        b"retry: 10",
        b": ping",
        b":",
        b"foo: bar",
        b"datax: y",
        b"\xff\xfe",
        b"\xc3",
        b"\xa9",
        "é😀".encode(),
        BOM,
        b" ",
    ]
)
line_breaks = st.sampled_from([b"\n", b"\r", b"\r\n", b"\n\n", b"\r\r\n"])
bodies = st.lists(st.one_of(pieces, line_breaks), max_size=30).map(b"".join)


@given(bodies, st.lists(st.integers(min_value=0), max_size=8))
@example(b"\xef\xbb\xbf: hi\r", [4])
@example(b"data: x\r", [8])
@example(b"data: x\r\n\r\n", [8, 9])
@example(b"\xef\xbb", [1])
@example(b"data: \xff\n: \xff\nid: \x00\n\n", [])
def test_the_scanner_agrees_with_the_model_however_the_body_is_cut(
    body: bytes, points: list[int]
) -> None:
    expected = model(body)
    assert scanned([body]) == expected
    assert scanned(cut(body, points)) == expected


@given(bodies)
def test_byte_by_byte_gives_the_same_counts(body: bytes) -> None:
    assert scanned([body[i : i + 1] for i in range(len(body))]) == model(body)


def test_chunks_are_counted_as_they_arrive_and_lines_as_scanned() -> None:
    scanner = LineScanner()
    scanner.arrived(10, 0.5)
    scanner.scan(b"data: ")
    scanner.scan(b"x\n\n")
    scanner.feed(b": ping\n", 2.0)
    framing = scanner.close(2.5, eof=True)
    assert (framing.chunks, framing.smallest_chunk, framing.largest_chunk) == (2, 7, 10)
    assert framing.total_bytes == 17
    assert (framing.lf, framing.comments, framing.cut_off) == (3, 1, 0)
    assert (framing.longest_silence, framing.silence_from) == (1.5, 0.5)
