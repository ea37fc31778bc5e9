"""Turning violations into a rule's result, the same way for every rule."""

from __future__ import annotations

from collections.abc import Sequence

from contract._models import NOTHING_TO_JUDGE, RuleResult, Verdict, Violation

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
