"""Each limit of one recording holds exactly, however the bytes are cut into reads; probes keep
only what their comparison needs."""

from __future__ import annotations

import asyncio

import aiohttp

from contract import Ending, Event, Limits, Recording, encode
from contract.run.client import record
from contract.run.plan import ONE_MORE, probe_caps
from contract.run.target import Target
from tests.contract.support import CORE_EVENTS
from tests.servers.scripted import Reply, Step, serve_app

LIMITS = Limits(seconds=2.0, idle_seconds=1.0, max_event_bytes=16 * 1024)
BOUND = 10.0


async def record_steps(
    steps: list[Step], limits: Limits = LIMITS, max_kept: int | None = None
) -> Recording:
    """Serve ``steps`` at /stream and record them once."""
    async with (
        serve_app(lambda request: Reply(steps)) as base,
        asyncio.timeout(BOUND),
        aiohttp.ClientSession() as session,
    ):
        return await record(session, Target(base + "/stream", max_kept=max_kept), limits)


def big(size: int) -> bytes:
    """``size`` bytes of ``x``."""
    return b"x" * size


async def test_a_line_over_the_limit_is_not_kept_even_when_it_arrives_whole() -> None:
    recording = await record_steps(
        [b"data: a\n\n", 0.05, b"data: " + big(20_000) + b"\n\ndata: b\n\n"]
    )
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "a line longer than 16 KiB"
    assert [t.event.data for t in recording.events] == ["a"]


async def test_an_event_of_short_lines_over_the_limit_is_not_kept() -> None:
    lines = (b"data: " + big(1000) + b"\n") * 20
    recording = await record_steps([b"data: a\n\n", 0.05, lines + b"\n"])
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "an event longer than 16 KiB"
    assert [t.event.data for t in recording.events] == ["a"]


async def test_a_comment_line_over_the_limit_stops_the_recording() -> None:
    recording = await record_steps([b": " + big(20_000) + b"\n", b"data: a\n\n"])
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "a line longer than 16 KiB"
    assert not recording.events


async def test_the_events_within_the_byte_limit_are_kept() -> None:
    limits = Limits(seconds=2.0, idle_seconds=1.0, max_bytes=100)
    recording = await record_steps([b"data: x\n\n" * 50], limits)
    assert recording.ending is Ending.LIMIT
    assert recording.detail == "more than 100 bytes received"
    assert recording.framing.total_bytes == 100
    assert len(recording.events) == 100 // len(b"data: x\n\n")


async def test_the_events_limit_stops_at_the_first_event_past_it() -> None:
    limits = Limits(seconds=2.0, idle_seconds=1.0, max_events=7)
    recording = await record_steps([b"data: x\n\n" * 50], limits)
    assert recording.detail == "more than 7 events received"
    assert len(recording.events) == 7


async def test_a_probe_stops_at_the_characters_its_comparison_needs() -> None:
    steps: list[Step] = [encode(CORE_EVENTS[:1])] * 10
    first = CORE_EVENTS[0]
    cap = 3 * (len(first.type) + len(first.data) + len(first.last_event_id)) + 1
    recording = await record_steps(steps, max_kept=cap)
    assert recording.ending is Ending.LIMIT
    assert recording.detail == f"more than {cap} characters of events (all the comparison needs)"
    assert len(recording.events) == 3


def test_a_probe_keeps_its_reference_and_one_more_event() -> None:
    events, chars = probe_caps(CORE_EVENTS, Limits())
    sizes = [len(e.type) + len(e.data) + len(e.last_event_id) for e in CORE_EVENTS]
    assert events == len(CORE_EVENTS) + 1
    assert chars == sum(sizes) + ONE_MORE
    assert probe_caps([], Limits()) == (1, ONE_MORE)
    wide = [*CORE_EVENTS, Event("message", "y" * 10_000)]
    assert probe_caps(wide, Limits())[1] == sum(sizes) + 2 * 10_007


def test_probes_that_share_the_limits_keep_their_share() -> None:
    limits = Limits(max_events=1000, max_bytes=1 << 20)
    reference = [CORE_EVENTS[1]] * 5000
    assert probe_caps(reference, limits, shared_by=10) == (100, (1 << 20) // 10)
    assert probe_caps(reference[:10], limits, shared_by=10)[0] == 11
    assert probe_caps(reference, Limits(max_events=5, max_bytes=10), shared_by=10) == (1, ONE_MORE)
