"""The rules as pure functions: hand-made recordings in, the exact violations out."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract import (
    CORE_EVENTS,
    CORE_RULES,
    EXTENSIONS,
    Chunk,
    Ending,
    Event,
    EventParser,
    Limits,
    Options,
    Recording,
    Recordings,
    Report,
    TimedEvent,
    Verdict,
    check_done,
    check_end,
    check_events,
    check_framing,
    check_head,
    check_ids,
    check_incremental,
    check_keepalive,
    check_order,
    check_resume,
    check_tolerant,
    encode,
    evaluate,
    format_json,
    format_text,
)
from contract._framing import LineScanner, scan

SSE = (("Content-Type", "text/event-stream; charset=utf-8"),)
KEEPALIVE = (*SSE, ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"))
GRACE = 1.0


def recording(
    *writes: tuple[float, bytes],
    status: int | None = 200,
    headers: tuple[tuple[str, str], ...] = SSE,
    ending: Ending = Ending.EOF,
    detail: str = "",
    ended_at: float | None = None,
) -> Recording:
    """A recording of ``writes`` (arrival time, bytes), parsed as the client parses them."""
    parser = EventParser()
    events = [(at, event) for at, data in writes for event in parser.feed(data)]
    last = writes[-1][0] if writes else 0.0
    return Recording(
        url="http://test/stream",
        status=status,
        headers=headers,
        head_at=0.0,
        chunks=tuple(Chunk(at, data) for at, data in writes),
        events=tuple(TimedEvent(at, event) for at, event in events),
        ending=ending,
        detail=detail,
        ended_at=last if ended_at is None else ended_at,
    )


def stream(events: list[Event] | tuple[Event, ...] = CORE_EVENTS, step: float = 0.1) -> Recording:
    """Events written one per write, ``step`` seconds apart."""
    return recording(*((i * step, encode([event])) for i, event in enumerate(events)))


GOOD = stream()


def test_the_core_sequence_is_the_contract_table() -> None:
    assert [(e.last_event_id, e.type, e.data) for e in CORE_EVENTS[:5]] == [
        ("0", "start", "function1 started"),
        ("1", "progress", "function1 started"),
        ("2", "progress", "function1 halfway done"),
        ("3", "progress", "function1 completed successfully"),
        ("4", "end", "function1 ended"),
    ]
    assert CORE_EVENTS[10] == Event("close", "api completed", "10")
    assert len(CORE_EVENTS) == 11


def test_a_good_recording_passes_every_core_rule() -> None:
    results = evaluate(Recordings(main=GOOD), Options())
    assert [r.rule for r in results] == [*CORE_RULES, *EXTENSIONS]
    assert all(r.verdict is Verdict.PASS for r in results if not r.extension)


@pytest.mark.parametrize(
    ("status", "headers", "actual"),
    [
        (500, SSE, "status 500"),
        (200, (("Content-Type", "text/plain"),), "Content-Type text/plain"),
        (200, (), "no Content-Type"),
        (200, (*SSE, ("Content-Encoding", "gzip")), "Content-Encoding gzip"),
        (None, (), "no response (timeout: no response head)"),
    ],
)
def test_head(status: int | None, headers: tuple[tuple[str, str], ...], actual: str) -> None:
    bad = replace(GOOD, status=status, headers=headers)
    if status is None:
        bad = replace(bad, ending=Ending.TIMEOUT, detail="no response head")
    assert [v.actual for v in check_head(bad)] == [actual]
    assert {v.rule for v in check_head(bad)} == {"head"}


def test_head_accepts_a_charset_and_any_case() -> None:
    upper = replace(GOOD, headers=(("content-type", "Text/Event-Stream;charset=UTF-8"),))
    assert check_head(upper) == []


def test_events_name_each_wrong_event_and_the_count() -> None:
    events = list(CORE_EVENTS)
    events[3] = Event("progress", "function1 done", "3")
    found = check_events(stream(events[:-1]))
    assert [v.message for v in found] == ["event #4", ""]
    assert found[0].expected == "id='3' progress: 'function1 completed successfully'"
    assert found[0].actual == "id='3' progress: 'function1 done'"
    assert found[1].expected == "11 events"
    assert found[1].actual.startswith("10; missing from #11: id='10' close")


def test_events_report_extra_events() -> None:
    found = check_events(stream([*CORE_EVENTS, Event("message", "x", "11")]))
    assert len(found) == 1
    assert found[0].actual.startswith("12; extra from #12")


def test_ids_must_count_from_zero_by_one() -> None:
    shifted = [replace(e, last_event_id=str(i + 1)) for i, e in enumerate(CORE_EVENTS)]
    found = check_ids(stream(shifted))
    assert len(found) == 11
    assert (found[0].expected, found[0].actual) == ("id 0", "id '1'")
    assert check_ids(stream([])) == [check_ids(stream([]))[0]]
    assert check_ids(stream([]))[0].actual == "no events"


def test_order_catches_tasks_out_of_order_and_events_after_close() -> None:
    swapped = [*CORE_EVENTS[5:10], *CORE_EVENTS[:5], CORE_EVENTS[10]]
    assert [v.actual for v in check_order(stream(swapped))] == [
        "function2 begins at event #1, before event #10 of the task before"
    ]
    after = check_order(stream([*CORE_EVENTS, CORE_EVENTS[4]]))
    assert [v.expected for v in after] == ["nothing after close"]
    missing = check_order(stream(CORE_EVENTS[:-1]))
    assert [v.actual for v in missing] == ["no close event"]
    no_end = check_order(stream([*CORE_EVENTS[:4], *CORE_EVENTS[5:]]))
    assert [v.actual for v in no_end] == ["function1: start, progress, progress, progress"]


def test_order_catches_an_early_close_and_stray_events() -> None:
    events = [*CORE_EVENTS[:5], Event("message", "hi", "x"), CORE_EVENTS[10], *CORE_EVENTS[5:]]
    assert [v.actual for v in check_order(stream(events))] == [
        "6 event(s) after it, first id='5' start: 'function2 started'",
        "function2: no events",
        "stray event id='x' message: 'hi'",
    ]


def test_end_must_come_soon_after_close() -> None:
    assert check_end(GOOD, GRACE) == []
    late = replace(GOOD, ended_at=GOOD.events[-1].at + 1.5)
    assert [v.actual for v in check_end(late, GRACE)] == ["ended 1.50 s after"]
    hung = replace(GOOD, ending=Ending.TIMEOUT, detail="still open 1 s after the close event")
    assert check_end(hung, GRACE)[0].actual == "timeout: still open 1 s after the close event"
    reset = replace(stream(CORE_EVENTS[:4]), ending=Ending.RESET, detail="boom")
    assert check_end(reset, GRACE)[0].expected == "the response to end"


def test_incremental_fails_a_buffered_stream_only() -> None:
    buffered = recording((2.0, encode(CORE_EVENTS)))
    found, spread = check_incremental(buffered)
    assert [v.rule for v in found] == ["incremental"]
    assert "1 burst(s)" in spread
    assert check_incremental(GOOD)[0] == []
    instant = recording((0.001, encode(CORE_EVENTS)))
    assert check_incremental(instant) == ([], "the server did not pause (every event within 1 ms)")


def test_incremental_fails_a_stream_flushed_once_per_task() -> None:
    first, second = encode(CORE_EVENTS[:5]), encode(CORE_EVENTS[5:])
    found, _ = check_incremental(recording((1.0, first), (2.0, second)))
    assert found


def test_framing_reports_what_it_saw_and_fails_a_cut_off_event() -> None:
    body = b"\xef\xbb\xbf: hi\r\nretry: 10\r\nfoo: bar\r\n" + encode(CORE_EVENTS, newline="\r\n")
    found, summary = check_framing(recording((0.0, body[:2]), (0.1, body[2:])))
    assert found == []
    assert summary == (
        "parsed as a browser would: 605 bytes in 2 chunk(s) of 2..603 bytes, "
        "line endings CRLF, a BOM, 1 comment line(s), 1 retry field(s), 1 unknown field(s)"
    )
    cut = encode(CORE_EVENTS).removesuffix(b"\n")
    found, _ = check_framing(recording((0.0, cut)))
    assert [v.actual for v in found] == [
        "it ends inside an event: a browser discards the last 40 bytes"
    ]


def test_framing_fails_invalid_utf8() -> None:
    found, _ = check_framing(recording((0.0, b"data: \xff\n\n")))
    assert found[0].expected == "UTF-8 text"


def test_a_trailing_comment_without_blank_line_is_no_cut() -> None:
    found, _ = check_framing(recording((0.0, encode(CORE_EVENTS) + b": bye")))
    assert found == []


FRAMED = b"\xef\xbb\xbf: c\r\nid: 1\rdata: x\n\r\nevent: e\r\ndata: y\r\n\r\n: d\n"


@given(st.lists(st.integers(min_value=0, max_value=len(FRAMED)), max_size=8))
def test_the_line_scanner_does_not_depend_on_chunking(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(FRAMED)]
    parts = [FRAMED[a:b] for a, b in pairwise(points)]
    whole = scan(((0.0, FRAMED),))
    split = scan(tuple((0.0, part) for part in parts))
    for name in LineScanner.__slots__:
        if not name.startswith("_"):
            assert getattr(split, name) == getattr(whole, name), name
    assert whole.endings == {"LF": 2, "CRLF": 5, "CR": 1}
    assert whole.bom
    assert len(whole.comment_times) == 2


def test_the_line_scanner_tracks_pending_bytes_for_the_limits() -> None:
    scanner = LineScanner()
    scanner.feed(b"data: abc\ndata: de", 0.0)
    assert scanner.partial_line_bytes == 8
    assert scanner.pending_bytes == 10 + 8
    scanner.feed(b"f\n\n", 0.1)
    assert scanner.pending_bytes == 0


# -- extensions ----------------------------------------------------------------


def resumed(n: int, start: int | None = None) -> Recording:
    return stream(CORE_EVENTS[(n + 1 if start is None else start) :])


def test_resume_supported_ignored_or_broken() -> None:
    ok = check_resume([(0, resumed(0)), (4, resumed(4)), (9, resumed(9))], GOOD, GRACE)
    assert ok.verdict is Verdict.SUPPORTED
    ignored = check_resume([(0, GOOD), (4, GOOD)], GOOD, GRACE)
    assert ignored.verdict is Verdict.NOT_SUPPORTED
    repeats = check_resume([(4, resumed(4, start=4))], GOOD, GRACE)
    assert repeats.verdict is Verdict.BROKEN
    assert repeats.violations[0].actual == "ids 4..10 (sent again or unexpected: 4)"
    gap = check_resume([(4, resumed(4, start=6))], GOOD, GRACE)
    assert gap.violations[0].actual == "ids 6..10 (missing: 5)"
    error = check_resume([(4, replace(resumed(4), status=500))], GOOD, GRACE)
    assert error.violations[0].actual == "status 500"
    mixed = check_resume([(0, resumed(0)), (4, GOOD)], GOOD, GRACE)
    assert mixed.verdict is Verdict.BROKEN
    assert mixed.violations[0].message == "ignored for some values only"


def test_a_resumed_stream_must_end_after_close_too() -> None:
    hung = replace(resumed(4), ending=Ending.TIMEOUT, detail="still open")
    result = check_resume([(4, hung)], GOOD, GRACE)
    assert result.verdict is Verdict.BROKEN
    assert result.violations[0].actual == "timeout: still open"


def test_done_wants_204() -> None:
    no_content = replace(stream([]), status=204, headers=())
    assert check_done([("10", no_content)], GOOD).verdict is Verdict.SUPPORTED
    assert check_done([("10", GOOD)], GOOD).verdict is Verdict.NOT_SUPPORTED
    close_only = check_done([("10", resumed(9))], GOOD)
    assert close_only.verdict is Verdict.BROKEN
    assert close_only.violations[0].actual == "status 200 with ids 10"


def test_tolerant_needs_a_full_stream_and_a_server_that_reads_the_header() -> None:
    supported = check_resume([(4, resumed(4))], GOOD, GRACE)
    ignored = check_resume([(4, GOOD)], GOOD, GRACE)
    assert check_tolerant([("abc", GOOD)], GOOD, supported, GRACE).verdict is Verdict.SUPPORTED
    assert check_tolerant([("abc", GOOD)], GOOD, ignored, GRACE).verdict is Verdict.NOT_SUPPORTED
    failed = check_tolerant(
        [("abc", replace(GOOD, status=400, chunks=(), events=()))], GOOD, supported, GRACE
    )
    assert failed.verdict is Verdict.BROKEN
    assert failed.violations[0].message == "Last-Event-ID: 'abc'"


def test_keepalive_headers_and_comment_gaps() -> None:
    assert check_keepalive(GOOD, 15).verdict is Verdict.NOT_SUPPORTED
    short = replace(GOOD, headers=KEEPALIVE)
    assert check_keepalive(short, 15).verdict is Verdict.SUPPORTED
    pings = recording(
        *((t, b": ping\n\n") for t in (0.4, 0.8, 1.2, 1.6)), (2.0, b""), headers=KEEPALIVE
    )
    kept = check_keepalive(pings, 0.5)
    assert kept.verdict is Verdict.SUPPORTED
    assert "longest silence 0.4 s" in kept.summary
    silent = replace(GOOD, headers=KEEPALIVE)
    broken = check_keepalive(silent, 0.2)
    assert broken.verdict is Verdict.BROKEN
    assert broken.violations[0].expected == "a comment line at least every 0.2 s"
    one_header = replace(GOOD, headers=(*SSE, ("Cache-Control", "no-store, no-cache")))
    assert check_keepalive(one_header, 15).summary == "no X-Accel-Buffering: no"


def test_required_extensions_fail_when_not_supported() -> None:
    recordings = Recordings(main=GOOD, resume=((4, GOOD),))
    results = evaluate(recordings, Options(require=frozenset({"resume"})))
    report = Report("http://test/stream", results)
    assert report.result("resume").required
    assert report.result("resume").failed
    assert report.exit_code == 1
    assert not Report("u", evaluate(recordings, Options())).result("resume").failed


def test_reports_as_text_and_json() -> None:
    results = evaluate(Recordings(main=stream(CORE_EVENTS[:-1])), Options())
    report = Report("http://test/stream", results, elapsed=1.25)
    text = format_text(report)
    assert text.splitlines()[0] == "SSE contract suite: http://test/stream"
    assert "FAIL           events      (core) expected 11 events; actual 10" in text
    assert text.splitlines()[-1] == (
        "FAILED (events, order): core 5/7 passed; extensions: 4 not supported; 1.2 s"
    )
    data = json.loads(format_json(report))
    assert data["exit_code"] == 1
    assert {rule["rule"] for rule in data["rules"]} == {*CORE_RULES, *EXTENSIONS}
    events = next(rule for rule in data["rules"] if rule["rule"] == "events")
    assert events["violations"][0] == {
        "rule": "events",
        "expected": "11 events",
        "actual": "10; missing from #11: id='10' close: 'api completed'",
        "message": "",
    }
    assert format_text(Report("u", error="cannot reach u: refused")).endswith(
        "cannot run: cannot reach u: refused"
    )


def test_options_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown extension"):
        Options(require=frozenset({"teleport"}))
    with pytest.raises(ValueError, match="resume ids"):
        Options(resume_ids=(10,))
    with pytest.raises(ValueError, match="total"):
        Limits(total=0)
