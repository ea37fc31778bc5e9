"""The jobs fan-out measurements: one job, n held viewers, events written one at a time.

Per design and viewer count, a fresh server (pinned to the server core): a warm-up
job seen by one viewer, the idle RSS, then n viewers of a new job. The load
generator (this process) asks the server to append an event, waits until every
viewer has read it, and only then asks for the next: one event in flight, so each
delay is a whole fan-out of its own, never queued behind the previous event, and
events/s is how fast a job's events can reach all of its viewers.
"""

from __future__ import annotations

import asyncio
import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from aiohttp_sse_demo.jobs.model import events_path
from benchmarks.host import Say
from benchmarks.procs import cpu_seconds, rss_kib, running
from benchmarks.stats import median, percentile

from .designs import LABELS, JobsDesign, files_needed
from .redis_server import RedisProcess
from .runner import Runner
from .server import DESIGNS
from .viewers import Audience

HOST = "127.0.0.1"


@dataclass(frozen=True)
class JobsPlan:
    """What to measure."""

    runs: int = 3
    viewers: tuple[int, ...] = (1_000, 10_000)
    events: int = 50
    """Events measured per run (after the warm-up ones)."""
    warmup: int = 3
    designs: tuple[str, ...] = DESIGNS
    settle: float = 0.5
    """Seconds a server gets before its RSS is read."""
    event_timeout: float = 60.0


@dataclass
class FanoutSample:
    """One run of one design with n viewers."""

    viewers: int
    connected: int
    delays_ms: list[float]
    events_per_s: float
    server_cpu_s: float
    """CPU seconds the server used while the measured events were fanned out."""
    kib_per_viewer: float
    redis_kib_per_viewer: float
    errors: int

    @property
    def p50_ms(self) -> float:
        """Median delay from the write to the last viewer's read."""
        return percentile(self.delays_ms, 0.5)

    @property
    def p99_ms(self) -> float:
        """99th percentile of that delay, over the events."""
        return percentile(self.delays_ms, 0.99)

    @property
    def deliveries_per_s(self) -> float:
        """Events read by viewers per second (events/s times viewers)."""
        return self.events_per_s * self.connected

    @property
    def cpu_us_per_delivery(self) -> float:
        """Server CPU microseconds per event delivered to one viewer."""
        deliveries = len(self.delays_ms) * self.connected
        return self.server_cpu_s * 1e6 / deliveries if deliveries else math.nan


@dataclass
class DesignResults:
    """Every sample of one design."""

    key: str
    samples: dict[int, list[FanoutSample]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    not_run: dict[int, str] = field(default_factory=dict)
    """Viewer counts this machine cannot hold for the design, and why."""

    @property
    def label(self) -> str:
        """The design's name in the tables."""
        return LABELS[self.key]

    def median(self, n: int, measure: Callable[[FanoutSample], float]) -> float:
        """The median of ``measure`` over the runs with ``n`` viewers; NaN when none."""
        return median([measure(s) for s in self.samples.get(n, [])])


async def fanout(
    plan: JobsPlan, redis: RedisProcess | None, results: dict[str, DesignResults], say: Say
) -> None:
    """Every design at every viewer count, ``plan.runs`` times, interleaved across designs."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    for key in plan.designs:
        for n in plan.viewers:
            if (need := files_needed(key, n)) > limit:
                results[key].not_run[n] = (
                    f"needs about {need:,} open files in one process; the limit here is {limit:,}"
                )
                say(f"{key} {n} viewers: not run, {results[key].not_run[n]}")
    for run in range(plan.runs):
        for n in plan.viewers:
            for key in plan.designs:
                if n in results[key].not_run:
                    continue
                label = f"run {run + 1}/{plan.runs} {key:8} {n:>6} viewers"
                try:
                    sample = await _fanout_once(key, n, plan, redis)
                except Exception as exc:  # one design failing must not lose the others' numbers
                    results[key].failures.append(f"{label}: {exc!r}")
                    say(f"{label} FAILED: {exc!r}")
                    continue
                results[key].samples.setdefault(n, []).append(sample)
                say(
                    f"{label}: p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
                    f"{sample.events_per_s:7.1f} events/s  {sample.kib_per_viewer:5.2f} KiB/viewer"
                    f"  errors {sample.errors}"
                )


async def _fanout_once(
    key: str, n: int, plan: JobsPlan, redis: RedisProcess | None
) -> FanoutSample:
    if key != "embedded" and redis is None:
        raise RuntimeError(f"the {key} design needs redis-server")
    if redis is not None:
        redis.flush()
    design = JobsDesign(key, redis.url if redis is not None else "")
    redis_pid = redis.proc.pid if redis is not None and key != "embedded" else None
    with running(design, 0.0, graceful=False) as server:
        pid = server.proc.pid
        async with aiohttp.ClientSession(f"http://{HOST}:{server.port}") as http:
            runner = Runner(http, plan.event_timeout)
            # One viewer through a whole job first: lazy imports and caches are in the idle figure.
            warm = await runner.create()
            async with Audience(HOST, server.port, events_path(warm), 1) as one:
                await runner.emit(warm, one, 0)
                await runner.close(warm)
                await one.ended()
            await asyncio.sleep(plan.settle)
            idle, redis_idle = rss_kib(pid), rss_kib(redis_pid) if redis_pid else 0
            job = await runner.create()
            async with Audience(HOST, server.port, events_path(job), n) as audience:
                for seq in range(plan.warmup):
                    await runner.emit(job, audience, seq)
                measured = range(plan.warmup, plan.warmup + plan.events)
                cpu, began = cpu_seconds(pid), time.monotonic_ns()
                for seq in measured:
                    await runner.emit(job, audience, seq)
                took = (audience.last_read[measured[-1]] - began) / 1e9
                cpu = cpu_seconds(pid) - cpu
                await asyncio.sleep(plan.settle)
                rss, redis_rss = rss_kib(pid), rss_kib(redis_pid) if redis_pid else 0
                await runner.close(job)
                await audience.ended()
    return FanoutSample(
        viewers=n,
        connected=audience.connected,
        delays_ms=audience.delays_ms(measured),
        events_per_s=plan.events / took,
        server_cpu_s=cpu,
        kib_per_viewer=(rss - idle) / n,
        redis_kib_per_viewer=(redis_rss - redis_idle) / n if redis_pid else math.nan,
        errors=audience.errors,
    )


def summary(samples: Sequence[FanoutSample]) -> str:
    """Errors and short connections of some samples, for a table's note."""
    short = [f"{s.connected}/{s.viewers}" for s in samples if s.connected < s.viewers]
    return f"connected only {', '.join(short)}" if short else ""
