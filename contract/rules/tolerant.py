"""Extension ``tolerant``: a malformed position is treated as absent: the whole stream, never an
error status."""

from __future__ import annotations

from .compare import forms, stream_outcome, verdict
from .context import Context
from .result import RuleResult, Verdict, nothing


def check_tolerant(ctx: Context, resume: RuleResult) -> RuleResult:
    """A value to tolerate is treated as absent: the whole stream, never an error status."""
    rule = "tolerant"
    if ctx.contract.resume is None:
        return nothing(rule, "the contract has no [resume]", extension=True)
    probes = ctx.recordings.of(rule)
    if not probes:
        return nothing(rule, "the contract lists no values to tolerate", extension=True)
    outcomes = [(probe, stream_outcome(ctx, probe, 0, rule)) for probe in probes]
    # Each probe gets the whole stream; that is "ignored" too, and the point of the rule.
    outcomes = [(probe, [] if found is None else found) for probe, found in outcomes]
    result = verdict(
        rule,
        outcomes,
        f"{len({p.value for p in probes})} malformed value(s) in {forms(probes)}: "
        "the whole stream each time",
        "",
    )
    if result.verdict is Verdict.SUPPORTED and resume.verdict is Verdict.NOT_SUPPORTED:
        return RuleResult(
            rule,
            True,
            Verdict.NOT_SUPPORTED,
            "positions are ignored altogether (no resume), so there is nothing to tolerate",
        )
    return result
