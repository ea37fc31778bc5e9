"""``python -m benchmarks profile TARGET``: where a server's CPU goes under load (py-spy).

TARGET is a /stream server (``project``, ``plain``, ...: 200 streams in flight) or a
jobs design (``embedded``, ``redis``, ``naive``: events fanned out to ``--viewers``).
py-spy is in the bench extra; tracing the child needs root or
``kernel.yama.ptrace_scope`` 0.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from benchmarks.host import pin_client, raise_fd_limit
from benchmarks.jobs.designs import files_needed
from benchmarks.jobs.redis_server import redis_running
from benchmarks.jobs.server import DESIGNS
from benchmarks.profile import jobs, server
from benchmarks.profile.pyspy import Recording, find_pyspy, shares, tally
from benchmarks.server.kinds import ALL

DESCRIPTION = "Record a server under load with py-spy; print the share of its CPU per group."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The profile's target and flags."""
    targets = [*(k.key for k in ALL), *DESIGNS]
    parser.add_argument("target", nargs="?", default="project", choices=targets)
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds recorded")
    parser.add_argument(
        "--viewers", type=int, default=1_000, help="viewers of the job (jobs designs only)"
    )


def run(args: argparse.Namespace) -> int:
    """Profile the target; print the groups."""
    spy = find_pyspy()
    if spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    pin_client()
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.raw"
        if args.target in DESIGNS:
            raise_fd_limit(files_needed(args.target, args.viewers))
            redis = None
            if args.target != "embedded":
                needed = files_needed(args.target, args.viewers)
                redis = stack.enter_context(redis_running(needed))
            recording = Recording(spy, out, round(args.seconds + 1))
            headline = jobs.profile_jobs(args.target, args.viewers, args.seconds, redis, recording)
            total, counts = tally(recording.raw(), jobs.GROUPS, jobs.classify)
        else:
            kind = next(k for k in ALL if k.key == args.target)
            recording = Recording(spy, out, int(args.seconds))
            headline = server.profile_server(kind, args.seconds, recording)
            total, counts = tally(recording.raw(), server.GROUPS, server.classify)
            headline += f", {total} samples"
    print(headline)
    print("\n".join(shares(total, counts)))
    return 0 if total else 1
