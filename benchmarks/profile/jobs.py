"""Where a jobs server's CPU goes while it fans events out, in the groups of docs/benchmarks.md.

The design runs pinned as in the benchmark, with N viewers of one job, events written
one at a time as ``python -m benchmarks jobs`` does. Each sample counts in the group of
its innermost frame that matches one, up to the event loop's callback frame.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp

from aiohttp_sse_demo.jobs.model import events_path
from benchmarks.jobs.designs import JobsDesign
from benchmarks.jobs.redis_server import RedisProcess
from benchmarks.jobs.runner import Runner
from benchmarks.jobs.suite import HOST
from benchmarks.jobs.viewers import Audience
from benchmarks.procs import running

from .pyspy import OTHER, Groups, Recording, matches

GROUPS: Groups = (
    ("`send()` system calls (transport.write)", ("_SelectorSocketTransport.write ",)),
    (
        "waking a task per viewer (call_soon, Event, futures, task steps)",
        ("Event.wait", "Event.set", "wait_beyond", "call_soon"),
    ),
    ("Redis replies: reading and parsing (redis-py)", ("redis/",)),
    ("can the write go out now? (buffer sizes, limits)", ("can_write_now", "_cannot_block")),
    ("aiohttp's write path (chunk framing, checks)", ("StreamWriter.", "StreamResponse.write")),
    ("the channel and the viewers' loop (fanout.py, push.py, events.py)", ("jobs/",)),
)
CALLBACK = "Handle._run (asyncio/events.py"
"""The frame that runs every callback and task step of the event loop."""
WAKING = GROUPS[1][0]


def classify(stack: str) -> str:
    """The group of the innermost frame that matches one, read out to the callback frame.

    A sample whose innermost frame is the callback frame is a task step in C (waking a
    task); one that reaches it unmatched is something else.
    """
    frames: Sequence[str] = stack.split(";")[::-1]
    for depth, frame in enumerate(frames):
        if CALLBACK in frame:
            return WAKING if depth == 0 else OTHER
        for name, patterns in GROUPS:
            if matches(frame, patterns):
                return name
    return OTHER


def profile_jobs(
    design: str, viewers: int, seconds: float, redis: RedisProcess | None, recording: Recording
) -> str:
    """Record ``design`` fanning events out to ``viewers``; a line saying how fast it went."""
    rate = asyncio.run(_fan_out(design, viewers, seconds, redis, recording))
    label = JobsDesign(design).label
    return f"{label}, {viewers:,} viewers: {rate:.1f} events/s under py-spy"


async def _fan_out(
    design: str, viewers: int, seconds: float, redis: RedisProcess | None, spy: Recording
) -> float:
    kind = JobsDesign(design, redis.url if redis is not None else "")
    with running(kind, 0.0, graceful=False) as server:
        async with aiohttp.ClientSession(f"http://{HOST}:{server.port}") as http:
            runner = Runner(http, 60)
            job = await runner.create()
            async with Audience(HOST, server.port, events_path(job), viewers) as audience:
                await runner.emit(job, audience, 0)
                spy.start(server.proc.pid)
                await asyncio.sleep(0.5)  # py-spy attaches
                began, seq = time.monotonic(), 1
                while time.monotonic() - began < seconds:
                    await runner.emit(job, audience, seq)
                    seq += 1
                rate = (seq - 1) / (time.monotonic() - began)
                await asyncio.to_thread(spy.wait)
    return rate
