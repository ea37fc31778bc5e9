"""``python -m benchmarks parser``: EventParser against its line machine on other stream shapes."""

from __future__ import annotations

import argparse

from benchmarks.parser_shapes import measure_shapes
from benchmarks.report.parser import shapes_report

DESCRIPTION = "EventParser against its line machine alone on other stream shapes."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The shapes table's flags."""
    parser.add_argument("--mb", type=float, default=4.0, help="size of each stream (MB)")
    parser.add_argument("--runs", type=int, default=7, help="runs per cell; the best is shown")


def run(args: argparse.Namespace) -> int:
    """Measure every shape in every chunk size; print the table."""
    results = measure_shapes(int(args.mb * 1e6), args.runs)
    print(shapes_report(results, args.mb, args.runs))
    return 0
