"""Content-Encoding undone as a browser undoes it: every coding whole, byte by byte and in random
pieces; output bounded by the room given, so a bomb costs no memory past a limit."""

from __future__ import annotations

import itertools
import tracemalloc
import zlib
from collections.abc import Iterator

import brotli
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from contract.wire.decoding import ACCEPT_ENCODING, Decoder, DecodingError, codings
from tests.servers.compressed import BOMB_UNIT, bomb, compressor

BODY = b"".join(f"id: {i}\nevent: tick\ndata: {'x' * (i % 7)} {i}\n\n".encode() for i in range(300))
ROOM = 1 << 30


def compressed(coding: str, pieces: list[bytes]) -> list[bytes]:
    """``pieces`` compressed with ``coding``, flushed after each one, then the end."""
    squeeze = compressor(coding)
    return [*(squeeze.piece(piece) for piece in pieces), squeeze.end()]


def decode(header: str, parts: list[bytes], room: int = ROOM) -> bytes:
    decoder = Decoder(header)
    out = b"".join(decoder.feed(part, room) for part in parts)
    return out + decoder.flush(room)


def test_the_suite_asks_for_what_chromium_asks_for() -> None:
    assert ACCEPT_ENCODING == "gzip, deflate, br, zstd"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ()),
        ("", ()),
        ("identity", ()),
        ("GZIP", ("gzip",)),
        ("x-gzip", ("gzip",)),
        ("gzip, br", ("gzip", "br")),
        (" zstd ,identity", ("zstd",)),
        ("deflate", ("deflate",)),
    ],
)
def test_codings_are_read_from_the_header(header: str | None, expected: tuple[str, ...]) -> None:
    assert codings(header) == expected


@pytest.mark.parametrize("header", ["compress", "gzip, sdch", "bzip2"])
def test_a_coding_no_browser_decodes_is_named(header: str) -> None:
    with pytest.raises(ValueError, match="not one a browser decodes"):
        Decoder(header)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_each_flushed_piece_decodes_as_it_arrives(coding: str) -> None:
    pieces = [BODY[i : i + 100] for i in range(0, len(BODY), 100)]
    decoder = Decoder(coding)
    for piece, squeezed in zip(pieces, compressed(coding, pieces), strict=False):
        assert decoder.feed(squeezed, ROOM) == piece
    assert decoder.trailing == 0


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
@given(cuts=st.lists(st.integers(0, 4000), max_size=8))
def test_any_split_of_the_compressed_bytes_decodes_the_same(coding: str, cuts: list[int]) -> None:
    whole = b"".join(compressed(coding, [BODY]))
    bounds = sorted({0, len(whole), *(c % (len(whole) + 1) for c in cuts)})
    parts = [whole[a:b] for a, b in itertools.pairwise(bounds)]
    assert decode(coding, parts) == BODY


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_byte_by_byte(coding: str) -> None:
    whole = b"".join(compressed(coding, [BODY[:2000]]))
    assert decode(coding, [whole[i : i + 1] for i in range(len(whole))]) == BODY[:2000]


def test_deflate_raw_or_wrapped_as_chromium_takes_both() -> None:
    raw = zlib.compressobj(wbits=-15)
    assert decode("deflate", [raw.compress(BODY) + raw.flush()]) == BODY
    assert decode("deflate", [zlib.compress(BODY)]) == BODY


def test_layers_are_undone_last_first() -> None:
    inner = b"".join(compressed("gzip", [BODY]))
    outer = b"".join(compressed("br", [inner]))
    assert decode("gzip, br", [outer]) == BODY


def test_bytes_after_the_end_of_a_stream_are_ignored_and_counted() -> None:
    first = b"".join(compressed("gzip", [b"data: 1\n\n"]))
    second = b"".join(compressed("gzip", [b"data: 2\n\n"]))
    decoder = Decoder("gzip")
    assert decoder.feed(first + second[:5], ROOM) == b"data: 1\n\n"
    assert decoder.feed(second[5:], ROOM) == b""
    assert decoder.trailing == len(second)
    zstd = Decoder("zstd")  # zstd frames follow one another, in a browser too
    assert zstd.feed(b"".join(compressed("zstd", [b"a"])) * 2, ROOM) == b"aa"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_body_that_does_not_decode_is_an_error(coding: str) -> None:
    with pytest.raises(DecodingError, match=coding):
        decode(coding, [b"\x00\x01 this is not compressed at all " * 10])


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_no_more_than_the_room_comes_back(coding: str) -> None:
    unit = next(bomb(coding))
    decoder = Decoder(coding)
    out = decoder.feed(unit, 1000)
    assert len(out) == 1000
    assert out == (b": x\n" * 250)


def test_a_zstd_frame_asking_for_a_window_past_8_mib_is_refused() -> None:
    wide = zstandard.ZstdCompressor(
        compression_params=zstandard.ZstdCompressionParameters(window_log=24)
    ).compress(bytes(range(256)) * (1 << 16))
    with pytest.raises(DecodingError, match="zstd"):
        decode("zstd", [wide])


def feed_bomb(coding: str, units: Iterator[bytes], limit: int) -> tuple[int, int]:
    """Decode ``units`` within ``limit`` bytes; the bytes decoded, and the peak of memory
    Python allocated meanwhile (the decoders' own windows are not counted)."""
    decoder = Decoder(coding)
    total = 0
    first = next(units)  # made before measuring: the test's own compressor is not counted
    tracemalloc.start()
    try:
        for unit in itertools.chain([first], units):
            total += len(decoder.feed(unit, limit - total + 1))
            if total > limit:
                break
        return total, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("coding", ["gzip", "zstd", "br"])
def test_a_bomb_stops_at_the_limit_with_bounded_memory(coding: str) -> None:
    limit = 4 << 20
    total, peak = feed_bomb(coding, bomb(coding), limit)
    assert total == limit + 1
    assert peak < 3 * limit  # one unit alone decodes to 4x the limit


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_an_endless_bomb_decodes_unit_after_unit(coding: str) -> None:
    parts = bomb(coding)
    decoder = Decoder(coding)
    for _ in range(3):
        part = next(parts)
        assert len(part) < 20_000
        assert decoder.feed(part, ROOM) == BOMB_UNIT
    assert brotli.decompress(next(bomb("br"))) == BOMB_UNIT
