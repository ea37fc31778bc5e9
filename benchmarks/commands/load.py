"""``python -m benchmarks load``: the load mode's costs (docs/benchmarks.md, "Load mode").

Judging with jsonschema-rs against ``jsonschema`` alone, and the ``--clients`` client's
CPU per judged event against the load generator's per received event, side by side;
``--smoke`` takes each once on small numbers (its numbers mean nothing).
"""

from __future__ import annotations

import argparse

from benchmarks.load_bench import report
from benchmarks.options import add_runs, add_smoke

DESCRIPTION = (
    "--clients: judging before and after jsonschema-rs, CPU per event vs the load generator."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The load benchmark's flags."""
    add_smoke(parser)
    add_runs(parser, default=7)
    parser.add_argument("--events", type=int, default=10_000, help="events judged (10,000)")
    parser.add_argument("--clients", type=int, default=1_000, help="clients at once (1,000)")


def run(args: argparse.Namespace) -> int:
    """Take both measures; print their tables and ratios."""
    if args.smoke:
        print(report(500, 50, 1))
    else:
        print(report(args.events, args.clients, args.runs))
    return 0
