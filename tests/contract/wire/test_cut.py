"""The resume fuzzer's planned drops: the cutter finds the same byte however a body is chunked,
and the client stops there on a real socket."""

from __future__ import annotations

import itertools
from dataclasses import replace

import aiohttp
from aiohttp import web
from hypothesis import example, given
from hypothesis import strategies as st

from contract import Ending, Event, EventParser, Recording, encode
from contract.run.client import abandon, record
from contract.run.target import Target, raw_request
from contract.spec.model import Limits
from contract.wire.cut import Cutter
from tests.servers.scripted import Reply, serve_app
from tests.support.serving import wait_for

LIMITS = Limits(seconds=5.0, idle_seconds=2.0)


def dispatches(body: bytes) -> list[int]:
    """Oracle: for each event, the length of the shortest prefix of ``body`` that completes it."""
    parser = EventParser()
    ends: list[int] = []
    for index in range(len(body)):
        ends += [index + 1] * len(parser.feed(body[index : index + 1]))
    return ends


def expected_cut(body: bytes, events: int, extra: int) -> int | None:
    """Where the drop after ``events`` events and ``extra`` bytes falls (``None``: never)."""
    ends = dispatches(body)
    if events > len(ends):
        return None
    start = ends[events - 1] if events else 0
    if events < len(ends) and ends[events] <= start + extra:
        return ends[events] - 1  # the byte that completes the next event is never read
    return start + extra if start + extra <= len(body) else None


def cut_in_chunks(cutter: Cutter, body: bytes, splits: list[int]) -> int | None:
    """Feed ``body`` in chunks; the total bytes before the drop, or ``None``."""
    bounds = [0, *sorted(set(splits)), len(body)]
    for start, end in itertools.pairwise(bounds):
        cut = cutter.cut(body[start:end])
        if cut is not None:
            return start + cut
    return None


texts = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=8)
streams = st.builds(
    lambda events, newline, comment, bom: (
        (b"\xef\xbb\xbf" if bom else b"")
        + b"".join(
            (b": ping" + newline.encode() if comment else b"") + encode([e], newline=newline)
            for e in events
        )
    ),
    st.lists(
        st.builds(Event, st.sampled_from(["message", "tick"]), texts, st.integers(0, 99).map(str)),
        max_size=6,
    ),
    st.sampled_from(["\n", "\r", "\r\n"]),
    st.booleans(),
    st.booleans(),
)


@given(streams, st.integers(0, 7), st.integers(0, 40), st.lists(st.integers(0, 400)))
@example(b"data: a\r\n\r\ndata: b\r\n\r\n", 1, 1, [10, 11])
@example(b"data: a\n\ndata: b\n\n", 0, 0, [])
@example(b"data: a\n\ndata: b\n\n", 1, 30, [])
def test_the_drop_falls_on_the_same_byte_for_any_chunking(
    body: bytes, events: int, extra: int, splits: list[int]
) -> None:
    splits = [split % (len(body) + 1) for split in splits]
    want = expected_cut(body, events, extra)
    assert cut_in_chunks(Cutter(events, extra), body, splits) == want
    if want is not None:
        kept = EventParser().feed(body[:want])
        assert kept == EventParser().feed(body)[: len(kept)]
        assert len(kept) == events


def test_a_drop_right_after_the_head_takes_nothing() -> None:
    assert Cutter(0, 0).cut(b"") == 0
    assert Cutter(0, 3).cut(b"") is None
    assert Cutter(1, 0).cut(b"") is None


async def recorded(body: bytes, *targets: Target) -> list[Recording]:
    """``body`` served at /stream, recorded once per target (URLs relative to the server)."""
    async with serve_app(lambda request: Reply([body])) as base, aiohttp.ClientSession() as session:
        return [
            await record(session, replace(target, url=base + target.url), LIMITS)
            for target in targets
        ]


async def test_the_client_drops_mid_event_and_keeps_only_complete_events() -> None:
    events = [Event("message", f"event {n}", str(n)) for n in range(4)]
    dropped, whole, at_head = await recorded(
        encode(events),
        Target("/stream", drop=(2, 5)),
        Target("/stream"),
        Target("/stream", last_event_id="7", drop=(0, 0)),
    )
    assert dropped.ending is Ending.DROPPED
    assert dropped.event_list() == events[:2]
    assert dropped.framing.total_bytes == len(encode(events[:2])) + 5
    assert whole.ending is Ending.EOF
    assert whole.event_list() == events
    assert at_head.ending is Ending.DROPPED
    assert at_head.status == 200
    assert at_head.framing.total_bytes == 0


async def test_an_event_without_an_id_carries_the_id_the_client_resumed_from() -> None:
    (resumed,) = await recorded(b"data: no id\n\n", Target("/stream", last_event_id="7"))
    assert resumed.event_list() == [Event("message", "no id", "7")]


async def test_abandon_sends_the_request_and_closes_before_the_head() -> None:
    seen: list[str | None] = []

    def respond(request: web.Request) -> Reply:
        seen.append(request.headers.get("Last-Event-ID"))
        return Reply([b"data: x\n\n"])

    async with serve_app(respond) as base:
        target = Target(base + "/stream?x=1", headers=(("Last-Event-ID", "4"),))
        assert await abandon(target, LIMITS) == ""
        assert await wait_for(lambda: bool(seen), 2.0)
    assert seen == ["4"]
    request = raw_request(target)
    assert request.startswith(b"GET /stream?x=1 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAccept: text/event-stream\r\n" in request
    assert request.endswith(b"\r\nLast-Event-ID: 4\r\nConnection: close\r\n\r\n")


async def test_abandon_says_why_nothing_was_sent() -> None:
    assert await abandon(Target("http://127.0.0.1:9/stream"), LIMITS) != ""
