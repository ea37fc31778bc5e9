"""``--html FILE``: the load run as one self-contained page (inline SVG, no script, nothing
fetched): the verdicts, a histogram of the time to first event, and a timeline of every
client (when it sent its request, got its head, its first event, its end, or failed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from contract.report.text import summary as summary_line

from .mode import LoadReport
from .outcome import ClientOutcome
from .summary import LoadSummary, Percentiles
from .text_report import how_started

WIDTH = 960
PLOT_LEFT = 60
PLOT_RIGHT = 20
COLORS = {
    "connect": "#dee2e6",  # connecting
    "wait": "#a5b1bd",  # connected, the request sent, no head yet
    "head": "#f0ad4e",  # the head, no event yet
    "stream": "#2b8a3e",  # receiving events, the stream passed
    "failed": "#d6336c",  # a stream that failed a rule
}
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px;
  color: #212529; }
h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 28px; }
.verdict { font-weight: 600; } .pass { color: #2b8a3e; } .fail { color: #d6336c; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; }
th { border-bottom: 1px solid #adb5bd; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card b { display: block; font-size: 18px; } .muted { color: #6c757d; }
svg text { font: 11px system-ui, sans-serif; fill: #495057; }
.key span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px;
  vertical-align: -1px; }
"""


def _ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _card(title: str, value: str, note: str = "") -> str:
    extra = f'<span class="muted">{escape(note)}</span>' if note else ""
    return f'<div class="card">{escape(title)}<b>{escape(value)}</b>{extra}</div>'


def _cards(summary: LoadSummary) -> str:
    first = summary.first_event_ms

    def spread(found: Percentiles | None) -> str:
        if found is None:
            return "none"
        return f"p95 {_ms(found.p95)}, p99 {_ms(found.p99)}, max {_ms(found.max)}"

    errors = ", ".join(f"{k} {v:,}" for k, v in summary.errors.items()) or "none"
    cards = [
        _card("clients passed", f"{summary.passed:,} / {summary.clients:,}", how_started(summary)),
        _card("first event p50", _ms(first.p50) if first else "none", spread(first)),
        _card("events", f"{summary.events_per_s:,.0f}/s", f"{summary.events:,} received"),
        _card("connection errors", f"{sum(summary.errors.values()):,}", errors),
        _card(
            "client CPU",
            f"{summary.cpu.total:.2f} s",
            f"{summary.cpu_per_event_us:.1f} us per event; busiest process "
            f"{summary.cpu.busiest:.0%} of a core",
        ),
    ]
    return f'<div class="cards">{"".join(cards)}</div>'


