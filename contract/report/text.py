"""A report as text for people: one line per rule, violations below failures, a summary."""

from __future__ import annotations

from contract.rules.result import RuleResult, Verdict

from .model import Report

_WIDTH = max(len(verdict.value) for verdict in Verdict)
SHOWN_VIOLATIONS = 6
"""Violations listed per rule in the text report (the JSON report lists all)."""


def _line(result: RuleResult) -> str:
    tag = "extension" if result.extension else "core"
    required = ", required" if result.required else ""
    return f"{result.verdict.value:<{_WIDTH}}  {result.rule:<11} ({tag}{required}) {result.summary}"


def summary(report: Report) -> str:
    """One line: how many core rules passed, what each extension got, the outcome."""
    if report.error:
        return f"cannot run: {report.error}"
    core = [r for r in report.results if not r.extension]
    extensions = [r for r in report.results if r.extension]
    passed = sum(1 for r in core if r.verdict is Verdict.PASS)
    counts: dict[str, int] = {}
    for result in extensions:
        counts[result.verdict.value.lower()] = counts.get(result.verdict.value.lower(), 0) + 1
    shown = ", ".join(f"{n} {name}" for name, n in counts.items()) or "none"
    failed = [r.rule for r in report.results if r.failed]
    outcome = "PASSED" if report.passed else f"FAILED ({', '.join(failed)})"
    return (
        f"{outcome}: core {passed}/{len(core)} passed; extensions: {shown}; {report.elapsed:.1f} s"
    )


def format_text(report: Report) -> str:
    """The readable report: a header, one line per rule, violations below failures, a summary."""
    contract = f" (contract: {report.contract})" if report.contract else ""
    lines = [f"SSE contract suite: {report.url}{contract}"]
    for result in report.results:
        lines.append(_line(result))
        if result.failed or result.verdict is Verdict.BROKEN:
            more = result.violations[1:]
            lines.extend(f"    - {violation}" for violation in more[:SHOWN_VIOLATIONS])
            if len(more) > SHOWN_VIOLATIONS:
                lines.append(f"    ... and {len(more) - SHOWN_VIOLATIONS} more (see --json)")
        lines.extend(f"    {line}" for line in result.details)
    lines.append(summary(report))
    return "\n".join(lines)
