"""The load report as JSON: the report's own keys, and a top-level ``load`` object."""

from __future__ import annotations

import json
from typing import Any

from contract.report.json import to_json
from contract.rules import CORE_RULES

from .mode import LoadReport
from .summary import LoadSummary, Percentiles


def _percentiles(found: Percentiles | None) -> dict[str, float] | None:
    if found is None:
        return None
    return {
        "p50": round(found.p50, 3),
        "p95": round(found.p95, 3),
        "p99": round(found.p99, 3),
        "max": round(found.max, 3),
        "count": found.count,
    }


def load_json(summary: LoadSummary) -> dict[str, Any]:
    """The ``load`` object: counts per rule, timings in ms, errors by kind, throughput, CPU."""
    cpu = summary.cpu
    return {
        "clients": summary.clients,
        "ramp": summary.ramp,
        "workers": summary.workers,
        "passed": summary.passed,
        "failed": summary.failed,
        "failed_by_rule": {rule: summary.failed_by_rule.get(rule, 0) for rule in CORE_RULES},
        "first_failures": [
            {
                "client": number,
                "rule": failure.rule,
                "expected": failure.expected,
                "actual": failure.actual,
                "message": failure.message,
            }
            for number, failure in summary.first_failures
        ],
        "connect_ms": _percentiles(summary.connect_ms),
        "head_ms": _percentiles(summary.head_ms),
        "first_event_ms": _percentiles(summary.first_event_ms),
        "end_ms": _percentiles(summary.end_ms),
        "events": summary.events,
        "judged": summary.judged,
        "seconds": round(summary.seconds, 3),
        "events_per_s": round(summary.events_per_s, 1),
        "errors": dict(summary.errors),
        "retry_after": dict(summary.retry_after),
        "cpu": {
            "seconds": round(cpu.total, 3),
            "per_process": [round(seconds, 3) for seconds in cpu.seconds],
            "wall": round(cpu.wall, 3),
            "busiest_share": round(cpu.busiest, 3),
            "per_event_us": round(summary.cpu_per_event_us, 2),
            "client_bound": cpu.client_bound,
        },
    }


def format_load_json(load: LoadReport) -> str:
    """The report as JSON, with ``load`` when the clients ran."""
    document = to_json(load.report)
    document["load"] = None if load.summary is None else load_json(load.summary)
    return json.dumps(document, indent=2, ensure_ascii=False)
