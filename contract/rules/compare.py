"""What a position to resume from should get, compared with what the main stream got: the
shared judgement of the ``resume``, ``done`` and ``tolerant`` extensions.

Only the first recording is the reference: after ``Last-Event-ID: X`` comes exactly what
followed X there. A probe that got what the main stream got had its position ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from contract.run.recording import Ending, Probe
from contract.wire.event import Event

from .context import Context
from .end import end_violations
from .result import RuleResult, Verdict, Violation, capped
from .words import ids_text

Outcome = list[Violation] | None
"""[] when the probe got what it should, None when its position was ignored, else why not."""


def prefix_mode(ctx: Context) -> bool:
    """Whether probes are compared as far as recorded: the stream never ends, or the client
    cut the first recording at a size limit (a flood), so the probes keep no more than it."""
    return ctx.contract.end.never or ctx.main.ending is Ending.LIMIT


def _same(got: list[Event], want: list[Event], prefix: bool) -> bool:
    """Equal lists; for a stream that never ends, equal as far as both were recorded."""
    if not prefix:
        return got == want
    if not want:
        return True  # the first recording stopped there: nothing after it to compare
    if not got:
        return False
    n = min(len(got), len(want))
    return got[:n] == want[:n]


def _inherited(events: list[Event], value: str) -> list[Event]:
    """``events`` as a client that resumed from ``value`` sees them: until an event sets an
    id, each carries ``value`` (the client seeds a resume probe's parser the same way)."""
    first = next((i for i, e in enumerate(events) if e.last_event_id), len(events))
    if first == 0:
        return events
    return [replace(e, last_event_id=value) for e in events[:first]] + events[first:]


def ignored(ctx: Context, probe: Probe, got: list[Event] | None = None) -> bool:
    """The probe got what the main stream got: its position was ignored."""
    recording = probe.recording
    if recording.status != ctx.main.status:
        return False
    events = _inherited(ctx.events, probe.value) if probe.purpose == "resume" else ctx.events
    got = recording.event_list() if got is None else got
    return _same(got, events, prefix_mode(ctx))


def _compared(got: Sequence[Event], want: Sequence[Event], prefix: bool) -> Sequence[Event]:
    """What of ``got`` to describe: for a stream that never ends, only as far as ``want`` goes
    (up to the last id the first recording has), not what came after it."""
    if not prefix or not want:
        return got
    last = want[-1].last_event_id
    cut = next((i for i, e in enumerate(got) if e.last_event_id == last), None)
    return got[: cut + 1] if cut is not None else got[: len(want)]


def _differences(got: Sequence[Event], want: Sequence[Event]) -> str:
    wanted = {e.last_event_id for e in want}
    seen = Counter(e.last_event_id for e in got)  # linear: a stream may hold 100k events
    notes: list[str] = []
    unexpected = [e.last_event_id for e in got if e.last_event_id not in wanted]
    if unexpected:
        notes.append(f"sent again or unexpected: {', '.join(map(repr, unexpected[:5]))}")
    duplicates = sorted(i for i, n in seen.items() if n > 1)
    if duplicates:
        notes.append(f"duplicated: {', '.join(map(repr, duplicates[:5]))}")
    gaps = [e.last_event_id for e in want if e.last_event_id not in seen]
    if gaps:
        notes.append(f"missing: {', '.join(map(repr, gaps[:5]))}")
    return "; ".join(notes) or "same ids, other types or data"


def stream_outcome(ctx: Context, probe: Probe, start: int, rule: str) -> Outcome:
    """How a probe that should get the main stream from event ``start`` on fares."""
    recording = probe.recording
    got = recording.event_list()
    want = ctx.reference[start:]
    never = prefix_mode(ctx)
    status = ctx.contract.response.status
    if never and not want and recording.status == status:
        # The newest id of a stream recorded as far as it went: nothing followed it in the
        # first recording to compare with; only whether the position was ignored shows.
        return None if ignored(ctx, probe, got) else []
    # What followed in the first recording, events after its terminal included (the rule
    # end reports those), or the same up to the terminal: either is a faithful resume.
    same = _same(got, want, never) or _same(got, ctx.events[start:], never)
    if recording.status == status and same:
        if never or end_violations(ctx, ctx.main, ctx.events, ctx.terminal):
            return []  # the main stream ends late too: the core rule end reports it
        # got is the reference from ``start`` on, which ends at its terminal event, if any
        terminal = len(got) - 1 if got and ctx.terminal is not None else None
        return [
            Violation(rule, v.expected, v.actual, probe.label)
            for v in end_violations(ctx, recording, got, terminal, rule)
        ]
    if ignored(ctx, probe, got):
        return None
    if recording.status != status:
        shown = recording.status_text()
        return [Violation(rule, f"{status} with ids {ids_text(want)}", shown, probe.label)]
    compared = _compared(got, want, never)
    return [
        Violation(
            rule,
            f"ids {ids_text(want)}" + (" (as far as recorded)" if never else ""),
            f"ids {ids_text(compared)} ({_differences(compared, want)})",
            probe.label,
        )
    ]


def verdict(
    rule: str, outcomes: Sequence[tuple[Probe, Outcome]], supported: str, when_ignored: str
) -> RuleResult:
    """BROKEN on any violation (or a position ignored for some probes only), NOT SUPPORTED
    when every position was ignored, else SUPPORTED; with the summary for each case."""
    ignored_labels = [probe.label for probe, found in outcomes if found is None]
    problems = [v for _, found in outcomes if found for v in found]
    if ignored_labels and len(ignored_labels) < len(outcomes):
        problems.append(
            Violation(
                rule,
                "every position handled alike",
                "the same response as with no position for " + ", ".join(ignored_labels[:8]),
                "ignored for some only",
            )
        )
    if problems:
        kept = capped(problems, rule)
        return RuleResult(rule, True, Verdict.BROKEN, str(kept[0]), kept)
    if ignored_labels:
        return RuleResult(rule, True, Verdict.NOT_SUPPORTED, when_ignored)
    return RuleResult(rule, True, Verdict.SUPPORTED, supported)


def forms(probes: Sequence[Probe]) -> str:
    """How the probes sent their positions: the header, and each query parameter."""
    queries = sorted({p.query for p in probes if p.query})
    return "Last-Event-ID" + "".join(f" and ?{q}=" for q in queries)
