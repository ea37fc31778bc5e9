"""Extension ``keepalive``: while the stream is open, some bytes at least every ``max_silence``."""

from __future__ import annotations

from .context import Context
from .result import RuleResult, Verdict, Violation, nothing

RULE = "keepalive"
TOLERANCE = 0.1
"""A share of ``max_silence`` allowed for scheduling and network jitter (1.5 s of 15)."""


def check_keepalive(ctx: Context) -> RuleResult:
    """SUPPORTED, NOT SUPPORTED (no comment at all, and a long silence) or BROKEN."""
    wanted = ctx.contract.keepalive
    if wanted is None:
        return nothing(RULE, "the contract has no [keepalive]", extension=True)
    recording = ctx.main
    framing = recording.framing
    bound = wanted.max_silence
    opened = recording.head_at if recording.head_at is not None else 0.0
    open_for = recording.ended_at - opened
    longest = framing.longest_silence
    comments = f"{framing.comments} comment line(s)"
    if longest > bound * (1 + TOLERANCE):
        violation = Violation(
            RULE,
            f"some bytes at least every {bound:g} s while open",
            f"{longest:.1f} s of silence from {framing.silence_from:.1f} s "
            f"({comments} in {open_for:.1f} s)",
        )
        if framing.comments:
            return RuleResult(RULE, True, Verdict.BROKEN, str(violation), (violation,))
        return RuleResult(
            RULE, True, Verdict.NOT_SUPPORTED, f"no keep-alive comments: {violation}", (violation,)
        )
    if open_for <= bound:
        return nothing(
            RULE, f"open {open_for:.1f} s, not longer than {bound:g} s ({comments})", extension=True
        )
    return RuleResult(
        RULE,
        True,
        Verdict.SUPPORTED,
        f"longest silence {longest:.1f} s in {open_for:.1f} s ({comments})",
    )
