"""The four extensions observable from outside: resume, done, tolerant, keepalive; pure.

Each is judged from its probes: SUPPORTED, NOT SUPPORTED (ignored the way the
original server ignores it: the whole stream again) or BROKEN (attempted and
wrong: a wrong id, a duplicate, a gap, an error status).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ._checks import (
    CORE_EVENTS,
    check_core,
    check_end,
    ending_text,
    events_of,
    ids_text,
)
from ._framing import scan
from ._models import Event, Options, Recording, Recordings, RuleResult, Verdict, Violation

DONE_IDS = ("10", "11", "1" + "0" * 4999)
"""``Last-Event-ID`` values at or past the end: the done extension answers 204 to each."""
TOLERATED_IDS = ("", "-1", "+3", "3.0", "1_0", "abc", "\u0663")
"""``Last-Event-ID`` values that are not plain decimal integers: treated as absent."""


def _stream_problems(
    recording: Recording, expected: Sequence[Event], rule: str, label: str, grace: float
) -> list[Violation]:
    """How a probe's response differs from a 200 stream of ``expected`` that ends after close."""
    problems: list[Violation] = []
    if recording.status != 200:
        shown = (
            f"status {recording.status}" if recording.status is not None else ending_text(recording)
        )
        return [Violation(rule, f"200 with ids {ids_text(expected)}", shown, label)]
    actual = events_of(recording)
    if actual != list(expected):
        wanted = {e.last_event_id for e in expected}
        seen = [e.last_event_id for e in actual]
        notes: list[str] = []
        repeated = [i for i in seen if i not in wanted]
        if repeated:
            notes.append(f"sent again or unexpected: {', '.join(repeated[:5])}")
        duplicates = sorted({i for i in seen if seen.count(i) > 1})
        if duplicates:
            notes.append(f"duplicated: {', '.join(duplicates[:5])}")
        gaps = [e.last_event_id for e in expected if e.last_event_id not in seen]
        if gaps:
            notes.append(f"missing: {', '.join(gaps[:5])}")
        if not notes:
            notes.append("same ids, different types or data")
        problems.append(
            Violation(
                rule,
                f"ids {ids_text(expected)}",
                f"ids {ids_text(actual)} ({'; '.join(notes)})",
                label,
            )
        )
    problems.extend(
        Violation(rule, v.expected, v.actual, label) for v in check_end(recording, grace)
    )
    return problems


def _ignored(recording: Recording, main: Recording) -> bool:
    """The probe got what the stream without ``Last-Event-ID`` got: the header was ignored."""
    return recording.status == main.status and events_of(recording) == events_of(main)


def _stream_outcome(
    recording: Recording,
    main: Recording,
    expected: Sequence[Event],
    rule: str,
    label: str,
    *,
    grace: float,
) -> list[Violation] | None:
    """[] when the probe got ``expected``, None when it got the main stream's answer, or why not."""
    if recording.status == 200 and events_of(recording) == list(expected):
        if check_end(main, grace):
            return []  # the main stream ends late too: the core rule ``end`` reports it
        return [Violation(rule, v.expected, v.actual, label) for v in check_end(recording, grace)]
    if _ignored(recording, main):
        return None
    return _stream_problems(recording, expected, rule, label, grace)


def _verdict(
    rule: str,
    outcomes: Sequence[tuple[str, list[Violation] | None]],
    supported: str,
    ignored: str,
) -> RuleResult:
    """Combine probe outcomes: ``None`` means ignored (the original's behaviour), [] means ok."""
    ignored_labels = [label for label, problems in outcomes if problems is None]
    problems = tuple(v for _, found in outcomes if found for v in found)
    if ignored_labels and len(ignored_labels) < len(outcomes):
        problems += (
            Violation(
                rule,
                "every probe handled alike",
                "the same response as without Last-Event-ID for "
                + ", ".join(label.removeprefix("Last-Event-ID: ") for label in ignored_labels),
                "ignored for some values only",
            ),
        )
    if problems:
        return RuleResult(rule, True, Verdict.BROKEN, str(problems[0]), problems)
    if not outcomes:
        return RuleResult(rule, True, Verdict.NOT_SUPPORTED, "not probed")
    if ignored_labels:
        return RuleResult(rule, True, Verdict.NOT_SUPPORTED, ignored)
    return RuleResult(rule, True, Verdict.SUPPORTED, supported)


def _label(value: str) -> str:
    shown = value if len(value) <= 12 else f"{value[:6]}...({len(value)} digits)"
    plain = value.isascii() and value.isdigit()
    return f"Last-Event-ID: {shown}" if plain else f"Last-Event-ID: {shown!r}"


def check_resume(
    probes: Sequence[tuple[int, Recording]], main: Recording, grace: float
) -> RuleResult:
    """Extension ``resume``: ``Last-Event-ID: n`` continues at n+1, no duplicate, no gap."""
    outcomes = [
        (
            _label(str(n)),
            _stream_outcome(
                recording, main, CORE_EVENTS[n + 1 :], "resume", _label(str(n)), grace=grace
            ),
        )
        for n, recording in probes
    ]
    ids = ", ".join(str(n) for n, _ in probes)
    return _verdict(
        "resume",
        outcomes,
        f"Last-Event-ID {ids}: each continues at the next id",
        "Last-Event-ID ignored: the same stream from id 0 again",
    )


