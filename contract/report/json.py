"""A report as JSON for machines: every rule, every violation."""

from __future__ import annotations

import json
from typing import Any

from .model import Report


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
                "details": list(r.details),
            }
            for r in report.results
        ],
    }


def format_json(report: Report) -> str:
    """The report as an indented JSON document."""
    return json.dumps(to_json(report), indent=2, ensure_ascii=False)
