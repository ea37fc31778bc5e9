"""Extension ``done``: the terminal id (and past it, with ``past_end``) gets ``[resume] after_end``:
204 No Content, so an EventSource stops reconnecting, or the status with no event."""

from __future__ import annotations

from contract.run.recording import Probe, Recording
from contract.spec.model import Contract

from .compare import Outcome, forms, ignored, verdict
from .context import Context
from .result import RuleResult, Violation, nothing
from .words import ids_text


def done_wanted(contract: Contract) -> str:
    """What the terminal id must get, in words."""
    assert contract.resume is not None
    if contract.resume.after_end == 204:
        return "204 No Content"
    return f"{contract.response.status} with no event"


def is_done(contract: Contract, recording: Recording) -> bool:
    """Whether a response to the terminal id is what ``[resume] after_end`` asks for."""
    assert contract.resume is not None
    if contract.resume.after_end == 204:
        return recording.status == 204
    return recording.status == contract.response.status and not recording.events


def answer_text(recording: Recording) -> str:
    """A response in words: its status and the ids it sent, or how it ended without a head."""
    if recording.status is None:
        return recording.ending_text()
    events = recording.event_list()
    return f"status {recording.status}" + (f" with ids {ids_text(events)}" if events else "")


def check_done(ctx: Context) -> RuleResult:
    """The terminal id (and past it, with ``past_end``) gets ``after_end``: 204, or no event."""
    rule = "done"
    resume = ctx.contract.resume
    if resume is None:
        return nothing(rule, "the contract has no [resume]", extension=True)
    probes = ctx.recordings.of(rule)
    if not probes:
        why = (
            "the stream never ends"
            if ctx.contract.end.never
            else "no terminal event with an id was recorded"
        )
        return nothing(rule, why, extension=True)
    wanted = done_wanted(ctx.contract)
    outcomes: list[tuple[Probe, Outcome]] = []
    for probe in probes:
        recording = probe.recording
        if is_done(ctx.contract, recording):
            outcomes.append((probe, []))
        elif ignored(ctx, probe):
            outcomes.append((probe, None))
        else:
            shown = answer_text(recording)
            outcomes.append((probe, [Violation(rule, wanted, shown, probe.label)]))
    values = ", ".join(dict.fromkeys(p.shown_value for p in probes))
    return verdict(
        rule,
        outcomes,
        f"{forms(probes)} {values}: {wanted}",
        "the terminal id ignored: the whole stream again",
    )
