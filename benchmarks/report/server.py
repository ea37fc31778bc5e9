"""The ``python -m benchmarks`` report: machine, /stream tables, parser, judging, targets."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.judge_bench import JudgeResult
from benchmarks.parser_bench import Corpus, ParserResult
from benchmarks.server.kinds import FASTAPI, PROJECT, fastapi_setup
from benchmarks.server.suite import Plan, ServerResults
from benchmarks.stats import median

from .judge import ABOUT as JUDGING_ABOUT
from .judge import HEADING as JUDGING_HEADING
from .judge import judge_table, judge_targets
from .machine import machine
from .markdown import Target, cell, failures_list, table, targets_table
from .parser import corpus_heading, parser_table, parser_targets

PACKAGES = (
    "aiohttp",
    "aiohttp-sse",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "httpx-sse",
    "sseclient-py",
)
REPRODUCE = "make bench  # or: .venv/bin/python -m benchmarks --output docs/benchmarks.md"


def throughput_table(results: Sequence[ServerResults], plan: Plan) -> list[str]:
    """Streams/s, events/s and latency per server."""
    low, high, at = min(plan.concurrency), max(plan.concurrency), plan.latency_at
    rows = []
    for r in results:
        at_low, at_high = r.throughput.get(low, []), r.throughput.get(high, [])
        lat = r.throughput.get(at, [])
        rows.append(
            (
                r.kind.label,
                cell([s.streams_per_s for s in at_low]),
                cell([s.streams_per_s for s in at_high]),
                cell([s.events_per_s for s in at_high]),
                cell([s.streams_per_cpu_s for s in at_high]),
                cell([s.p50_ms for s in lat], "{:.2f}"),
                cell([s.p99_ms for s in lat], "{:.2f}"),
                sum(s.errors for samples in r.throughput.values() for s in samples),
            )
        )
    head: tuple[str, ...] = (
        "server",
        f"streams/s @{low}",
        f"streams/s @{high}",
        f"events/s @{high}",
    )
    head += (f"streams per server CPU-s @{high}", f"first event p50 ms @{at}", f"p99 ms @{at}")
    return table((*head, "failed streams"), "l" + "r" * 7, rows)


def held_table(results: Sequence[ServerResults], plan: Plan) -> list[str]:
    """KiB per held connection and time to connect all, per server and size."""
    rows = []
    for r in results:
        per = [cell([s.kib_per_conn for s in r.held.get(n, [])], "{:.2f}") for n in plan.held]
        secs = [cell([s.seconds for s in r.held.get(n, [])], "{:.2f}") for n in plan.held]
        idle = [s.idle_kib / 1024 for samples in r.held.values() for s in samples]
        short = [
            f"{n:,}: {s.connected}" for n in plan.held for s in r.held.get(n, []) if s.connected < n
        ]
        note = f" (connected only {'; '.join(short)})" if short else ""
        rows.append((f"{r.kind.label}{note}", *per, *secs, cell(idle, "{:.1f}")))
    head = [f"KiB/conn @{n:,}" for n in plan.held] + [f"s to connect {n:,}" for n in plan.held]
    return table(("server", *head, "idle RSS MiB"), "l" + "r" * (2 * len(plan.held) + 1), rows)


def server_targets(results: dict[str, ServerResults], plan: Plan) -> list[Target]:
    """This project against FastAPI, from the same run."""
    ours, theirs = results.get(PROJECT.key), results.get(FASTAPI.key)
    if not (ours and theirs):
        return []
    high, at = max(plan.concurrency), plan.latency_at
    a = median([s.streams_per_s for s in ours.throughput.get(high, [])])
    b = median([s.streams_per_s for s in theirs.throughput.get(high, [])])
    targets = [
        Target(f"complete streams/s @{high}, project / FastAPI", a / b, ">= 2 (aim 3)", a >= 2 * b)
    ]
    a = median([s.streams_per_cpu_s for s in ours.throughput.get(high, [])])
    b = median([s.streams_per_cpu_s for s in theirs.throughput.get(high, [])])
    targets.append(
        Target(f"streams per server CPU-s @{high}, project / FastAPI", a / b, "(context)", None)
    )
    a = median([s.p50_ms for s in ours.throughput.get(at, [])])
    b = median([s.p50_ms for s in theirs.throughput.get(at, [])])
    targets.append(Target(f"first-event p50 @{at}, project / FastAPI", a / b, "<= 0.5", a <= b / 2))
    if plan.held:
        most, least = max(plan.held), min(plan.held)
        a = median([s.kib_per_conn for s in ours.held.get(most, [])])
        b = median([s.kib_per_conn for s in theirs.held.get(most, [])])
        c = median([s.kib_per_conn for s in ours.held.get(least, [])])
        targets += [
            Target(
                f"KiB per held connection @{most:,}, project / FastAPI", a / b, "(context)", None
            ),
            Target(f"KiB per held connection @{most:,}, project", a, "<= 10", a <= 10),
            Target(f"KiB/conn @{most:,} / @{least:,} (flat = 1)", a / c, "<= 1.1", a / c <= 1.1),
        ]
    return targets


def server_report(
    plan: Plan,
    results: dict[str, ServerResults],
    corpus: Corpus,
    parsers: Sequence[ParserResult],
    judging: Sequence[JudgeResult],
    *,
    smoke: bool,
) -> str:
    """The whole markdown report of ``python -m benchmarks``."""
    ordered = list(results.values())
    uvicorn = " ".join(fastapi_setup()) or "defaults (uvloop/httptools missing)"
    lines = [
        "# Benchmarks" + (" (smoke run: the numbers mean nothing)" if smoke else ""),
        "",
        f"Reproduce: `{REPRODUCE}`. Every cell is the median of {plan.runs} run(s), "
        "with the spread (min-max) in brackets; each run starts the server afresh.",
        "",
        "## Machine",
        "",
        *machine(
            PACKAGES,
            pinned="server on CPU 0 (`taskset -c 0`), load generator on CPU 1",
            extra=[f"- uvicorn set-up: {uvicorn}"],
        ),
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
        corpus_heading(corpus),
        "",
        *parser_table(corpus, parsers),
        "",
        JUDGING_HEADING,
        "",
        JUDGING_ABOUT,
        "",
        *judge_table(judging),
        "",
        "## Targets (ratios from the same run)",
        "",
        *targets_table(
            [*server_targets(results, plan), *parser_targets(parsers), *judge_targets(judging)]
        ),
        "",
        *failures_list("## Failed measurements", [f for r in ordered for f in r.failures]),
    ]
    return "\n".join(lines)
