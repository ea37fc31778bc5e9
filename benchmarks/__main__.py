"""``python -m benchmarks``: every measure, every server, one go; tables on stdout and in a file.

``--smoke`` is a run of a few seconds (tiny loads, no 10k connections) that keeps the
whole path working in CI; its numbers mean nothing. ``python -m benchmarks jobs ...``
is the jobs fan-out benchmark (``jobs_main``), with its own flags and results block.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .jobs_main import main as jobs_main
from .judge_bench import JudgeResult, judge_table, linearity, measure_judging
from .loadgen import run
from .parser_bench import Corpus, ParserResult, build_corpus, measure
from .report import held_table, machine, parser_table, ratios, throughput_table, write_results
from .servers import ALL, CLIENT_CPU, ROOT, pinning
from .suite import Plan, ServerResults, held, say_stderr, throughput

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
START = "<!-- results: written by python -m benchmarks -->"
END = "<!-- end of results -->"
REPRODUCE = "make bench  # or: .venv/bin/python -m benchmarks --output docs/benchmarks.md"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark this server against FastAPI and plain aiohttp-sse, and the "
        "contract parser against httpx-sse and sseclient-py.",
        epilog="python -m benchmarks jobs --help: the jobs fan-out benchmark",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks it works")
    parser.add_argument("--runs", type=int, help="runs per measure; the median is reported")
    parser.add_argument("--duration", type=float, help="seconds counted per throughput run")
    parser.add_argument("--warmup", type=float, help="seconds before counting starts")
    parser.add_argument("--held", help="comma-separated held-connection counts, e.g. 1000,10000")
    parser.add_argument("--parser-mb", type=float, help="size of the parser benchmark stream (MB)")
    parser.add_argument(
        "--servers",
        default=",".join(k.key for k in ALL),
        help=f"which servers, of {','.join(k.key for k in ALL)}",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="sections to leave out: throughput,held,parser,judge (comma-separated)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="write the markdown here (default: docs/benchmarks.md for a full run, none for smoke)",
    )
    return parser


def plan_from(args: argparse.Namespace) -> Plan:
    """The smoke or full plan, with any flag applied."""
    plan = SMOKE if args.smoke else Plan()
    changes: dict[str, Any] = {}
    if args.runs is not None:
        changes["runs"] = args.runs
    if args.duration is not None:
        changes["duration"] = args.duration
    if args.warmup is not None:
        changes["warmup"] = args.warmup
    if args.held is not None:
        changes["held"] = tuple(int(n) for n in args.held.split(",") if n)
    if args.parser_mb is not None:
        changes["parser_bytes"] = int(args.parser_mb * 1e6)
    return dataclasses.replace(plan, **changes)


def raise_fd_limit(needed: int) -> None:
    """Lift the soft limit on open files to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < needed:
        say_stderr(f"warning: the open-file limit is {hard}; {needed} are needed")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks (or ``jobs ...``: the fan-out one); print the tables; write the file."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["jobs"]:
        return jobs_main(argv[1:])
    args = build_parser().parse_args(argv)
    plan = plan_from(args)
    skip = {s for s in args.skip.split(",") if s}
    keys = [k for k in args.servers.split(",") if k]
    unknown = set(keys) - {k.key for k in ALL}
    if unknown:
        print(
            f"python -m benchmarks: unknown servers: {', '.join(sorted(unknown))}", file=sys.stderr
        )
        return 2
    kinds = [k for k in ALL if k.key in keys]
    raise_fd_limit(max(plan.held, default=0) + 1024)
    if pinning():
        os.sched_setaffinity(0, {CLIENT_CPU})
    results = {k.key: ServerResults(k) for k in kinds}

    async def load() -> None:
        if "throughput" not in skip:
            await throughput(kinds, plan, results, say_stderr)
        if "held" not in skip and plan.held:
            await held(kinds, plan, results, say_stderr)

    run(load())
    corpus = build_corpus(plan.parser_bytes)
    parsers = [] if "parser" in skip else measure(corpus, plan.runs)
    judging = [] if "judge" in skip else measure_judging(plan.judge_sizes, plan.runs)
    text = render(
        plan,
        list(results.values()),
        results,
        corpus,
        parsers,
        judging=judging,
        smoke=args.smoke,
    )
    print(text)
    output = args.output or (None if args.smoke else ROOT / "docs" / "benchmarks.md")
    if output is not None:
        write_results(output, text, (START, END))
        say_stderr(f"wrote {output}")
    failures = [f for r in results.values() for f in r.failures]
    for failure in failures:
        say_stderr(f"failed: {failure}")
    return 1 if failures else 0


