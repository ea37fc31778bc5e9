"""Rule ``events``: exactly the listed events, or events whose kinds follow the pattern."""

from __future__ import annotations

from difflib import SequenceMatcher

from contract.spec.model import ExpectedEvent
from contract.wire.event import Event

from .context import Context
from .result import RuleResult, Violation, core
from .words import show

RULE = "events"
DIFF_LIMIT = 2000
"""Events beyond which an exact list is compared position by position, not aligned."""


def check_events(ctx: Context) -> RuleResult:
    """Exact mode: the list, in order; kinds mode: the pattern, explained where it breaks."""
    return _exact(ctx) if ctx.contract.exact else _kinds(ctx)


def _expected_text(event: ExpectedEvent) -> str:
    shown = show(Event(event.type, event.data, event.id or ""))
    return shown if event.id is not None else shown.split(" ", 1)[1]


def _fits(want: ExpectedEvent, got: Event) -> bool:
    return (
        want.type == got.type
        and want.data == got.data
        and (want.id is None or want.id == got.last_event_id)
    )


def _exact(ctx: Context) -> RuleResult:
    expected, actual = ctx.contract.events, ctx.events
    count = f"the {len(expected)} listed events, in order"
    if len(actual) == len(expected) and all(map(_fits, expected, actual)):
        return core(RULE, [], count)
    found: list[Violation] = []
    pairs: list[tuple[str, int, int, int, int]]
    if max(len(actual), len(expected)) > DIFF_LIMIT:
        pairs = [("replace", i, i + 1, i, i + 1) for i in range(min(len(actual), len(expected)))]
        if len(actual) > len(expected):
            pairs.append(("insert", len(expected), len(expected), len(expected), len(actual)))
        elif len(expected) > len(actual):
            pairs.append(("delete", len(actual), len(expected), len(actual), len(actual)))
    else:
        keys_a = [(e.type, e.data) for e in expected]
        keys_b = [(e.type, e.data) for e in actual]
        pairs = list(SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes())
    for tag, first_a, a1, first_b, b1 in pairs:
        a0, b0 = first_a, first_b
        paired = min(a1 - a0, b1 - b0) if tag in ("equal", "replace") else 0
        for i, j in zip(range(a0, a0 + paired), range(b0, b0 + paired), strict=True):
            if not _fits(expected[i], actual[j]):
                found.append(
                    Violation(RULE, _expected_text(expected[i]), show(actual[j]), f"event #{j + 1}")
                )
        a0, b0 = a0 + paired, b0 + paired
        if a1 > a0:
            where = f"before event #{b0 + 1}" if b0 < len(actual) else "at the end"
            shown = ", ".join(_expected_text(e) for e in expected[a0 : min(a1, a0 + 3)])
            more = ", ..." if a1 - a0 > 3 else ""
            found.append(
                Violation(
                    RULE,
                    f"{a1 - a0} more event(s) {where}: {shown}{more}",
                    "missing",
                    f"listed #{a0 + 1}",
                )
            )
        if b1 > b0:
            shown = ", ".join(show(e) for e in actual[b0 : min(b1, b0 + 3)])
            more = ", ..." if b1 - b0 > 3 else ""
            found.append(
                Violation(
                    RULE, "no event here", f"{b1 - b0} extra: {shown}{more}", f"event #{b0 + 1}"
                )
            )
    return core(RULE, found, count)


def _kinds(ctx: Context) -> RuleResult:
    contract = ctx.contract
    sequence = contract.sequence
    assert sequence is not None
    pattern = sequence.compiled
    anywhere = frozenset(sequence.anywhere)
    classes = ctx.classes
    if anywhere:
        events = ctx.events
        kept = [
            (i, c.labels)
            for i, c in enumerate(classes)
            if c.labels.isdisjoint(anywhere) and not (c.kind is None and events[i].type in anywhere)
        ]
    else:
        kept = list(enumerate(c.labels for c in classes))
    mismatch = pattern.match(kept, prefix=contract.end.never)
    if mismatch is None and not kept and contract.end.never:
        # Any stream starts with nothing: a feed that sent no event before the suite
        # stopped matches only a pattern that allows none.
        mismatch = pattern.match([])
    matched = f"{len(classes)} event(s) follow the pattern {sequence.pattern!r}"
    if contract.end.never:
        matched += " (a prefix: the stream stays open)"
    if mismatch is None:
        return core(RULE, [], matched)
    options = " | ".join(mismatch.expected) if mismatch.expected else "nothing more"
    if mismatch.index is None:
        last = f"after event #{len(classes)}" if classes else "before any event"
        return core(
            RULE,
            [Violation(RULE, f"one of: {options}", "no more events", f"the events end {last}")],
            matched,
        )
    index = mismatch.index
    event, kind = ctx.events[index], classes[index]
    if kind.kind is not None:
        what = f"kind {kind.kind}"
    elif kind.labels:
        what = f"data fits no kind of type {event.type!r}"
    else:
        what = f"no kind has type {event.type!r}"
    ending = " or the end" if mismatch.can_end else ""
    return core(
        RULE,
        [
            Violation(
                RULE,
                f"one of: {options}{ending}",
                f"{show(event)} ({what})",
                f"event #{index + 1} cannot come here",
            )
        ],
        matched,
    )
