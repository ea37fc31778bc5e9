"""``python -m benchmarks load --smoke``: both of the load mode's measures keep working."""

from __future__ import annotations

import re

from tests.benchmarks.test_smoke import benchmarks


def test_load_smoke_run_prints_both_tables_and_ratios() -> None:
    report = benchmarks("load", "--smoke")
    for row in ("jsonschema (before)", "jsonschema-rs (now)", "load generator", "--clients"):
        assert re.search(
            rf"^\| {re.escape(row)} \| [0-9,.]+ \| [0-9,.]+-[0-9,.]+ \| 1 \|$", report, re.M
        ), row
    assert re.search(r"^judging, jsonschema-rs / jsonschema alone: [0-9.]+x$", report, re.M)
    assert re.search(r"^CPU per judged event / per received event: [0-9.]+x$", report, re.M)
