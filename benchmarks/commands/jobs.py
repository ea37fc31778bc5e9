"""``python -m benchmarks jobs``: fan-out of one job to many viewers, per broker design.

``--smoke`` is a run of a few seconds (a handful of viewers) that keeps the whole
path working in CI; its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os

from benchmarks.host import pin_client, raise_fd_limit, say_stderr
from benchmarks.jobs.designs import SPARE_FDS, files_needed
from benchmarks.jobs.redis_server import RedisProcess, redis_running
from benchmarks.jobs.server import DESIGNS
from benchmarks.jobs.suite import DesignResults, JobsPlan, fanout
from benchmarks.options import add_counts, add_output, add_runs, add_smoke, add_subset, plan_from
from benchmarks.rawhttp import run_client
from benchmarks.report.block import DOC, JOBS_MARKERS, publish
from benchmarks.report.jobs import jobs_report

SMOKE = JobsPlan(runs=1, viewers=(5,), events=5, warmup=1, settle=0.05, event_timeout=10)
DESCRIPTION = (
    "Fan-out of one job to held viewers: the embedded broker, the Redis broker "
    "and a naive Redis design (one XREAD BLOCK per viewer)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The jobs benchmark's flags."""
    add_smoke(parser)
    add_runs(parser)
    add_counts(parser, "--viewers", "viewer counts")
    parser.add_argument("--events", type=int, help="events measured per run")
    add_subset(parser, "--designs", DESIGNS)
    add_output(parser)


def run(args: argparse.Namespace) -> int:
    """Measure, print the block, write it into docs/benchmarks.md (or ``--output``)."""
    plan = plan_from(SMOKE if args.smoke else JobsPlan(), args)
    if not plan.designs:
        say_stderr("python -m benchmarks jobs: no designs given")
        return 2
    most = max(plan.viewers)
    raise_fd_limit(max(files_needed(key, most) for key in plan.designs))
    pin_client()
    load = os.getloadavg()
    results = {k: DesignResults(k) for k in plan.designs}
    with contextlib.ExitStack() as stack:
        redis: RedisProcess | None = None
        if set(plan.designs) != {"embedded"}:
            redis = stack.enter_context(redis_running(max_clients=most + SPARE_FDS))
        run_client(fanout(plan, redis, results, say_stderr))
    text = jobs_report(plan, results, load, smoke=args.smoke)
    output = args.output or (None if args.smoke else DOC)
    failed = publish(text, output, JOBS_MARKERS, [f for r in results.values() for f in r.failures])
    errors = sum(s.errors for r in results.values() for ss in r.samples.values() for s in ss)
    return 1 if failed or errors else 0
