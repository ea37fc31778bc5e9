"""Markdown for the results: the machine, one table per measure, the ratios against the targets."""

from __future__ import annotations

import math
import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .parser_bench import Corpus, ParserResult
from .servers import FASTAPI, PROJECT, fastapi_setup, pinning
from .suite import Plan, ServerResults, spread

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


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def package_versions(names: Sequence[str]) -> list[str]:
    """``name version`` for each installed package, ``name (not installed)`` for the others."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return versions


def machine() -> list[str]:
    """Lines describing where the numbers were taken."""
    model = cpu_model()
    versions = package_versions(PACKAGES)
    pinned = (
        "server on CPU 0 (`taskset -c 0`), load generator on CPU 1"
        if pinning()
        else "not pinned (no taskset or a single CPU)"
    )
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPUs (`nproc`): {os.cpu_count()}; model: {model}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"- packages: {', '.join(versions)}",
        f"- pinning: {pinned}",
        f"- uvicorn set-up: {' '.join(fastapi_setup()) or 'defaults (uvloop/httptools missing)'}",
    ]


def cell(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    """``median (min-max)``, or a dash when there is nothing."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "-"
    mid, low, high = spread(values)
    if len(values) == 1:
        return fmt.format(mid)
    return f"{fmt.format(mid)} ({fmt.format(low)}-{fmt.format(high)})"


