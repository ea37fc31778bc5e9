"""The ``python -m benchmarks jobs`` report: machine, the fan-out table, the targets."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.jobs.redis_server import redis_version
from benchmarks.jobs.suite import DesignResults, JobsPlan, summary

from .machine import machine
from .markdown import Target, cell, failures_list, table, targets_table

PACKAGES = ("aiohttp", "aiohttp-sse", "redis", "uvloop")
COLUMNS = (
    ("p50_ms", "{:.1f}"),
    ("p99_ms", "{:.1f}"),
    ("events_per_s", "{:,.1f}"),
    ("deliveries_per_s", "{:,.0f}"),
    ("cpu_us_per_delivery", "{:.1f}"),
    ("kib_per_viewer", "{:.2f}"),
    ("redis_kib_per_viewer", "{:.2f}"),
)
"""The measured columns of the table: a ``FanoutSample`` attribute and its format."""
REPRODUCE = "make bench-jobs  # or: .venv/bin/python -m benchmarks jobs"


def fanout_table(results: Sequence[DesignResults], plan: JobsPlan) -> list[str]:
    """One row per design and viewer count."""
    rows = []
    for n in plan.viewers:
        for r in results:
            samples = r.samples.get(n, [])
            values = [cell([getattr(s, name) for s in samples], fmt) for name, fmt in COLUMNS]
            note = summary(samples) or (f"not run: {r.not_run[n]}" if n in r.not_run else "")
            label = f"{r.label} ({note})" if note else r.label
            errors = sum(s.errors for s in samples) if samples else "-"
            rows.append((label, f"{n:,}", *values, errors))
    head: tuple[str, ...] = (
        "design",
        "viewers",
        "write → last read p50 ms",
        "p99 ms",
        "events/s",
        "deliveries/s",
    )
    head += ("server CPU µs per delivery", "KiB/viewer (server RSS)", "Redis KiB/viewer")
    return table((*head, "errors"), "l" + "r" * 9, rows)


def jobs_targets(results: dict[str, DesignResults], plan: JobsPlan) -> list[Target]:
    """Each target of issue 11, from the medians of this run."""
    targets = []
    embedded, redis, naive = (results.get(k) for k in ("embedded", "redis", "naive"))

    def p99(r: DesignResults, n: int) -> float:
        return r.median(n, lambda s: s.p99_ms)

    def rate(r: DesignResults, n: int) -> float:
        return r.median(n, lambda s: s.events_per_s)

    least = min(plan.viewers)
    for r in (embedded, redis):
        if r is not None:
            value = p99(r, least)
            targets.append(Target(f"p99 ms @{least:,}, {r.label}", value, "<= 100", value <= 100))
    for n in plan.viewers:
        if embedded and redis:
            value = p99(redis, n) / p99(embedded, n)
            targets.append(Target(f"p99 @{n:,}, Redis / embedded", value, "<= 1.3", value <= 1.3))
            value = rate(embedded, n) / rate(redis, n)
            targets.append(
                Target(f"events/s @{n:,}, embedded / Redis", value, "<= 1.3", value <= 1.3)
            )
        if redis and naive:
            value = rate(redis, n) / rate(naive, n)
            targets.append(Target(f"events/s @{n:,}, Redis / naive", value, ">= 3", value >= 3))
    return targets


def jobs_report(
    plan: JobsPlan,
    results: dict[str, DesignResults],
    load: tuple[float, float, float],
    *,
    smoke: bool,
) -> str:
    """The markdown of the jobs results block; ``load`` is the load average before the run."""
    ordered = [results[k] for k in plan.designs if k in results]
    note = " (smoke run: the numbers mean nothing)" if smoke else ""
    lines = [
        f"### Results{note}",
        "",
        f"Reproduce: `{REPRODUCE}`. Every cell is the median of {plan.runs} run(s), with the "
        f"spread (min-max) in brackets; each run starts the server afresh. {plan.events} "
        f"events measured per run, after {plan.warmup} warm-up events.",
        "",
        *machine(
            PACKAGES,
            pinned="server on CPU 0 (`taskset -c 0`); load generator and redis-server on CPU 1",
            load=load,
            python_note="; servers on asyncio's own loop, the load generator on uvloop",
            packages_note=f"; {redis_version()}",
        ),
        "",
        *fanout_table(ordered, plan),
        "",
        "Targets (ratios of medians from this run):",
        "",
        *targets_table(jobs_targets(results, plan)),
        "",
        *failures_list("Failed measurements:", [f for r in ordered for f in r.failures]),
    ]
    return "\n".join(lines)
