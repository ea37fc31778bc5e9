"""``python -m benchmarks [server]``: /stream on every server, the parsers, judging; one report.

``--smoke`` is a run of a few seconds (tiny loads, no 10k connections) that keeps the
whole path working in CI; its numbers mean nothing.
"""

from __future__ import annotations

import argparse

from benchmarks.host import pin_client, raise_fd_limit, say_stderr
from benchmarks.judge_bench import measure_judging
from benchmarks.options import (
    add_counts,
    add_output,
    add_runs,
    add_smoke,
    add_subset,
    megabytes,
    names,
    plan_from,
)
from benchmarks.parser_bench import build_corpus, measure
from benchmarks.rawhttp import run_client
from benchmarks.report.block import DOC, SERVER_MARKERS, publish
from benchmarks.report.server import server_report
from benchmarks.server.kinds import ALL
from benchmarks.server.suite import Plan, ServerResults, held, throughput

SMOKE = Plan(
    runs=1,
    duration=0.3,
    warmup=0.1,
    concurrency=(5, 10),
    latency_at=5,
    held=(20,),
    parser_bytes=200_000,
    settle=0.05,
    judge_sizes=(500, 5_000),
)
SECTIONS = ("throughput", "held", "parser", "judge")
DESCRIPTION = (
    "Benchmark this server against FastAPI and plain aiohttp-sse, and the contract parser "
    "against httpx-sse and sseclient-py (the default subcommand)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The server benchmark's flags."""
    add_smoke(parser)
    add_runs(parser)
    parser.add_argument("--duration", type=float, help="seconds counted per throughput run")
    parser.add_argument("--warmup", type=float, help="seconds before counting starts")
    add_counts(parser, "--held", "held-connection counts")
    parser.add_argument(
        "--parser-mb",
        dest="parser_bytes",
        metavar="MB",
        type=megabytes,
        help="size of the parser benchmark stream (MB)",
    )
    add_subset(parser, "--servers", [k.key for k in ALL])
    parser.add_argument(
        "--skip",
        type=names(SECTIONS, "sections"),
        default="",
        help=f"sections to leave out: {','.join(SECTIONS)} (comma-separated)",
    )
    add_output(parser)


def run(args: argparse.Namespace) -> int:
    """Measure, print the report, write it into docs/benchmarks.md (or ``--output``)."""
    plan = plan_from(SMOKE if args.smoke else Plan(), args)
    skip = set(args.skip)
    kinds = [k for k in ALL if k.key in args.servers]
    raise_fd_limit(max(plan.held, default=0) + 1024)
    pin_client()
    results = {k.key: ServerResults(k) for k in kinds}

    async def load() -> None:
        if "throughput" not in skip:
            await throughput(kinds, plan, results, say_stderr)
        if "held" not in skip and plan.held:
            await held(kinds, plan, results, say_stderr)

    run_client(load())
    corpus = build_corpus(plan.parser_bytes)
    parsers = [] if "parser" in skip else measure(corpus, plan.runs)
    judging = [] if "judge" in skip else measure_judging(plan.judge_sizes, plan.runs)
    text = server_report(plan, results, corpus, parsers, judging, smoke=args.smoke)
    output = args.output or (None if args.smoke else DOC)
    return publish(text, output, SERVER_MARKERS, [f for r in results.values() for f in r.failures])
