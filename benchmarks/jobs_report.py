"""Markdown for the jobs fan-out results: the machine, the table, the ratios against the targets."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime

from .jobs_suite import DesignResults, JobsPlan, summary
from .redis_proc import RedisMissing, redis_server_path
from .report import cell, cpu_model, package_versions
from .servers import pinning

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


def machine(load: tuple[float, float, float]) -> list[str]:
    """Lines describing where the numbers were taken; ``load`` is the load average before."""
    model = cpu_model()
    versions = package_versions(PACKAGES)
    pinned = (
        "server on CPU 0 (`taskset -c 0`); load generator and redis-server on CPU 1"
        if pinning()
        else "not pinned (no taskset or a single CPU)"
    )
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPUs (`nproc`): {os.cpu_count()}; model: {model}; load average before the run: "
        f"{load[0]:.2f} (1 min), {load[1]:.2f} (5 min)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}; servers on asyncio's own loop, "
        "the load generator on uvloop",
        f"- packages: {', '.join(versions)}; {redis_version()}",
        f"- pinning: {pinned}",
    ]


def redis_version() -> str:
    """``redis-server 7.0.15``, or why there is none."""
    try:
        out = subprocess.run(
            [redis_server_path(), "--version"], capture_output=True, text=True, check=False
        ).stdout
    except (RedisMissing, OSError):
        return "redis-server missing"
    version = next((w[2:] for w in out.split() if w.startswith("v=")), "unknown")
    return f"redis-server {version} (no persistence)"


def fanout_table(results: Sequence[DesignResults], plan: JobsPlan) -> list[str]:
    """One row per design and viewer count."""
    lines = [
        "| design | viewers | write → last read p50 ms | p99 ms | events/s "
        "| deliveries/s | server CPU µs per delivery | KiB/viewer (server RSS) "
        "| Redis KiB/viewer | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in plan.viewers:
        for r in results:
            samples = r.samples.get(n, [])
            values = " | ".join(
                cell([getattr(s, name) for s in samples], fmt) for name, fmt in COLUMNS
            )
            note = summary(samples) or (f"not run: {r.not_run[n]}" if n in r.not_run else "")
            label = f"{r.label} ({note})" if note else r.label
            errors = sum(s.errors for s in samples) if samples else "-"
            lines.append(f"| {label} | {n:,} | {values} | {errors} |")
    return lines


def targets(results: dict[str, DesignResults], plan: JobsPlan) -> list[str]:
    """Each target of issue 11, from the medians of this run."""
    rows: list[tuple[str, float, str, bool | None]] = []
    embedded, redis, naive = (results.get(k) for k in ("embedded", "redis", "naive"))

    def p99(r: DesignResults, n: int) -> float:
        return r.median(n, lambda s: s.p99_ms)

    def rate(r: DesignResults, n: int) -> float:
        return r.median(n, lambda s: s.events_per_s)

    least = min(plan.viewers)
    for r in (embedded, redis):
        if r is not None:
            value = p99(r, least)
            rows.append((f"p99 ms @{least:,}, {r.label}", value, "<= 100", value <= 100))
    for n in plan.viewers:
        if embedded and redis:
            value = p99(redis, n) / p99(embedded, n)
            rows.append((f"p99 @{n:,}, Redis / embedded", value, "<= 1.3", value <= 1.3))
            value = rate(embedded, n) / rate(redis, n)
            rows.append((f"events/s @{n:,}, embedded / Redis", value, "<= 1.3", value <= 1.3))
        if redis and naive:
            value = rate(redis, n) / rate(naive, n)
            rows.append((f"events/s @{n:,}, Redis / naive", value, ">= 3", value >= 3))
    lines = ["| measure | value | target | met |", "|---|---:|---|---|"]
    for name, value, target, met in rows:
        if math.isnan(value):
            lines.append(f"| {name} | - | {target} | - |")
        else:
            lines.append(f"| {name} | {value:.2f} | {target} | {'yes' if met else 'no'} |")
    return lines


def render(
    plan: JobsPlan,
    results: dict[str, DesignResults],
    load: tuple[float, float, float],
    *,
    smoke: bool,
) -> str:
    """The markdown of the jobs results block."""
    ordered = [results[k] for k in plan.designs if k in results]
    note = " (smoke run: the numbers mean nothing)" if smoke else ""
    lines = [
        f"### Results{note}",
        "",
        f"Reproduce: `{REPRODUCE}`. Every cell is the median of {plan.runs} run(s), with the "
        f"spread (min-max) in brackets; each run starts the server afresh. {plan.events} "
        f"events measured per run, after {plan.warmup} warm-up events.",
        "",
        *machine(load),
        "",
        *fanout_table(ordered, plan),
        "",
        "Targets (ratios of medians from this run):",
        "",
        *targets(results, plan),
        "",
    ]
    failures = [f for r in ordered for f in r.failures]
    if failures:
        lines += ["Failed measurements:", "", *(f"- {f}" for f in failures), ""]
    return "\n".join(lines)
