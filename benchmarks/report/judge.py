"""Judging tables: ``contract.evaluate``'s CPU per recording set, and its linearity target."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from benchmarks.judge_bench import JudgeResult, linearity

from .machine import machine
from .markdown import Target, table, targets_table

HEADING = "## Judging (`contract.evaluate`, kinds mode with JSON Schema data rules)"
ABOUT = (
    "CPU time of `evaluate` (the recording is built in memory and not timed): a "
    "chat-completions-style stream of unnamed JSON chunks validated against a schema, "
    "a ping every 50 events (allowed anywhere), `[DONE]` last, ids, resume, keep-alive. "
    "With its probes: the 20 resume points, the terminal id and a malformed id (each in "
    "the header), answered as a good server would."
)
PACKAGES = ("aiohttp-sse-demo", "jsonschema", "referencing")


def judge_table(results: Sequence[JudgeResult]) -> list[str]:
    """Events judged per CPU-second per recording set, and the per-event cost against size."""
    smallest = {r.label: r for r in results if r.events == min(x.events for x in results)}
    rows = []
    for r in results:
        mid = statistics.median(r.seconds)
        rows.append(
            (
                r.label,
                f"{r.events:,}",
                r.probes,
                f"{mid:.2f} ({min(r.seconds):.2f}-{max(r.seconds):.2f})",
                f"{r.events / mid:,.0f}",
                f"{r.per_event_us:.1f}",
                f"{r.per_event_us / smallest[r.label].per_event_us:.2f}",
                "yes" if r.passed else "no",
            )
        )
    head = ("recordings", "events", "probes", "CPU s per evaluate", "events judged/s")
    return table(
        (*head, "us per event", "per event vs the smallest", "all rules pass"), "lrrrrrrl", rows
    )


def judge_targets(results: Sequence[JudgeResult]) -> list[Target]:
    """The per-event cost with probes on the largest recordings over that on the smallest."""
    if not results:
        return []
    sizes = sorted({r.events for r in results})
    value = linearity(results)
    measure = f"evaluate CPU per event with probes, {sizes[-1]:,} / {sizes[0]:,} events"
    return [Target(f"{measure} (linear = 1)", value, "<= 1.2", value <= 1.2)]


def judge_report(results: Sequence[JudgeResult], runs: int) -> str:
    """The markdown of a ``python -m benchmarks judge`` run."""
    lines = [
        HEADING,
        "",
        f"Every cell is the median of {runs} run(s), with the spread (min-max) in brackets.",
        "",
        *machine(PACKAGES),
        "",
        ABOUT,
        "",
        *judge_table(results),
        "",
        *targets_table(judge_targets(results)),
        "",
    ]
    return "\n".join(lines)
