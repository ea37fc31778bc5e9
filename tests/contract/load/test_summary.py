"""Outcomes summed up: percentiles by nearest rank, rules over every client, merging exact."""

from __future__ import annotations

import random

from contract.load.outcome import ClientOutcome, Failure
from contract.load.summary import SHOWN_CLIENTS, Cpu, core_results, percentiles, summarize
from contract.rules import CORE_RULES
from contract.rules.result import Verdict
from contract.run.recording import Ending

SUMMARIES = tuple(f"{rule} ok" for rule in CORE_RULES)


def outcome(number: int, *failures: Failure, error: str | None = None) -> ClientOutcome:
    return ClientOutcome(
        number=number,
        started=number / 100,
        connected_at=None if error else 0.005,
        head_at=None if error else 0.010 + number / 1000,
        first_event_at=None if error else 0.020 + number / 1000,
        ended_at=0.5,
        ending=Ending.UNREACHABLE if error else Ending.EOF,
        events=0 if error else 11,
        error=error,
        retry_after="1" if error == "status 503" else None,
        summaries=SUMMARIES,
        failures=failures,
    )


REFUSED = Failure("head", "status 200", "status 503")
MISSING = Failure("events", "1 more event(s) before event #6: id='5'", "missing", "listed #6")
OUTCOMES = [
    outcome(n, MISSING)
    if n % 7 == 0
    else outcome(n, REFUSED, error="status 503")
    if n == 50
    else outcome(n)
    for n in range(1, 101)
]


def test_percentiles_by_nearest_rank_in_milliseconds() -> None:
    found = percentiles([i / 1000 for i in range(1, 101)])
    assert found is not None
    assert (found.count, found.p50, found.p95, found.p99, found.max) == (
        100,
        50.0,
        95.0,
        99.0,
        100.0,
    )
    assert percentiles([]) is None


def test_a_summary_counts_clients_per_rule_errors_and_timings() -> None:
    summary = summarize(OUTCOMES, Cpu((0.5,), 2.0))
    assert (summary.clients, summary.passed, summary.failed) == (100, 85, 15)
    assert summary.failed_by_rule == {"head": 1, "events": 14}
    assert summary.errors == {"status 503": 1}
    assert summary.retry_after == {"1": 1}
    assert [number for number, _ in summary.first_failures] == [7, 14, 21, 28, 35]
    assert summary.first_event_ms is not None
    assert summary.first_event_ms.count == 99
    assert summary.events == summary.judged == 99 * 11
    assert summary.cpu_per_event_us == 0.5 / (99 * 11) * 1e6
    assert summary.cpu.busiest == 0.25


def test_outcomes_merged_from_workers_sum_up_as_from_one_process() -> None:
    halves = [OUTCOMES[0::2], OUTCOMES[1::2]]
    merged = [o for half in reversed(halves) for o in random.Random(3).sample(half, len(half))]
    assert summarize(merged, Cpu((0.5,), 2.0)) == summarize(OUTCOMES, Cpu((0.5,), 2.0))


def test_a_rule_fails_when_any_client_fails_it_naming_the_first_ones() -> None:
    results = {r.rule: r for r in core_results(OUTCOMES)}
    events = results["events"]
    assert events.verdict is Verdict.FAIL
    assert (
        events.summary
        == f"14 of 100 clients: client 7, listed #6: expected {MISSING.expected}; actual missing"
    )
    assert [v.message for v in events.violations[:SHOWN_CLIENTS]] == [
        f"client {n}, listed #6" for n in (7, 14, 21, 28, 35)
    ]
    assert events.violations[-1].actual == "9 more client(s) like these"
    assert results["ids"].verdict is Verdict.PASS
    assert results["ids"].summary == "100 clients: ids ok"
