"""Where a server's CPU goes at interval 0: py-spy samples, grouped as docs/benchmarks.md shows.

``python -m benchmarks.profile [project|plain|aiohttp|ceiling|fastapi] [--seconds S]``
runs the server pinned like the benchmark, keeps 200 streams in flight, records it with
``py-spy record --format raw`` (py-spy must be installed: ``pip install py-spy``) and
prints the share of samples in each group. Needs the rights to trace the child (root,
or ``kernel.yama.ptrace_scope`` 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .loadgen import run_streams
from .servers import ALL, CLIENT_CPU, pinning, running
from .suite import EVENTS

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
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
"""Each sample counts in the first group one of whose frames it contains."""


def group(raw: str) -> tuple[int, dict[str, int]]:
    """Samples in py-spy's raw format (``frame;frame;... count`` lines) by group."""
    counts = {name: 0 for name, _ in GROUPS} | {"everything else": 0}
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        name = next(
            (name for name, frames in GROUPS if any(f in stack for f in frames)),
            "everything else",
        )
        counts[name] += int(n)
    return total, counts


def main(argv: Sequence[str] | None = None) -> int:
    """Profile one server under load and print the groups."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("server", nargs="?", default="project", choices=[k.key for k in ALL])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    kind = next(k for k in ALL if k.key == args.server)
    if pinning():
        os.sched_setaffinity(0, {CLIENT_CPU})
    with tempfile.TemporaryDirectory() as tmp, running(kind, 0.0) as server:
        out = Path(tmp) / "profile.raw"
        record = subprocess.Popen(
            [
                *(spy, "record", "-p", str(server.proc.pid), "-o", str(out), "-f", "raw"),
                *("-r", "200", "-d", str(int(args.seconds))),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        result = asyncio.run(
            run_streams(
                "127.0.0.1",
                server.port,
                concurrency=200,
                duration=args.seconds,
                warmup=0.5,
                expected_events=EVENTS,
            )
        )
        record.wait()
        total, counts = group(out.read_text() if out.exists() else "")
    print(f"{kind.label}: {result.streams_per_s:,.0f} streams/s under py-spy, {total} samples")
    for name, n in counts.items():
        print(f"  {100 * n / max(total, 1):5.1f}%  {name}")
    return 0 if total else 1


if __name__ == "__main__":
    raise SystemExit(main())