def check_done(probes: Sequence[tuple[str, Recording]], main: Recording) -> RuleResult:
    """Extension ``done``: ``Last-Event-ID`` at or past the last id answers 204 No Content."""
    outcomes: list[tuple[str, list[Violation] | None]] = []
    for value, recording in probes:
        label = _label(value)
        if recording.status == 204:
            outcomes.append((label, []))
        elif _ignored(recording, main):
            outcomes.append((label, None))
        else:
            events = events_of(recording)
            shown = (
                f"status {recording.status}" + (f" with ids {ids_text(events)}" if events else "")
                if recording.status is not None
                else ending_text(recording)
            )
            outcomes.append((label, [Violation("done", "204 No Content", shown, label)]))
    return _verdict(
        "done",
        outcomes,
        "Last-Event-ID 10, 11 and a 5,000-digit id: 204 No Content",
        "ids at the end ignored: the same stream again instead of 204",
    )


def check_tolerant(
    probes: Sequence[tuple[str, Recording]], main: Recording, resume: RuleResult, grace: float
) -> RuleResult:
    """Extension ``tolerant``: a ``Last-Event-ID`` that is no plain integer means a full stream."""
    outcomes = [
        (
            _label(value),
            _stream_outcome(recording, main, CORE_EVENTS, "tolerant", _label(value), grace=grace),
        )
        for value, recording in probes
    ]
    result = _verdict(
        "tolerant",
        outcomes,
        f"{len(probes)} malformed Last-Event-ID values: the whole stream each time",
        "malformed Last-Event-ID values get the same response as none",
    )
    if result.verdict is Verdict.SUPPORTED and resume.verdict is Verdict.NOT_SUPPORTED:
        return RuleResult(
            "tolerant",
            True,
            Verdict.NOT_SUPPORTED,
            "Last-Event-ID is ignored altogether (no resume), so there is nothing to tolerate",
        )
    return result


def check_keepalive(recording: Recording, max_gap: float) -> RuleResult:
    """Extension ``keepalive``: no-cache and no-buffering headers, a comment at least every gap."""
    rule = "keepalive"
    cache = ",".join(recording.header_values("Cache-Control")).lower()
    has_cache = "no-cache" in [d.strip() for d in cache.split(",")]
    accel = recording.header("X-Accel-Buffering")
    has_accel = accel is not None and accel.strip().lower() == "no"
    scanner = scan(tuple((chunk.at, chunk.data) for chunk in recording.chunks))
    comments = scanner.comment_times
    tolerance = max_gap * 0.1  # scheduling and network jitter: 1.5 s of 15
    start = recording.head_at if recording.head_at is not None else 0.0
    marks = [start, *comments, recording.ended_at]
    longest = max((b - a for a, b in pairwise(marks)), default=0.0)
    measurable = recording.ended_at - start > max_gap + tolerance
    silent = measurable and longest > max_gap + tolerance
    headers_text = f"Cache-Control: {recording.header('Cache-Control')}, X-Accel-Buffering: {accel}"
    if has_cache and has_accel and not silent:
        gaps = (
            f"; longest silence {longest:.1f} s ({len(comments)} comment line(s))"
            if measurable
            else f"; stream shorter than {max_gap:g} s, comment gaps not measurable"
        )
        return RuleResult(rule, True, Verdict.SUPPORTED, f"{headers_text}{gaps}")
    if silent and has_cache and has_accel:
        violation = Violation(
            rule,
            f"a comment line at least every {max_gap:g} s",
            f"{longest:.1f} s without one ({len(comments)} comment line(s) in "
            f"{recording.ended_at - start:.1f} s)",
        )
        return RuleResult(rule, True, Verdict.BROKEN, str(violation), (violation,))
    missing = [
        name
        for name, present in (
            ("Cache-Control: no-cache", has_cache),
            ("X-Accel-Buffering: no", has_accel),
        )
        if not present
    ]
    return RuleResult(rule, True, Verdict.NOT_SUPPORTED, f"no {' and no '.join(missing)}")


def evaluate(recordings: Recordings, options: Options) -> tuple[RuleResult, ...]:
    """Every rule's result for the recordings; extensions in ``options.require`` are required."""
    grace = options.limits.close_grace
    main = recordings.main
    resume = check_resume(recordings.resume, main, grace)
    extensions = (
        resume,
        check_done(recordings.done, main),
        check_tolerant(recordings.tolerant, main, resume, grace),
        check_keepalive(recordings.main, options.keepalive),
    )
    marked = tuple(
        RuleResult(r.rule, True, r.verdict, r.summary, r.violations, r.rule in options.require)
        for r in extensions
    )
    return check_core(recordings.main, options) + marked
