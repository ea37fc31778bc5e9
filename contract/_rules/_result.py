"""Turning violations into a rule's result, the same way for every rule."""

from __future__ import annotations

from collections.abc import Sequence

from contract._models import NOTHING_TO_JUDGE, RuleResult, Verdict, Violation

MAX_VIOLATIONS = 50
"""Violations kept per rule; a flood of bad events gets one more saying how many were left."""


def capped(found: Sequence[Violation], rule: str) -> tuple[Violation, ...]:
    """At most ``MAX_VIOLATIONS``, plus one that counts the rest."""
    if len(found) <= MAX_VIOLATIONS:
        return tuple(found)
    rest = len(found) - MAX_VIOLATIONS
    return (*found[:MAX_VIOLATIONS], Violation(rule, "no more", f"{rest} more like these"))


def core(rule: str, found: Sequence[Violation], summary: str) -> RuleResult:
    """A core rule: FAIL with the first violation as its summary, else PASS with ``summary``."""
    if found:
        violations = capped(found, rule)
        return RuleResult(rule, False, Verdict.FAIL, str(violations[0]), violations)
    return RuleResult(rule, False, Verdict.PASS, summary)


def nothing(rule: str, why: str, *, extension: bool = False) -> RuleResult:
    """A rule with nothing to judge says so, and passes."""
    return RuleResult(rule, extension, Verdict.PASS, f"{NOTHING_TO_JUDGE}: {why}")
