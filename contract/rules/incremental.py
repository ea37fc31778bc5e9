"""Rule ``incremental``: events arrive in bursts spread over the server's pauses, not at once."""

from __future__ import annotations

from itertools import pairwise

from .context import Context
from .result import RuleResult, Violation, core, nothing

RULE = "incremental"
DEFAULT_GAP = 0.02


def check_incremental(ctx: Context) -> RuleResult:
    """At least the bursts the contract asks for ([incremental], or exact mode's pauses + 1)."""
    contract = ctx.contract
    times = [timed.at for timed in ctx.main.events]
    if contract.incremental is not None:
        wanted, gap = contract.incremental.bursts, contract.incremental.gap
        why = f"[incremental] asks for {wanted} bursts"
    else:
        if not any(e.pause_before for e in contract.events[1:]):
            return nothing(RULE, "the contract has no pause and no [incremental]")
        # Only the pauses between the events that came: a cut-short stream fails other rules.
        pauses = sum(1 for e in contract.events[1 : len(times)] if e.pause_before)
        # At least half the pauses must show: a buffering server shows none (one burst) or
        # one per flush, while jitter on a busy machine may blur a short pause or two.
        wanted, gap = 1 + (pauses + 1) // 2, DEFAULT_GAP
        why = f"the server pauses {pauses} time(s) between these events; half must show"
    if len(times) < 2:
        return nothing(RULE, f"{len(times)} event(s): too few to see their spread")
    if times[-1] < gap:
        return nothing(
            RULE, f"the server did not pause (every event within {times[-1] * 1000:.0f} ms)"
        )
    bursts = 1 + sum(1 for a, b in pairwise(times) if b - a >= gap)
    spread = f"{len(times)} events in {bursts} burst(s) from {times[0]:.2f} s to {times[-1]:.2f} s"
    if bursts >= wanted:
        return core(RULE, [], spread)
    expected = f"at least {wanted} bursts ({why}; a burst ends at {gap:g} s of silence)"
    actual = spread
    encoding = ctx.main.framing.encoding
    if encoding:
        actual += (
            f"; the body is compressed (Content-Encoding {encoding}): a compressor that holds "
            "events back instead of flushing after each is the likely cause"
        )
    return core(RULE, [Violation(RULE, expected, actual, "buffered")], spread)
