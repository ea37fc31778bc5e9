"""``python -m benchmarks jobs``: fan-out of one job to many viewers, per broker design.

``--smoke`` is a run of a few seconds (a handful of viewers) that keeps the whole
path working in CI; its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .jobs_report import render
from .jobs_server import DESIGNS
from .jobs_suite import SPARE_FDS, DesignResults, JobsPlan, fanout, files_needed
from .loadgen import run
from .redis_proc import RedisProcess, redis_running
from .report import write_results
from .servers import CLIENT_CPU, ROOT, pinning
from .suite import say_stderr

SMOKE = JobsPlan(runs=1, viewers=(5,), events=5, warmup=1, settle=0.05, event_timeout=10)
START = "<!-- jobs results: written by python -m benchmarks jobs -->"
END = "<!-- end of jobs results -->"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks jobs",
        description="Fan-out of one job to held viewers: the embedded broker, the Redis broker "
        "and a naive Redis design (one XREAD BLOCK per viewer).",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks it works")
    parser.add_argument("--runs", type=int, help="runs per measure; the median is reported")
    parser.add_argument("--viewers", help="comma-separated viewer counts, e.g. 1000,10000")
    parser.add_argument("--events", type=int, help="events measured per run")
    parser.add_argument(
        "--designs", default=",".join(DESIGNS), help=f"which designs, of {','.join(DESIGNS)}"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="write the markdown here (default: docs/benchmarks.md for a full run, none for smoke)",
    )
    return parser


def plan_from(args: argparse.Namespace) -> JobsPlan:
    """The smoke or full plan, with any flag applied."""
    plan = SMOKE if args.smoke else JobsPlan()
    changes: dict[str, Any] = {"designs": tuple(d for d in args.designs.split(",") if d)}
    if args.runs is not None:
        changes["runs"] = args.runs
    if args.viewers is not None:
        changes["viewers"] = tuple(int(n) for n in args.viewers.split(",") if n)
    if args.events is not None:
        changes["events"] = args.events
    return dataclasses.replace(plan, **changes)


def raise_fd_limit(needed: int) -> None:
    """Lift the open-file limits (children inherit them) to ``needed``, as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < needed:
        # Raising the hard limit needs CAP_SYS_RESOURCE; without it, what needs more is not run.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            soft = hard = needed
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fan-out benchmark; print the tables; write them into docs/benchmarks.md."""
    args = build_parser().parse_args(argv)
    plan = plan_from(args)
    unknown = set(plan.designs) - set(DESIGNS)
    if unknown or not plan.designs:
        shown = ", ".join(sorted(unknown)) or "none"
        print(f"python -m benchmarks jobs: unknown designs: {shown}", file=sys.stderr)
        return 2
    most = max(plan.viewers)
    raise_fd_limit(max(files_needed(key, most) for key in plan.designs))
    if pinning():
        os.sched_setaffinity(0, {CLIENT_CPU})
    load = os.getloadavg()
    results = {k: DesignResults(k) for k in plan.designs}
    with contextlib.ExitStack() as stack:
        redis: RedisProcess | None = None
        if set(plan.designs) != {"embedded"}:
            redis = stack.enter_context(redis_running(max_clients=most + SPARE_FDS))
        run(fanout(plan, redis, results, say_stderr))
    text = render(plan, results, load, smoke=args.smoke)
    print(text)
    output = args.output or (None if args.smoke else ROOT / "docs" / "benchmarks.md")
    if output is not None:
        write_results(output, text, (START, END))
        say_stderr(f"wrote {output}")
    failures = [f for r in results.values() for f in r.failures]
    for failure in failures:
        say_stderr(f"failed: {failure}")
    errors = sum(s.errors for r in results.values() for ss in r.samples.values() for s in ss)
    return 1 if failures or errors else 0
