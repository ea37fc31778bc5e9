"""A report as text for people (one line per rule) or as JSON for machines; pure."""

from __future__ import annotations

import json
from typing import Any

from ._models import Report, RuleResult, Verdict

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
    lines.append(summary(report))
    return "\n".join(lines)


def to_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values."""
    return {
        "url": report.url,
        "contract": report.contract,
        "passed": report.passed,
        "exit_code": report.exit_code,
        "error": report.error or None,
        "elapsed": round(report.elapsed, 3),
        "rules": [
            {
                "rule": r.rule,
                "kind": "extension" if r.extension else "core",
                "verdict": r.verdict.value,
                "required": r.required,
                "failed": r.failed,
                "summary": r.summary,
                "violations": [
                    {
                        "rule": v.rule,
                        "expected": v.expected,
                        "actual": v.actual,
                        "message": v.message,
                    }
                    for v in r.violations
                ],
            }
            for r in report.results
        ],
    }


def format_json(report: Report) -> str:
    """The report as an indented JSON document."""
    return json.dumps(to_json(report), indent=2, ensure_ascii=False)
