"""The /stream measurements: each server started fresh, the load generated from this process."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from aiohttp_sse_demo.tasks import script
from benchmarks.host import Say
from benchmarks.procs import cpu_seconds, rss_kib, running
from benchmarks.stats import percentile

from .kinds import ServerKind
from .loadgen import HeldConnections, run_streams

EVENTS = len(script())
HOLD_INTERVAL = 3600.0
"""Seconds of work before the third event: long enough that held streams stay open."""


@dataclass(frozen=True)
class Plan:
    """What to measure and for how long."""

    runs: int = 3
    duration: float = 5.0
    warmup: float = 1.0
    concurrency: tuple[int, ...] = (50, 200)
    latency_at: int = 50
    held: tuple[int, ...] = (1_000, 5_000, 10_000)
    parser_bytes: int = 20_000_000
    judge_sizes: tuple[int, ...] = (10_000, 100_000)
    """Events in the recordings ``contract.evaluate`` judges."""
    settle: float = 0.5
    """Seconds a server gets before its RSS is read."""


@dataclass
class ThroughputSample:
    """One run against one server at one concurrency."""

    streams_per_s: float
    events_per_s: float
    streams_per_cpu_s: float
    errors: int
    p50_ms: float
    p99_ms: float


@dataclass
class HeldSample:
    """One run holding ``n`` streams open on a fresh server."""

    n: int
    connected: int
    kib_per_conn: float
    seconds: float
    idle_kib: int


@dataclass
class ServerResults:
    """Every sample taken of one server."""

    kind: ServerKind
    throughput: dict[int, list[ThroughputSample]] = field(default_factory=dict)
    held: dict[int, list[HeldSample]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


async def throughput(
    kinds: Sequence[ServerKind], plan: Plan, results: dict[str, ServerResults], say: Say
) -> None:
    """Closed-loop streams at each concurrency; runs interleaved across servers."""
    for run in range(plan.runs):
        for kind in kinds:
            label = f"run {run + 1}/{plan.runs} {kind.key:8}"
            try:
                await _throughput_once(kind, plan, results[kind.key], say, label)
            except Exception as exc:  # one server failing must not lose the others' numbers
                results[kind.key].failures.append(f"{label} throughput: {exc!r}")
                say(f"{label} throughput FAILED: {exc!r}")


async def _throughput_once(
    kind: ServerKind, plan: Plan, result: ServerResults, say: Say, label: str
) -> None:
    with running(kind, 0.0) as server:
        for conc in plan.concurrency:
            r = await run_streams(
                "127.0.0.1",
                server.port,
                concurrency=conc,
                duration=plan.duration,
                warmup=plan.warmup,
                expected_events=EVENTS,
                server_cpu=partial(cpu_seconds, server.proc.pid),
            )
            sample = ThroughputSample(
                r.streams_per_s,
                r.events_per_s,
                r.streams_per_cpu_s,
                r.errors,
                percentile(r.latencies, 0.5) * 1000,
                percentile(r.latencies, 0.99) * 1000,
            )
            result.throughput.setdefault(conc, []).append(sample)
            say(
                f"{label} c={conc:<4} {sample.streams_per_s:8.0f} streams/s "
                f"({sample.streams_per_cpu_s:6.0f}/CPU-s)  p50 {sample.p50_ms:7.2f} ms  "
                f"errors {sample.errors}"
            )


async def held(
    kinds: Sequence[ServerKind], plan: Plan, results: dict[str, ServerResults], say: Say
) -> None:
    """Open ``n`` streams that stay open; server RSS growth per connection."""
    for run in range(plan.runs):
        for kind in kinds:
            for n in plan.held:
                label = f"run {run + 1}/{plan.runs} {kind.key:8} held {n:>6}"
                try:
                    await _held_once(kind, plan, n, results[kind.key], say=say, label=label)
                except Exception as exc:  # one server failing must not lose the others' numbers
                    results[kind.key].failures.append(f"{label}: {exc!r}")
                    say(f"{label} FAILED: {exc!r}")


async def _held_once(
    kind: ServerKind, plan: Plan, n: int, result: ServerResults, *, say: Say, label: str
) -> None:
    with running(kind, HOLD_INTERVAL, graceful=False) as server:
        # One stream first, so lazy imports and caches are in the idle figure.
        async with HeldConnections("127.0.0.1", server.port, 1):
            pass
        await asyncio.sleep(plan.settle)
        idle = rss_kib(server.proc.pid)
        async with HeldConnections("127.0.0.1", server.port, n) as conns:
            await asyncio.sleep(plan.settle)
            rss = rss_kib(server.proc.pid)
    sample = HeldSample(n, conns.connected, (rss - idle) / n, conns.seconds, idle)
    result.held.setdefault(n, []).append(sample)
    say(
        f"{label}: {sample.kib_per_conn:6.2f} KiB/conn, connected {conns.connected} "
        f"in {conns.seconds:.2f} s"
    )
