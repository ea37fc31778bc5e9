"""Where a /stream server's CPU goes at interval 0, in the groups docs/benchmarks.md shows.

The server runs pinned as in the benchmark, with 200 streams in flight. Each sample
counts in the first group one of whose frames it contains.
"""

from __future__ import annotations

import asyncio

from benchmarks.procs import running
from benchmarks.server.kinds import ServerKind
from benchmarks.server.loadgen import run_streams
from benchmarks.server.suite import EVENTS

from .pyspy import OTHER, Groups, Recording, matches

GROUPS: Groups = (
    ("send() system calls (transport.write)", ("_SelectorSocketTransport.write ",)),
    ("TCP_USER_TIMEOUT get/setsockopt", ("_set_tcp_user_timeout", "_restore_tcp_user_timeout")),
    ("asyncio.timeout around writes", ("Timeout.__a",)),
    (
        "ping task or timer: create, cancel, wait",
        (
            "_ping (aiohttp_sse",
            "aiohttp_sse/__init__.py:89)",
            "EventSourceResponse.wait",
            "_arm_ping",
            "TimerHandle.cancel",
            "__aexit__ (aiohttp_sse",
        ),
    ),
    ("aiohttp-sse send(): framing each event", ("EventSourceResponse.send (",)),
    (
        "accept, transport set-up, close",
        ("_accept_connection", "socket._real_close", "_call_connection_lost", "connection_made"),
    ),
)


def classify(stack: str) -> str:
    """The first group one of whose patterns is anywhere in the stack."""
    return next((name for name, patterns in GROUPS if matches(stack, patterns)), OTHER)


def profile_server(kind: ServerKind, seconds: float, recording: Recording) -> str:
    """Record ``kind`` under 200 concurrent streams; a line saying what it served meanwhile."""
    with running(kind, 0.0) as server:
        recording.start(server.proc.pid)
        result = asyncio.run(
            run_streams(
                "127.0.0.1",
                server.port,
                concurrency=200,
                duration=seconds,
                warmup=0.5,
                expected_events=EVENTS,
            )
        )
        recording.wait()
    return f"{kind.label}: {result.streams_per_s:,.0f} streams/s under py-spy"
