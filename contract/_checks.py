"""The contract's rules as pure functions: recordings in, every violation out; no I/O.

The seven core rules of the ``/stream`` contract (docs/contract.md), which every
server must pass, each judged on the stream recorded without ``Last-Event-ID``.
The extensions are judged in ``_extensions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ._framing import LineScanner, scan
from ._models import (
    Ending,
    Event,
    Options,
    Recording,
    RuleResult,
    Verdict,
    Violation,
)

TASKS = ("function1", "function2")
CORE_RULES = ("head", "events", "ids", "order", "end", "incremental", "framing")
"""The names of the core rules, in report order."""


MEDIA_TYPE = "text/event-stream"
MIN_OBSERVABLE = 0.02
"""Seconds a stream must take before the spread of its events says anything."""
MIN_BURSTS = 3
"""Bursts of events an incremental server shows at least (the contract has five)."""


def _core_events() -> tuple[Event, ...]:
    events: list[Event] = []
    for name in TASKS:
        for kind, text in (
            ("start", "started"),
            ("progress", "started"),
            ("progress", "halfway done"),
            ("progress", "completed successfully"),
            ("end", "ended"),
        ):
            events.append(Event(kind, f"{name} {text}", str(len(events))))
    events.append(Event("close", "api completed", str(len(events))))
    return tuple(events)


CORE_EVENTS = _core_events()
"""The 11 events of a stream without ``Last-Event-ID``, as a browser sees them."""
LAST_ID = len(CORE_EVENTS) - 1


# -- helpers -----------------------------------------------------------------------------


def events_of(recording: Recording) -> list[Event]:
    """The recording's events without their times."""
    return [timed.event for timed in recording.events]


def show(event: Event) -> str:
    """One event in a violation message."""
    return f"id={event.last_event_id!r} {event.type}: {event.data!r}"


def ids_text(events: Sequence[Event]) -> str:
    """Ids compactly: ``0..10``, ``4, 4..10``, ``none``."""
    if not events:
        return "none"
    parts: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}")
            run.clear()

    for event in events:
        value = event.last_event_id
        number = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
        if number is not None and run and number == run[-1] + 1:
            run.append(number)
            continue
        flush()
        if number is None:
            parts.append(repr(value))
        else:
            run.append(number)
    flush()
    return ", ".join(parts)


def ending_text(recording: Recording) -> str:
    """How a response ended, for a message."""
    if recording.ending is Ending.EOF:
        return "ended"
    return f"{recording.ending.value}: {recording.detail}"


def _media_type(recording: Recording) -> str:
    return (recording.header("Content-Type") or "").split(";")[0].strip().lower()


def close_time(recording: Recording) -> float | None:
    """When the first ``close`` event arrived, if one did."""
    return next((t.at for t in recording.events if t.event.type == "close"), None)


# -- core rules -------------------------------------------------------------------------


