"""A rule's result: its verdict, a summary, every violation behind it; made alike by all rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a response breaks a rule: what the rule expects and what the server did."""

    rule: str
    expected: str
    actual: str
    message: str = ""

    def __str__(self) -> str:
        lead = f"{self.message}: " if self.message else ""
        return f"{lead}expected {self.expected}; actual {self.actual}"


class Verdict(StrEnum):
    """The outcome of one rule: core rules pass or fail, extensions get one of three."""

    PASS = "PASS"
    FAIL = "FAIL"
    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT SUPPORTED"
    BROKEN = "BROKEN"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A rule's verdict, a one-line summary, and every violation behind it."""

    rule: str
    extension: bool
    verdict: Verdict
    summary: str
    violations: tuple[Violation, ...] = ()
    required: bool = False
    details: tuple[str, ...] = ()
    """Lines shown below the result: the resume fuzzer's shrunk plan and how to replay it."""

    @property
    def failed(self) -> bool:
        """Whether this result fails a run (a required extension must be supported)."""
        if self.verdict in (Verdict.FAIL, Verdict.BROKEN):
            return True
        return self.required and self.verdict is Verdict.NOT_SUPPORTED


NOTHING_TO_JUDGE = "nothing to judge"
MAX_VIOLATIONS = 50
"""Violations kept per rule; a flood of bad events gets one more saying how many were left."""


def capped(found: Sequence[Violation], rule: str, more: int = 0) -> tuple[Violation, ...]:
    """At most ``MAX_VIOLATIONS``, plus one that counts the rest (and ``more`` not built)."""
    rest = max(0, len(found) - MAX_VIOLATIONS) + more
    if not rest:
        return tuple(found)
    return (*found[:MAX_VIOLATIONS], Violation(rule, "no more", f"{rest} more like these"))


def core(rule: str, found: Sequence[Violation], summary: str, more: int = 0) -> RuleResult:
    """A core rule: FAIL with the first violation as its summary, else PASS with ``summary``;
    ``more`` counts violations found but not built (a flood's)."""
    if found:
        violations = capped(found, rule, more)
        return RuleResult(rule, False, Verdict.FAIL, str(violations[0]), violations)
    return RuleResult(rule, False, Verdict.PASS, summary)


def nothing(rule: str, why: str, *, extension: bool = False) -> RuleResult:
    """A rule with nothing to judge says so, and passes."""
    return RuleResult(rule, extension, Verdict.PASS, f"{NOTHING_TO_JUDGE}: {why}")