def throughput_table(results: Sequence[ServerResults], plan: Plan) -> list[str]:
    """Streams/s, events/s and latency per server."""
    low, high = min(plan.concurrency), max(plan.concurrency)
    lines = [
        f"| server | streams/s @{low} | streams/s @{high} | events/s @{high} "
        f"| streams per server CPU-s @{high} | first event p50 ms @{plan.latency_at} "
        f"| p99 ms @{plan.latency_at} | failed streams |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        at_low, at_high = r.throughput.get(low, []), r.throughput.get(high, [])
        lat = r.throughput.get(plan.latency_at, [])
        errors = sum(s.errors for samples in r.throughput.values() for s in samples)
        lines.append(
            f"| {r.kind.label} | {cell([s.streams_per_s for s in at_low])} "
            f"| {cell([s.streams_per_s for s in at_high])} "
            f"| {cell([s.events_per_s for s in at_high])} "
            f"| {cell([s.streams_per_cpu_s for s in at_high])} "
            f"| {cell([s.p50_ms for s in lat], '{:.2f}')} "
            f"| {cell([s.p99_ms for s in lat], '{:.2f}')} | {errors} |"
        )
    return lines


def held_table(results: Sequence[ServerResults], plan: Plan) -> list[str]:
    """KiB per held connection and time to connect all, per server and size."""
    head = " | ".join(f"KiB/conn @{n:,}" for n in plan.held)
    times = " | ".join(f"s to connect {n:,}" for n in plan.held)
    lines = [
        f"| server | {head} | {times} | idle RSS MiB |",
        "|---|" + "---:|" * (2 * len(plan.held) + 1),
    ]
    for r in results:
        per = " | ".join(
            cell([s.kib_per_conn for s in r.held.get(n, [])], "{:.2f}") for n in plan.held
        )
        secs = " | ".join(cell([s.seconds for s in r.held.get(n, [])], "{:.2f}") for n in plan.held)
        idle = [s.idle_kib / 1024 for samples in r.held.values() for s in samples]
        short = [
            f"{n:,}: {s.connected}" for n in plan.held for s in r.held.get(n, []) if s.connected < n
        ]
        note = f" (connected only {'; '.join(short)})" if short else ""
        lines.append(f"| {r.kind.label}{note} | {per} | {secs} | {cell(idle, '{:.1f}')} |")
    return lines


def parser_table(corpus: Corpus, parsers: Sequence[ParserResult]) -> list[str]:
    """MB/s and events/s per parser, with the events each yielded."""
    expected = len(corpus.expected)
    lines = [
        f"| parser | MB/s | events/s | events yielded (expected {expected:,}) | spec-correct |",
        "|---|---:|---:|---:|---|",
    ]
    for p in parsers:
        if p.missing:
            lines.append(f"| {p.name} | - | - | - | {p.missing} |")
            continue
        mbs = [corpus.size / s / 1e6 for s in p.seconds]
        eps = [p.events / s for s in p.seconds]
        extra = p.events - expected
        count = f"{p.events:,}" + (f" ({extra:+,})" if extra else "")
        lines.append(
            f"| {p.name} | {cell(mbs, '{:.1f}')} | {cell(eps)} | {count} "
            f"| {'yes' if p.correct else 'no'} |"
        )
    return lines


def _median(values: Sequence[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def ratios(
    results: dict[str, ServerResults], plan: Plan, parsers: Sequence[ParserResult]
) -> list[str]:
    """Each target: this project against FastAPI (or httpx-sse), from the same run."""
    rows: list[tuple[str, float, str, bool]] = []
    ours, theirs = results.get(PROJECT.key), results.get(FASTAPI.key)
    high = max(plan.concurrency)
    if ours and theirs:
        a = _median([s.streams_per_s for s in ours.throughput.get(high, [])])
        b = _median([s.streams_per_s for s in theirs.throughput.get(high, [])])
        rows.append(
            (f"complete streams/s @{high}, project / FastAPI", a / b, ">= 2 (aim 3)", a >= 2 * b)
        )
        a = _median([s.streams_per_cpu_s for s in ours.throughput.get(high, [])])
        b = _median([s.streams_per_cpu_s for s in theirs.throughput.get(high, [])])
        rows.append(
            (f"streams per server CPU-s @{high}, project / FastAPI", a / b, "(context)", a >= 2 * b)
        )
        a = _median([s.p50_ms for s in ours.throughput.get(plan.latency_at, [])])
        b = _median([s.p50_ms for s in theirs.throughput.get(plan.latency_at, [])])
        rows.append(
            (f"first-event p50 @{plan.latency_at}, project / FastAPI", a / b, "<= 0.5", a <= b / 2)
        )
        if plan.held:
            most = max(plan.held)
            a = _median([s.kib_per_conn for s in ours.held.get(most, [])])
            b = _median([s.kib_per_conn for s in theirs.held.get(most, [])])
            rows.append(
                (f"KiB per held connection @{most:,}, project / FastAPI", a / b, "(context)", a < b)
            )
            rows.append((f"KiB per held connection @{most:,}, project", a, "<= 10", a <= 10))
            least = min(plan.held)
            c = _median([s.kib_per_conn for s in ours.held.get(least, [])])
            rows.append(
                (f"KiB/conn @{most:,} / @{least:,} (flat = 1)", a / c, "<= 1.1", a / c <= 1.1)
            )
    by_name = {p.name.split(" ")[0]: p for p in parsers if not p.missing}
    if "contract.EventParser" in by_name and "httpx-sse" in by_name:
        a = _median([1 / s for s in by_name["contract.EventParser"].seconds])
        b = _median([1 / s for s in by_name["httpx-sse"].seconds])
        rows.append(
            ("parser MB/s, contract.EventParser / httpx-sse", a / b, ">= 2 (aim 3)", a >= 2 * b)
        )
        if "contract.EventParser," in by_name:
            c = _median([1 / s for s in by_name["contract.EventParser,"].seconds])
            rows.append(
                ("parser MB/s, EventParser / its line machine only", a / c, "(context)", a > c)
            )
    lines = ["| measure | value | target | met |", "|---|---:|---|---|"]
    for name, value, target, met in rows:
        shown = "-" if math.isnan(value) else f"{value:.2f}"
        verdict = "-" if target.startswith("(") or math.isnan(value) else ("yes" if met else "no")
        lines.append(f"| {name} | {shown} | {target} | {verdict} |")
    return lines


def write_results(path: Path, text: str, markers: tuple[str, str]) -> None:
    """Put ``text`` between the two ``markers`` lines of ``path``, keeping the prose around them.

    Without the markers, the block goes at the top of the file.
    """
    start, end = markers
    block = f"{start}\n{text}{end}\n"
    old = path.read_text() if path.exists() else ""
    if start in old and end in old:
        before, rest = old.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        path.write_text(before + block + after)
    else:
        path.write_text(block + old)
