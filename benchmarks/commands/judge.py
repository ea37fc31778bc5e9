"""``python -m benchmarks judge``: ``contract.evaluate``'s CPU time on recorded streams.

The Judging section of ``python -m benchmarks``, on its own, with the same plan:
``--smoke`` judges small recordings once (its numbers mean nothing).
"""

from __future__ import annotations

import argparse

from benchmarks.judge_bench import measure_judging
from benchmarks.options import add_runs, add_smoke, counts, plan_from
from benchmarks.report.judge import judge_report
from benchmarks.server.suite import Plan

from .server import SMOKE

DESCRIPTION = "contract.evaluate on recorded streams, alone and with the probes' recordings."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The judging benchmark's flags."""
    add_smoke(parser)
    add_runs(parser)
    sizes = ",".join(str(n) for n in Plan().judge_sizes)
    parser.add_argument(
        "--sizes",
        dest="judge_sizes",
        metavar="N,N",
        type=counts,
        help=f"events per recording, comma-separated (default {sizes})",
    )


def run(args: argparse.Namespace) -> int:
    """Judge every recording set; print the table and the linearity target."""
    plan = plan_from(SMOKE if args.smoke else Plan(), args)
    print(judge_report(measure_judging(plan.judge_sizes, plan.runs), plan.runs))
    return 0
