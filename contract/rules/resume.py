"""Extension ``resume``: after ``Last-Event-ID: X``, exactly what followed X in the first recording.

Judged from its probes: SUPPORTED, NOT SUPPORTED (the server ignored the position: the
same answer as the main stream's) or BROKEN (attempted and wrong: a duplicate, a gap,
another status).
"""

from __future__ import annotations

from contract.run.recording import Probe
from contract.wire.event import Event

from .compare import Outcome, forms, ignored, stream_outcome, verdict
from .context import Context
from .result import RuleResult, nothing
from .words import ids_text


def check_resume(ctx: Context) -> RuleResult:
    """After ``Last-Event-ID: X``, exactly what followed X in the first recording."""
    rule = "resume"
    if ctx.contract.resume is None:
        return nothing(rule, "the contract has no [resume]", extension=True)
    probes = ctx.recordings.of(rule)
    if not probes:
        return nothing(rule, "no id was recorded to resume from", extension=True)
    outcomes: list[tuple[Probe, Outcome]] = []
    unknown: list[str] = []
    for probe in probes:
        index = ctx.positions.get(probe.value)
        if index is not None:
            outcomes.append((probe, stream_outcome(ctx, probe, index + 1, rule)))
        elif ignored(ctx, probe):
            outcomes.append((probe, None))
        else:
            unknown.append(probe.value)  # the first recording never had it: nothing to compare
    if not outcomes:
        return nothing(
            rule, "the first recording has none of the ids to resume from", extension=True
        )
    skipped = (
        f"; not in the first recording: {', '.join(map(repr, unknown[:5]))}" if unknown else ""
    )
    values = list(dict.fromkeys(p.value for p, _ in outcomes))
    return verdict(
        rule,
        outcomes,
        f"{forms(probes)} from {len(values)} position(s) "
        f"({ids_text([Event('', '', v) for v in values])}): "
        f"each continues right after it{skipped}",
        f"{forms(probes)} ignored: the whole stream again",
    )
