"""The clients' outcomes summed up: per rule, timings as percentiles, errors, throughput, CPU.

Pure: a summary is a function of the outcomes (whichever processes ran them) and of the
CPU each process used, so one process or ``--workers K`` give the same summary for the
same outcomes. The core rules' results for the report's ``rules`` list are made here
too: a rule fails when any client fails it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from contract.rules import CORE_RULES
from contract.rules.result import RuleResult, Verdict, Violation

from .outcome import ClientOutcome, Failure

SHOWN_CLIENTS = 5
"""Failing clients whose summaries a report shows (the first ones by number)."""
BUSY = 0.9
"""A process at this share of a core or more was the limit, not the server."""


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Milliseconds: the 50th, 95th and 99th percentiles (nearest rank) and the largest."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


def percentiles(seconds: Sequence[float]) -> Percentiles | None:
    """The percentiles of ``seconds``, in milliseconds; ``None`` when there are none."""
    if not seconds:
        return None
    ordered = sorted(seconds)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    return Percentiles(len(ordered), rank(0.50), rank(0.95), rank(0.99), ordered[-1] * 1000)


@dataclass(frozen=True, slots=True)
class Cpu:
    """CPU seconds each client process used (the first: the one that ran the probes too)."""

    seconds: tuple[float, ...]
    wall: float

    @property
    def total(self) -> float:
        """Every process's CPU seconds."""
        return sum(self.seconds)

    @property
    def busiest(self) -> float:
        """The busiest process's share of one core over the run (1.0: a core)."""
        return max(self.seconds, default=0.0) / self.wall if self.wall > 0 else 0.0

    @property
    def client_bound(self) -> bool:
        """Whether a client process was busy enough to be the limit."""
        return self.busiest >= BUSY


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """What the load section of a report shows."""

    clients: int
    ramp: float
    workers: int
    passed: int
    failed_by_rule: dict[str, int]
    first_failures: tuple[tuple[int, Failure], ...]
    """(client number, its failure) for the first failing clients, every rule each failed."""
    connect_ms: Percentiles | None
    head_ms: Percentiles | None
    first_event_ms: Percentiles | None
    end_ms: Percentiles | None
    """Time to the end, for the streams the server ended."""
    events: int
    judged: int
    """Events of streams that were judged (every stream is: a stream that breaks off too)."""
    seconds: float
    """From the first request to the last client's end."""
    errors: dict[str, int]
    retry_after: dict[str, int]
    """Each ``Retry-After`` value of the error statuses, and how many clients got it."""
    cpu: Cpu

    @property
    def failed(self) -> int:
        """Clients that failed at least one core rule."""
        return self.clients - self.passed

    @property
    def events_per_s(self) -> float:
        """Events received per second of the load."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_per_event_us(self) -> float:
        """Client CPU microseconds per judged event (receiving, recording and judging)."""
        return self.cpu.total / self.judged * 1e6 if self.judged else 0.0


def summarize(
    outcomes: Sequence[ClientOutcome], cpu: Cpu, *, ramp: float = 0.0, workers: int = 1
) -> LoadSummary:
    """The summary of ``outcomes`` (in any order) and the CPU their processes used."""
    ordered = sorted(outcomes, key=lambda o: o.number)
    failing = [o for o in ordered if not o.passed]
    by_rule = Counter(f.rule for o in failing for f in o.failures)
    ends = [o.started + o.ended_at for o in ordered]
    return LoadSummary(
        clients=len(ordered),
        ramp=ramp,
        workers=workers,
        passed=len(ordered) - len(failing),
        failed_by_rule={rule: by_rule[rule] for rule in CORE_RULES if by_rule[rule]},
        first_failures=tuple(
            (o.number, failure) for o in failing[:SHOWN_CLIENTS] for failure in o.failures
        ),
        connect_ms=percentiles([o.connected_at for o in ordered if o.connected_at is not None]),
        head_ms=percentiles([o.head_at for o in ordered if o.head_at is not None]),
        first_event_ms=percentiles(
            [o.first_event_at for o in ordered if o.first_event_at is not None]
        ),
        end_ms=percentiles([o.ended_at for o in ordered if o.ended_cleanly]),
        events=sum(o.events for o in ordered),
        judged=sum(o.events for o in ordered),
        seconds=max(ends, default=0.0) - min((o.started for o in ordered), default=0.0),
        errors=dict(Counter(o.error for o in ordered if o.error).most_common()),
        retry_after=dict(Counter(o.retry_after for o in ordered if o.retry_after).most_common()),
        cpu=cpu,
    )


def core_results(outcomes: Sequence[ClientOutcome]) -> tuple[RuleResult, ...]:
    """Each core rule over every client: FAIL when any client fails it, with the first
    failing clients' violations; else PASS with the first client's summary."""
    ordered = sorted(outcomes, key=lambda o: o.number)
    total = len(ordered)
    results = []
    for index, rule in enumerate(CORE_RULES):
        failing = [(o, f) for o in ordered for f in o.failures if f.rule == rule]
        if not failing:
            summary = ordered[0].summaries[index] if ordered else "no client"
            results.append(RuleResult(rule, False, Verdict.PASS, f"{total} clients: {summary}"))
            continue
        violations = tuple(
            Violation(
                rule,
                f.expected,
                f.actual,
                f"client {o.number}" + (f", {f.message}" if f.message else ""),
            )
            for o, f in failing[:SHOWN_CLIENTS]
        )
        first = violations[0]
        more = len(failing) - len(violations)
        if more:
            violations += (Violation(rule, "no more", f"{more} more client(s) like these"),)
        summary = f"{len(failing)} of {total} clients: {first}"
        results.append(RuleResult(rule, False, Verdict.FAIL, summary, violations))
    return tuple(results)