def render(
    plan: Plan,
    ordered: Sequence[ServerResults],
    results: dict[str, ServerResults],
    corpus: Corpus,
    parsers: Sequence[ParserResult],
    *,
    judging: Sequence[JudgeResult] = (),
    smoke: bool,
) -> str:
    """The whole markdown report."""
    head = "# Benchmarks" + (" (smoke run: the numbers mean nothing)" if smoke else "")
    lines = [
        head,
        "",
        f"Reproduce: `{REPRODUCE}`. Every cell is the median of {plan.runs} run(s), "
        "with the spread (min-max) in brackets; each run starts the server afresh.",
        "",
        "## Machine",
        "",
        *machine(),
        "",
        f"## Streams at interval 0 ({plan.duration:g} s counted after {plan.warmup:g} s warm-up)",
        "",
        "Each stream is a new connection (`GET /stream`, the 11 events of the contract, read to "
        "the chunked terminator); a closed loop keeps N streams open. Streams per server "
        "CPU-second divides by the CPU time the server process used (from /proc), which a "
        "busy machine disturbs less than wall-clock rates.",
        "",
        *throughput_table(ordered, plan),
        "",
        "## Held connections (interval 3600 s: streams stay open after their first events)",
        "",
        "(RSS with n streams open - RSS idle) / n, from /proc/PID/status of the server; "
        "the time is from the first connect to the first events on the last connection.",
        "",
        *held_table(ordered, plan),
        "",
        f"## Parser ({corpus.size / 1e6:.1f} MB, {len(corpus.chunks):,} chunks of 4 KiB, "
        f"CRLF, a `: ping` comment every 10 events, multi-line and non-ASCII data)",
        "",
        *parser_table(corpus, parsers),
        "",
        "## Judging (`contract.evaluate`, kinds mode with JSON Schema data rules)",
        "",
        "CPU time of `evaluate` (the recording is built in memory and not timed): a "
        "chat-completions-style stream of unnamed JSON chunks validated against a schema, "
        "a ping every 50 events (allowed anywhere), `[DONE]` last, ids, resume, keep-alive. "
        "With its probes: the 20 resume points, the terminal id and a malformed id (each in "
        "the header), answered as a good server would.",
        "",
        *judge_table(judging),
        "",
        "## Targets (ratios from the same run)",
        "",
        *ratios(results, plan, parsers),
        *judging_ratio(judging),
        "",
    ]
    failures = [f for r in ordered for f in r.failures]
    if failures:
        lines += ["## Failed measurements", "", *(f"- {f}" for f in failures), ""]
    return "\n".join(lines)


def judging_ratio(judging: Sequence[JudgeResult]) -> list[str]:
    """The Targets row for judging: the per-event cost on 100k events over that on 10k."""
    if not judging:
        return []
    sizes = sorted({r.events for r in judging})
    value = linearity(judging)
    met = "yes" if value <= 1.2 else "no"
    return [
        f"| evaluate CPU per event with probes, {sizes[-1]:,} / {sizes[0]:,} events "
        f"(linear = 1) | {value:.2f} | <= 1.2 | {met} |"
    ]


if __name__ == "__main__":
    raise SystemExit(main())