def check_head(recording: Recording) -> list[Violation]:
    """Rule ``head``: status 200, a ``text/event-stream`` media type, an uncompressed body."""
    rule = "head"
    if recording.status is None:
        return [Violation(rule, "status 200", f"no response ({ending_text(recording)})")]
    found: list[Violation] = []
    if recording.status != 200:
        found.append(Violation(rule, "status 200", f"status {recording.status}"))
    if _media_type(recording) != MEDIA_TYPE:
        shown = recording.header("Content-Type")
        found.append(
            Violation(
                rule,
                f"Content-Type {MEDIA_TYPE}",
                "no Content-Type" if shown is None else f"Content-Type {shown}",
            )
        )
    encoding = (recording.header("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        found.append(Violation(rule, "an uncompressed body", f"Content-Encoding {encoding}"))
    return found


def check_events(
    recording: Recording, expected: Sequence[Event] = CORE_EVENTS, rule: str = "events"
) -> list[Violation]:
    """Rule ``events``: exactly the expected events (type, data, lastEventId), in order."""
    actual = events_of(recording)
    found = [
        Violation(rule, show(want), show(got), f"event #{index + 1}")
        for index, (want, got) in enumerate(zip(expected, actual, strict=False))
        if want != got
    ]
    if len(actual) != len(expected):
        shorter = min(len(actual), len(expected))
        what = "missing" if len(actual) < len(expected) else "extra"
        rest = (expected if what == "missing" else actual)[shorter:]
        found.append(
            Violation(
                rule,
                f"{len(expected)} events",
                f"{len(actual)}; {what} from #{shorter + 1}: "
                + ", ".join(show(event) for event in rest[:3])
                + (", ..." if len(rest) > 3 else ""),
            )
        )
    return found


def check_ids(recording: Recording) -> list[Violation]:
    """Rule ``ids``: every lastEventId is a decimal integer, from 0, rising by one."""
    found: list[Violation] = []
    for index, event in enumerate(events_of(recording)):
        if event.last_event_id != str(index):
            found.append(
                Violation(
                    "ids",
                    f"id {index}",
                    f"id {event.last_event_id!r}",
                    f"event #{index + 1} ({event.type})",
                )
            )
    if not recording.events:
        found.append(Violation("ids", "ids 0..10", "no events"))
    return found


def check_order(recording: Recording) -> list[Violation]:
    """Rule ``order``: per task start, progress, end; function1 before function2; close last."""
    rule = "order"
    found: list[Violation] = []
    events = events_of(recording)
    close = next((i for i, event in enumerate(events) if event.type == "close"), None)
    if close is None:
        found.append(Violation(rule, "a close event last", "no close event"))
    elif close != len(events) - 1:
        found.append(
            Violation(
                rule,
                "nothing after close",
                f"{len(events) - 1 - close} event(s) after it, first {show(events[close + 1])}",
            )
        )
    body = events if close is None else events[:close]
    position = 0
    for name in TASKS:
        mine = [e for e in body if e.data.startswith(name + " ")]
        kinds = [e.type for e in mine]
        shape = (
            len(kinds) >= 3
            and kinds[0] == "start"
            and kinds[-1] == "end"
            and all(kind == "progress" for kind in kinds[1:-1])
        )
        if not shape:
            found.append(
                Violation(
                    rule,
                    f"{name}: start, progress..., end",
                    f"{name}: {', '.join(kinds) or 'no events'}",
                )
            )
        indexes = [i for i, e in enumerate(body) if e.data.startswith(name + " ")]
        if indexes and indexes[0] < position:
            found.append(
                Violation(
                    rule,
                    f"{name} after the previous task ended",
                    f"{name} begins at event #{indexes[0] + 1}, "
                    f"before event #{position} of the task before",
                )
            )
        if indexes:
            position = max(position, indexes[-1] + 1)
    strays = [e for e in body if e.type != "close" and not e.data.startswith(TASKS)]
    found.extend(
        Violation(rule, "events of function1 or function2", f"stray event {show(e)}")
        for e in strays[:3]
    )
    return found


def check_end(recording: Recording, grace: float) -> list[Violation]:
    """Rule ``end``: the body ends (EOF) within ``grace`` seconds of the ``close`` event."""
    rule = "end"
    closed = close_time(recording)
    if recording.ending is not Ending.EOF:
        expected = (
            f"the response to end within {grace:g} s after close"
            if closed is not None
            else "the response to end"
        )
        return [Violation(rule, expected, ending_text(recording))]
    if closed is not None and recording.ended_at - closed > grace:
        late = recording.ended_at - closed
        return [Violation(rule, f"end within {grace:g} s after close", f"ended {late:.2f} s after")]
    return []


def check_incremental(recording: Recording) -> tuple[list[Violation], str]:
    """Rule ``incremental``: events arrive in bursts spread over time, not all at the end."""
    times = [timed.at for timed in recording.events]
    if len(times) < 2:
        return [], "too few events to see their spread"
    last = times[-1]
    if last < MIN_OBSERVABLE:
        return [], f"the server did not pause (every event within {last * 1000:.0f} ms)"
    threshold = max(last / 16, 0.002)
    bursts = 1 + sum(1 for a, b in pairwise(times) if b - a >= threshold)
    spread = f"{len(times)} events in {bursts} burst(s) from {times[0]:.2f} s to {last:.2f} s"
    if bursts >= MIN_BURSTS:
        return [], spread
    return [
        Violation(
            "incremental",
            f"events spread over the server's pauses (at least {MIN_BURSTS} bursts, 5 expected)",
            spread,
            "buffered",
        )
    ], spread


def _framing_summary(scanner: LineScanner, recording: Recording) -> str:
    endings = [name for name, count in scanner.endings.items() if count]
    sizes = [len(chunk.data) for chunk in recording.chunks]
    parts = [
        f"{scanner.total_bytes} bytes in {len(sizes)} chunk(s)"
        + (f" of {min(sizes)}..{max(sizes)} bytes" if sizes else ""),
        "line endings " + ("/".join(endings) if endings else "none"),
    ]
    if scanner.bom:
        parts.append("a BOM")
    if scanner.comment_times:
        parts.append(f"{len(scanner.comment_times)} comment line(s)")
    if scanner.fields.get("retry"):
        parts.append(f"{scanner.fields['retry']} retry field(s)")
    if scanner.fields.get("other"):
        parts.append(f"{scanner.fields['other']} unknown field(s)")
    return "parsed as a browser would: " + ", ".join(parts)


def check_framing(recording: Recording) -> tuple[list[Violation], str]:
    """Rule ``framing``: whatever framing is used parses like a browser; report what was seen.

    Comments, ``retry``, unknown fields, any line ending, a BOM and any chunking are
    tolerated by construction (the events are compared after browser parsing). What
    fails is what a browser cannot recover: invalid UTF-8 and a body that ends inside
    an event, which a browser discards.
    """
    scanner = scan(tuple((chunk.at, chunk.data) for chunk in recording.chunks))
    found: list[Violation] = []
    if scanner.invalid_utf8_lines:
        found.append(
            Violation(
                "framing",
                "UTF-8 text",
                f"{scanner.invalid_utf8_lines} line(s) of invalid UTF-8 (a browser shows U+FFFD)",
            )
        )
    if recording.ending is Ending.EOF and scanner.cut_off:
        found.append(
            Violation(
                "framing",
                "the body to end on an event boundary (a blank line)",
                f"it ends inside an event: a browser discards the last {scanner.cut_off} bytes",
            )
        )
    return found, _framing_summary(scanner, recording)


def check_core(recording: Recording, options: Options) -> tuple[RuleResult, ...]:
    """The seven core rules on the stream recorded without ``Last-Event-ID``."""
    head = check_head(recording)
    events = check_events(recording)
    ids = check_ids(recording)
    order = check_order(recording)
    end = check_end(recording, options.limits.close_grace)
    incremental, spread = check_incremental(recording)
    framing, framed = check_framing(recording)
    closed = close_time(recording)
    summaries = {
        "head": f"status {recording.status}, {recording.header('Content-Type')}",
        "events": f"the {len(CORE_EVENTS)} events, in order",
        "ids": f"ids {ids_text(CORE_EVENTS)}",
        "order": "function1 then function2, each start/progress/end; close last",
        "end": (
            f"ended {recording.ended_at - closed:.3f} s after close"
            if closed is not None
            else "ended"
        ),
        "incremental": spread,
        "framing": framed,
    }
    found = {
        "head": head,
        "events": events,
        "ids": ids,
        "order": order,
        "end": end,
        "incremental": incremental,
        "framing": framing,
    }
    results = []
    for rule in CORE_RULES:
        violations = tuple(found[rule])
        summary = summaries[rule] if not violations else str(violations[0])
        if rule == "framing" and violations:
            summary = f"{summary} ({framed})"
        verdict = Verdict.FAIL if violations else Verdict.PASS
        results.append(RuleResult(rule, False, verdict, summary, violations))
    return tuple(results)
