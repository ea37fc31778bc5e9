"""Rule ``end``: the response ends right after its terminal event, or never ends."""

from __future__ import annotations

from contract.run.recording import Ending, Recording
from contract.wire.event import Event

from .context import Context
from .result import RuleResult, Violation, core
from .words import show

RULE = "end"


def terminal_name(ctx: Context) -> str:
    """The terminal event, for messages."""
    contract = ctx.contract
    if contract.exact:
        last = contract.events[-1]
        return f"the last listed event ({last.type}: {last.data!r})"
    if contract.end.after is not None:
        return f"the first {contract.end.after} event"
    return "the last event"


def check_end(ctx: Context) -> RuleResult:
    """The body ends within ``grace`` after the terminal event, with nothing after it."""
    recording, end = ctx.main, ctx.contract.end
    if end.never:
        if recording.ending in (Ending.EOF, Ending.RESET):
            how = "ended" if recording.ending is Ending.EOF else recording.ending_text()
            found = [
                Violation(
                    RULE, "the stream to stay open", f"{how} after {recording.ended_at:.2f} s"
                )
            ]
            return core(RULE, found, "")
        return core(RULE, [], f"open until the suite stopped ({recording.ending_text()})")
    terminal = ctx.terminal
    name = terminal_name(ctx)
    if terminal is None and (ctx.contract.exact or end.after is not None):
        actual = (
            "the body ended without it"
            if recording.ending is Ending.EOF
            else recording.ending_text()
        )
        return core(RULE, [Violation(RULE, f"{name}, then the end", actual)], "")
    found = end_violations(ctx, recording, ctx.events, terminal)
    at = recording.events[terminal].at if terminal is not None else None
    summary = f"ended {recording.ended_at - at:.3f} s after {name}" if at is not None else "ended"
    return core(RULE, found, summary)


def end_violations(
    ctx: Context, recording: Recording, events: list[Event], terminal: int | None, rule: str = RULE
) -> list[Violation]:
    """How a finite response fails to end right after its terminal event (index ``terminal``)."""
    grace = ctx.contract.end.grace
    name = terminal_name(ctx)
    found: list[Violation] = []
    if terminal is not None and terminal < len(events) - 1:
        after = events[terminal + 1 :]
        found.append(
            Violation(
                rule,
                f"nothing after {name}",
                f"{len(after)} event(s) after it, first {show(after[0])}",
            )
        )
    at = recording.events[terminal].at if terminal is not None else None
    if recording.ending is not Ending.EOF:
        wanted = (
            f"the response to end within {grace:g} s after {name}"
            if at is not None
            else "the response to end"
        )
        found.append(Violation(rule, wanted, recording.ending_text()))
    elif at is not None and recording.ended_at - at > grace:
        late = recording.ended_at - at
        found.append(
            Violation(rule, f"the end within {grace:g} s after {name}", f"ended {late:.2f} s after")
        )
    return found
