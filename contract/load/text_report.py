"""The load section of the text report: per rule, the first failing clients, timings,
throughput, connection errors, and the client's own CPU."""

from __future__ import annotations

from contract.report.text import format_text
from contract.rules import CORE_RULES

from .mode import LoadReport
from .summary import LoadSummary, Percentiles


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def timing_line(label: str, found: Percentiles | None) -> str:
    """``label``: p50 / p95 / p99 / max in milliseconds (and over how many clients)."""
    if found is None:
        return f"  {label:<20} none"
    values = " / ".join(_ms(v) for v in (found.p50, found.p95, found.p99, found.max))
    return f"  {label:<20} p50 / p95 / p99 / max {values} ms ({found.count} clients)"


def how_started(summary: LoadSummary) -> str:
    """How the clients started, over how many processes."""
    when = f"spread over {summary.ramp:g} s" if summary.ramp else "all at once"
    processes = f"{summary.workers} processes" if summary.workers > 1 else "1 process"
    return f"{summary.clients} clients {when} ({processes})"


def cpu_lines(summary: LoadSummary) -> list[str]:
    """The client's CPU, and a warning when a client process rather than the server was busy."""
    cpu = summary.cpu
    processes = len(cpu.seconds)
    lines = [
        f"  client CPU           {cpu.total:.2f} s in {processes} process(es) over "
        f"{cpu.wall:.2f} s (the busiest at {cpu.busiest:.0%} of a core); "
        f"{summary.cpu_per_event_us:.1f} us per judged event"
    ]
    if cpu.client_bound:
        lines.append(
            "  note: a client process was busy most of the run: the figures may show the "
            "client's limit, not the server's (more --workers)"
        )
    return lines


def load_section(summary: LoadSummary) -> list[str]:
    """The lines of the load section."""
    lines = [
        f"LOAD: {how_started(summary)}: {summary.passed} passed, {summary.failed} failed "
        f"in {summary.seconds:.2f} s",
        "  rule          clients passed   failed",
    ]
    for rule in CORE_RULES:
        failed = summary.failed_by_rule.get(rule, 0)
        lines.append(f"  {rule:<12} {summary.clients - failed:>15,} {failed:>8,}")
    if summary.first_failures:
        lines.append("  first failing clients:")
        lines += [
            f"    client {number} {failure.rule}: {failure}"
            for number, failure in summary.first_failures
        ]
    lines += [
        timing_line("time to connect", summary.connect_ms),
        timing_line("time to head", summary.head_ms),
        timing_line("time to first event", summary.first_event_ms),
        timing_line("time to the end", summary.end_ms),
        f"  events               {summary.events:,} received, {summary.judged:,} judged, "
        f"{summary.events_per_s:,.0f}/s",
    ]
    if summary.errors:
        shown = ", ".join(f"{kind} {count:,}" for kind, count in summary.errors.items())
        if summary.retry_after:
            shown += " (Retry-After: " + ", ".join(
                f"{value!r} x{count:,}" for value, count in summary.retry_after.items()
            )
            shown += ")"
        lines.append(f"  connection errors    {shown}")
    else:
        lines.append("  connection errors    none")
    return lines + cpu_lines(summary)


def format_load_text(load: LoadReport) -> str:
    """The report's text (every rule over every client), then the load section."""
    text = format_text(load.report)
    if load.summary is None:
        return text
    return "\n".join([text, *load_section(load.summary)])