def _rules(load: LoadReport, summary: LoadSummary) -> str:
    rows = []
    for result in load.report.results:
        failed = summary.failed_by_rule.get(result.rule, 0)
        clients = "" if result.extension else f"{failed:,}"
        css = "fail" if result.failed else "pass"
        rows.append(
            f'<tr><td>{escape(result.rule)}</td><td class="verdict {css}">'
            f'{escape(result.verdict.value)}</td><td class="n">{clients}</td>'
            f"<td>{escape(result.summary)}</td></tr>"
        )
    head = "<tr><th>rule</th><th>verdict</th><th>clients failed</th><th>summary</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _histogram(outcomes: Sequence[ClientOutcome]) -> str:
    times = [o.first_event_at * 1000 for o in outcomes if o.first_event_at is not None]
    if not times:
        return '<p class="muted">No client received an event.</p>'
    height, bins = 220, 40
    top = max(times) or 1.0
    width = top / bins
    counts = [0] * bins
    for value in times:
        counts[min(bins - 1, int(value / width))] += 1
    tallest = max(counts)
    plot = WIDTH - PLOT_LEFT - PLOT_RIGHT
    bar = plot / bins
    parts = [f'<svg width="{WIDTH}" height="{height + 40}" role="img" aria-label="histogram">']
    for index, count in enumerate(counts):
        h = count / tallest * height
        x = PLOT_LEFT + index * bar
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h + 10:.1f}" width="{max(bar - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="#4263eb"><title>{index * width:,.1f}-'
            f"{(index + 1) * width:,.1f} ms: {count} clients</title></rect>"
        )
    parts += _axis(height + 10, top, "ms")
    parts.append(f'<text x="4" y="16">{tallest:,}</text><text x="4" y="{height + 10}">0</text>')
    parts.append("</svg>")
    return "".join(parts)


def _axis(y: float, top: float, unit: str) -> list[str]:
    plot = WIDTH - PLOT_LEFT - PLOT_RIGHT
    step = _nice_step(top / 6)
    parts = [
        f'<line x1="{PLOT_LEFT}" x2="{WIDTH - PLOT_RIGHT}" y1="{y}" y2="{y}" stroke="#868e96"/>'
    ]
    tick = 0.0
    while tick <= top * 1.0001:
        x = PLOT_LEFT + tick / top * plot
        parts.append(f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle">{tick:g} {unit}</text>')
        tick += step
    return parts


def _nice_step(rough: float) -> float:
    if rough <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= rough)


def _timeline(outcomes: Sequence[ClientOutcome]) -> str:
    if not outcomes:
        return ""
    ends = [o.started + o.ended_at for o in outcomes]
    top = max(*ends, 1e-3)
    height = min(600, max(120, 2 * len(outcomes)))
    plot = WIDTH - PLOT_LEFT - PLOT_RIGHT
    row = height / len(outcomes)
    paths: dict[str, list[str]] = {name: [] for name in COLORS}
    stops = []

    def x(seconds: float) -> float:
        return PLOT_LEFT + seconds / top * plot

    for index, o in enumerate(outcomes):
        y = 10 + (index + 0.5) * row
        connected = o.started + (o.connected_at if o.connected_at is not None else o.ended_at)
        head = o.started + (o.head_at if o.head_at is not None else o.ended_at)
        first = o.started + (o.first_event_at if o.first_event_at is not None else o.ended_at)
        end = o.started + o.ended_at
        paths["connect"].append(f"M{x(o.started):.1f} {y:.1f}H{x(connected):.1f}")
        paths["wait"].append(f"M{x(connected):.1f} {y:.1f}H{x(head):.1f}")
        paths["head"].append(f"M{x(head):.1f} {y:.1f}H{x(first):.1f}")
        paths["stream" if o.passed else "failed"].append(f"M{x(first):.1f} {y:.1f}H{x(end):.1f}")
        if not o.passed:
            stops.append(f"M{x(end):.1f} {y - max(row, 2):.1f}v{2 * max(row, 2):.1f}")
    width = max(0.6, min(row * 0.8, 4))
    parts = [f'<svg width="{WIDTH}" height="{height + 40}" role="img" aria-label="timeline">']
    for name, segments in paths.items():
        if segments:
            parts.append(
                f'<path d="{"".join(segments)}" stroke="{COLORS[name]}" '
                f'stroke-width="{width:.2f}" fill="none"/>'
            )
    if stops:
        parts.append(f'<path d="{"".join(stops)}" stroke="{COLORS["failed"]}" stroke-width="1"/>')
    parts += _axis(height + 10, top, "s")
    parts.append(
        f'<text x="4" y="16">#1</text><text x="4" y="{height + 8}">#{len(outcomes)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _key() -> str:
    names = {
        "connect": "connecting",
        "wait": "request sent, no head yet",
        "head": "head received, no event yet",
        "stream": "receiving events (passed)",
        "failed": "failed a rule (a tick where it ended)",
    }
    items = "".join(
        f'<span style="background:{COLORS[k]}"></span>{escape(text)}' for k, text in names.items()
    )
    return f'<p class="key">{items}</p>'


def _failures(summary: LoadSummary) -> str:
    if not summary.first_failures:
        return ""
    rows = "".join(
        f"<tr><td>client {number}</td><td>{escape(f.rule)}</td><td>{escape(str(f))}</td></tr>"
        for number, f in summary.first_failures
    )
    return f"<h2>The first failing clients</h2><table>{rows}</table>"


def format_load_html(load: LoadReport) -> str:
    """The whole page."""
    report, summary = load.report, load.summary
    title = f"SSE load: {report.url}"
    if summary is None:
        body = f'<p class="verdict fail">cannot run: {escape(report.error)}</p>'
    else:
        verdict = "pass" if report.passed else "fail"
        body = "".join(
            [
                f'<p class="verdict {verdict}">{escape(summary_line(report))}</p>',
                _cards(summary),
                "<h2>Rules</h2>",
                _rules(load, summary),
                "<h2>Time to first event</h2>",
                _histogram(load.outcomes),
                f"<h2>Clients over time ({summary.clients:,}, in the order they started)</h2>",
                _key(),
                _timeline(load.outcomes),
                _failures(summary),
            ]
        )
    contract = f" (contract: {escape(report.contract)})" if report.contract else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="muted">{contract}</p>{body}</body></html>\n'
    )
