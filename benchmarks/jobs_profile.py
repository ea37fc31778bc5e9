"""Where a jobs server's CPU goes while it fans events out: py-spy samples, grouped.

``python -m benchmarks.jobs_profile [embedded|redis|naive] [--viewers N] [--seconds S]``
runs the design pinned like the benchmark, holds N viewers of one job (1,000 by
default), writes events one at a time as ``python -m benchmarks jobs`` does, records
the server with ``py-spy record --format raw`` and prints the share of samples in
each group. Needs py-spy (bench extra) and the rights to trace the child.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from aiohttp_sse_demo.jobs.model import events_path

from .jobs_loadgen import Audience
from .jobs_server import DESIGNS
from .jobs_suite import HOST, LABELS, JobsDesign, Runner, files_needed
from .redis_proc import RedisProcess, redis_running
from .servers import CLIENT_CPU, pinning, running

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
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
"""A sample counts in the group of its innermost frame that matches one (see ``group``)."""
CALLBACK = "Handle._run (asyncio/events.py"
"""The frame that runs every callback and task step of the event loop."""
WAKING = GROUPS[1][0]
OTHER = "everything else"


def group(raw: str) -> tuple[int, dict[str, int]]:
    """Samples in py-spy's raw format (``frame;frame;... count`` lines) by group.

    Each sample's frames are read from the innermost out, up to the event loop's
    callback frame: a sample whose innermost frame is that one is a task step in C
    (waking a task), one that reaches it unmatched is something else.
    """
    counts = {name: 0 for name, _ in GROUPS} | {OTHER: 0}
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        counts[_classify(stack.split(";")[::-1])] += int(n)
    return total, counts


def _classify(frames: Sequence[str]) -> str:
    for depth, frame in enumerate(frames):
        if CALLBACK in frame:
            return WAKING if depth == 0 else OTHER
        for name, patterns in GROUPS:
            if any(p in frame for p in patterns):
                return name
    return OTHER


def main(argv: Sequence[str] | None = None) -> int:
    """Profile one design under fan-out and print the groups."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs_profile")
    parser.add_argument("design", nargs="?", default="embedded", choices=DESIGNS)
    parser.add_argument("--viewers", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    if pinning():
        os.sched_setaffinity(0, {CLIENT_CPU})
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        redis = None
        if args.design != "embedded":
            redis = stack.enter_context(redis_running(files_needed(args.design, args.viewers)))
        out = Path(tmp) / "profile.raw"
        recording = Recording(spy, out, args.seconds)
        rate = asyncio.run(
            _fan_out(
                design=args.design,
                viewers=args.viewers,
                seconds=args.seconds,
                redis=redis,
                spy=recording,
            )
        )
        total, counts = group(out.read_text() if out.exists() else "")
    print(f"{LABELS[args.design]}, {args.viewers:,} viewers: {rate:.1f} events/s under py-spy")
    for name, n in counts.items():
        print(f"  {100 * n / max(total, 1):5.1f}%  {name}")
    return 0 if total else 1


class Recording:
    """py-spy attached to one process, writing raw samples to ``out``."""

    def __init__(self, spy: str, out: Path, seconds: float) -> None:
        self._argv = [spy, "record", "-o", str(out), "-f", "raw", "-r", "200"]
        self._argv += ["-d", str(round(seconds + 1))]
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, pid: int) -> None:
        """Attach to ``pid``."""
        self._proc = subprocess.Popen(
            [*self._argv, "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait(self) -> None:
        """Wait until py-spy has written its samples."""
        if self._proc is not None:
            self._proc.wait()


async def _fan_out(
    *, design: str, viewers: int, seconds: float, redis: RedisProcess | None, spy: Recording
) -> float:
    kind = JobsDesign(design, LABELS[design], redis.url if redis is not None else "")
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


if __name__ == "__main__":
    raise SystemExit(main())
