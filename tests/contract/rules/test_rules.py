"""The rules as pure functions of a contract and recordings: recordings in, verdicts out."""

from __future__ import annotations

import json
from dataclasses import replace

from contract import (
    CORE_RULES,
    EXTENSIONS,
    Ending,
    Event,
    Recording,
    Report,
    Verdict,
    encode,
    format_json,
    format_text,
)
from contract.run.plan import HUGE_ID
from tests.contract.support import (
    CORE_EVENTS,
    DEMO,
    SSE,
    contract,
    judge,
    probe,
    recording,
    stream,
)

GOOD = stream()


def test_the_demo_contract_is_the_table_of_contract_md() -> None:
    assert [(e.last_event_id, e.type, e.data) for e in CORE_EVENTS[:5]] == [
        ("0", "start", "function1 started"),
        ("1", "progress", "function1 started"),
        ("2", "progress", "function1 halfway done"),
        ("3", "progress", "function1 completed successfully"),
        ("4", "end", "function1 ended"),
    ]
    assert CORE_EVENTS[10] == Event("close", "api completed", "10")
    assert [i for i, e in enumerate(DEMO.events) if e.pause_before] == [2, 3, 7, 8]


def test_a_good_recording_passes_every_core_rule() -> None:
    results = judge(GOOD)
    assert list(results) == [*CORE_RULES, *EXTENSIONS]
    assert all(r.verdict is Verdict.PASS for r in results.values() if not r.extension)


def test_head_checks_status_media_type_headers_and_encoding() -> None:
    wanted = contract(
        '[response]\nheaders = { "Cache-Control" = "no-cache" }\n[sequence]\npattern = "message*"\n'
    )
    cases = [
        (replace(GOOD, status=500), "status 500"),
        (replace(GOOD, headers=(("Content-Type", "text/plain"),)), "Content-Type text/plain"),
        (replace(GOOD, headers=()), "no Content-Type"),
        (replace(GOOD, headers=(*SSE, ("Content-Encoding", "bzip2"))), "Content-Encoding bzip2"),
    ]
    for bad, actual in cases:
        assert [v.actual for v in judge(bad)["head"].violations] == [actual]
    # the body is decoded as a browser decodes it: a coding a browser takes is fine
    gzipped = replace(GOOD, headers=(*SSE, ("Content-Encoding", "gzip, br")))
    assert judge(gzipped)["head"].verdict is Verdict.PASS
    head = judge(GOOD, contract=wanted)["head"]
    assert [(v.expected, v.actual) for v in head.violations] == [
        ("Cache-Control: no-cache", "no Cache-Control header")
    ]
    present = replace(GOOD, headers=(*SSE, ("cache-control", "no-cache")))
    assert judge(present, contract=wanted)["head"].verdict is Verdict.PASS
    upper = replace(GOOD, headers=(("content-type", "Text/Event-Stream;charset=UTF-8"),))
    assert judge(upper)["head"].verdict is Verdict.PASS


def test_exact_events_name_what_is_different_missing_or_extra() -> None:
    events = list(CORE_EVENTS)
    events[3] = Event("progress", "function1 done", "3")
    found = judge(stream(events[:-1]))["events"].violations
    assert [v.message for v in found] == ["event #4", "listed #11"]
    assert found[0].expected == "id='3' progress: 'function1 completed successfully'"
    assert found[0].actual == "id='3' progress: 'function1 done'"
    assert found[1].actual == "missing"
    assert "close: 'api completed'" in found[1].expected
    extra = judge(stream([*CORE_EVENTS, Event("message", "x", "11")]))["events"].violations
    assert [v.actual for v in extra] == ["1 extra: id='11' message: 'x'"]
    dropped = judge(stream([*CORE_EVENTS[:4], *CORE_EVENTS[5:]]))["events"].violations
    assert len(dropped) == 1, "one missing event is one violation, not a cascade"
    assert dropped[0].message == "listed #5"


def test_a_stray_event_named_like_a_task_is_caught() -> None:
    stray = Event("progress", "function10 started", "5")
    found = judge(stream([*CORE_EVENTS[:5], stray, *CORE_EVENTS[5:]]))
    assert found["events"].verdict is Verdict.FAIL
    assert "function10 started" in found["events"].violations[0].actual


def test_sequential_ids_count_from_the_start_by_one() -> None:
    shifted = [replace(e, last_event_id=str(i + 1)) for i, e in enumerate(CORE_EVENTS)]
    ids = judge(stream(shifted))["ids"]
    assert len(ids.violations) == 11
    assert (ids.violations[0].expected, ids.violations[0].actual) == ("id 0", "id '1'")
    assert judge(stream([]))["ids"].violations[0].actual == "no events"


def test_id_schemes() -> None:
    def ids(scheme: str, *values: str) -> list[str]:
        rules = contract(f'[sequence]\npattern = "message*"\n[ids]\nscheme = "{scheme}"\n')
        events = [Event("message", "x", value) for value in values]
        return [v.actual for v in judge(stream(events), contract=rules)["ids"].violations]

    assert ids("increasing", "1", "5", "10", "1" + "0" * 5000) == []
    assert ids("increasing", "1700000000000-0", "1700000000000-1", "1700000000001-0") == []
    assert ids("increasing", "2", "2", "1") == ["id '2'", "id '1'"]
    assert ids("increasing", "1", "x") == ["id 'x'"]
    assert ids("increasing", "1-0", "2") == ["id '2'"]
    assert ids("unique", "a", "b", "a") == ["id 'a', as event #1"]
    assert ids("unique", "a", "") == ["none"]
    assert ids("none", "", "") == []
    assert ids("none", "", "7") == ["id '7'"]


def test_end_must_come_soon_after_the_terminal_event_and_nothing_after_it() -> None:
    assert judge(GOOD)["end"].verdict is Verdict.PASS
    late = replace(GOOD, ended_at=GOOD.events[-1].at + 2.5)
    assert [v.actual for v in judge(late)["end"].violations] == ["ended 2.50 s after"]
    hung = replace(GOOD, ending=Ending.TIMEOUT, detail="still open 2 s after the terminal event")
    assert judge(hung)["end"].violations[0].actual == (
        "timeout: still open 2 s after the terminal event"
    )
    cut = judge(stream(CORE_EVENTS[:4], ending=Ending.RESET, detail="boom"))["end"]
    assert cut.violations[0].actual == "reset: boom"
    early = judge(stream(CORE_EVENTS[:4]))["end"]
    assert early.violations[0].actual == "the body ended without it"
    after = judge(stream([*CORE_EVENTS, CORE_EVENTS[4]]))["end"]
    assert after.violations[0].actual.startswith("1 event(s) after it")


def test_never_ending_streams_fail_only_if_they_end() -> None:
    feed = contract('[sequence]\npattern = "tick+"\n[end]\nnever = true\n')
    ticks = [Event("tick", str(i), str(i)) for i in range(5)]
    stopped = stream(ticks, ending=Ending.TIMEOUT, detail="still open after 1 s")
    assert judge(stopped, contract=feed)["end"].verdict is Verdict.PASS
    assert judge(stream(ticks), contract=feed)["end"].violations[0].expected == (
        "the stream to stay open"
    )


def test_incremental_fails_a_buffered_stream_only() -> None:
    buffered = judge(recording((2.0, encode(CORE_EVENTS))))["incremental"]
    assert buffered.verdict is Verdict.FAIL
    assert "1 burst(s)" in buffered.violations[0].actual
    assert judge(GOOD)["incremental"].verdict is Verdict.PASS
    instant = judge(recording((0.001, encode(CORE_EVENTS))))["incremental"]
    assert instant.summary == "nothing to judge: the server did not pause (every event within 1 ms)"
    per_task = recording((1.0, encode(CORE_EVENTS[:5])), (2.0, encode(CORE_EVENTS[5:])))
    assert judge(per_task)["incremental"].verdict is Verdict.FAIL


def test_incremental_bursts_of_a_kinds_contract() -> None:
    three = contract('[sequence]\npattern = "message+"\n[incremental]\nbursts = 3\n')
    events = [Event("message", str(i)) for i in range(6)]
    spread = recording(*((0.1 * (i // 2), encode([e])) for i, e in enumerate(events)))
    assert judge(spread, contract=three)["incremental"].verdict is Verdict.PASS
    two = recording((0.1, encode(events[:3])), (0.2, encode(events[3:])))
    assert judge(two, contract=three)["incremental"].verdict is Verdict.FAIL


def test_framing_reports_what_it_saw_and_fails_a_cut_off_event() -> None:
    body = b"\xef\xbb\xbf: hi\r\nretry: 10\r\nfoo: bar\r\n" + encode(CORE_EVENTS, newline="\r\n")
    framing = judge(recording((0.0, body[:2]), (0.1, body[2:])))["framing"]
    assert framing.verdict is Verdict.PASS
    assert framing.summary == (
        "parsed as a browser would: 605 bytes in 2 chunk(s) of 2..603 bytes, "
        "line endings CRLF, a BOM, 1 comment line(s), 1 retry field(s), 1 unknown field(s)"
    )
    cut = judge(recording((0.0, encode(CORE_EVENTS).removesuffix(b"\n"))))["framing"]
    assert [v.actual for v in cut.violations] == [
        "it ends inside an event: a browser discards the last 40 bytes"
    ]


def test_framing_fails_invalid_utf8_in_fields_but_not_in_comments() -> None:
    assert judge(recording((0.0, b"data: \xff\n\n")))["framing"].verdict is Verdict.FAIL
    assert judge(recording((0.0, b"id: 1\0\ndata: x\n\n")))["framing"].verdict is Verdict.FAIL
    commented = recording((0.0, b": caf\xe9\n" + encode(CORE_EVENTS)))
    assert judge(commented)["framing"].verdict is Verdict.PASS
    unknown = recording((0.0, b"x-trace: \xff\n" + encode(CORE_EVENTS)))
    assert judge(unknown)["framing"].verdict is Verdict.PASS
    assert judge(recording((0.0, encode(CORE_EVENTS) + b": bye")))["framing"].verdict is (
        Verdict.PASS
    )


# -- extensions --------------------------------------------------------------------------


def resumed(after: int, start: int | None = None) -> object:
    return stream(CORE_EVENTS[(after + 1 if start is None else start) :])


def test_resume_supported_ignored_or_broken() -> None:
    def verdict(*pairs: tuple[str, object]) -> tuple[Verdict, list[str]]:
        result = judge(GOOD, *(probe("resume", v, r) for v, r in pairs))["resume"]  # type: ignore[arg-type]
        return result.verdict, [v.actual for v in result.violations]

    assert verdict(("0", resumed(0)), ("4", resumed(4)), ("9", resumed(9)))[0] is Verdict.SUPPORTED
    assert verdict(("0", GOOD), ("4", GOOD))[0] is Verdict.NOT_SUPPORTED
    assert verdict(("4", resumed(4, start=4))) == (
        Verdict.BROKEN,
        ["ids 4..10 (sent again or unexpected: '4')"],
    )
    assert verdict(("4", resumed(4, start=6))) == (Verdict.BROKEN, ["ids 6..10 (missing: '5')"])
    error = replace(stream(CORE_EVENTS[5:]), status=500)
    assert verdict(("4", error)) == (Verdict.BROKEN, ["status 500"])
    mixed = judge(GOOD, probe("resume", "0", stream(CORE_EVENTS[1:])), probe("resume", "4", GOOD))
    assert mixed["resume"].verdict is Verdict.BROKEN
    assert mixed["resume"].violations[0].message == "ignored for some only"


def test_a_feed_resumed_from_its_last_recorded_id_is_not_judged() -> None:
    feed = contract('[sequence]\npattern = "tick+"\n[end]\nnever = true\n[resume]\n')
    ticks = [Event("tick", str(i), str(i)) for i in range(10)]

    def open_feed(events: list[Event]) -> Recording:
        return stream(events, ending=Ending.TIMEOUT, detail="still open")

    main = open_feed(ticks[:5])
    probes = [probe("resume", v, open_feed(ticks[int(v) + 1 :])) for v in ("2", "4")]
    result = judge(main, *probes, contract=feed)["resume"]
    assert result.verdict is Verdict.SUPPORTED, result.summary
    assert "(2, 4)" in result.summary
    gap = probe("resume", "2", open_feed(ticks[4:]))
    assert judge(main, gap, contract=feed)["resume"].verdict is Verdict.BROKEN


def test_resume_in_the_query_form_only_ignored_is_broken() -> None:
    assert DEMO.resume is not None
    rules = replace(DEMO, resume=replace(DEMO.resume, query="last_event_id"))
    header = probe("resume", "4", stream(CORE_EVENTS[5:]))
    ignored = probe("resume", "4", GOOD, query="last_event_id")
    result = judge(GOOD, header, ignored, contract=rules)["resume"]
    assert result.verdict is Verdict.BROKEN
    assert "?last_event_id=4" in result.violations[0].actual


def test_resuming_a_never_ending_stream_from_its_newest_recorded_id() -> None:
    feed = contract(
        '[sequence]\npattern = "tick+"\n[end]\nnever = true\n[ids]\nscheme = "increasing"\n'
        '[resume]\nfrom = "all"\n'
    )

    def ticks(first: int, last: int) -> Recording:
        events = [Event("tick", str(i), str(i)) for i in range(first, last + 1)]
        return stream(events, ending=Ending.TIMEOUT, detail="still open after 1 s")

    main = ticks(1, 4)

    def verdict(*pairs: tuple[str, Recording]) -> Verdict:
        probes = (probe("resume", v, r) for v, r in pairs)
        return judge(main, *probes, contract=feed)["resume"].verdict

    # Nothing followed 4 in the first recording: what comes after it now cannot be compared.
    assert verdict(("1", ticks(2, 6)), ("4", ticks(5, 9))) is Verdict.SUPPORTED
    assert verdict(("1", main), ("4", main)) is Verdict.NOT_SUPPORTED
    assert verdict(("1", ticks(2, 6)), ("4", main)) is Verdict.BROKEN
    assert verdict(("1", ticks(1, 5)), ("4", ticks(5, 9))) is Verdict.BROKEN
    # What came after the first recording's last id is neither unexpected nor compared.
    again = judge(main, probe("resume", "2", ticks(2, 8)), contract=feed)["resume"]
    assert again.violations[0].actual == "ids 2..4 (sent again or unexpected: '2')"
    gap = judge(main, probe("resume", "1", ticks(3, 8)), contract=feed)["resume"]
    assert gap.violations[0].actual == "ids 3..4 (missing: '2')"


def test_a_resumed_stream_must_end_after_its_terminal_event_too() -> None:
    hung = replace(stream(CORE_EVENTS[5:]), ending=Ending.TIMEOUT, detail="still open")
    result = judge(GOOD, probe("resume", "4", hung))["resume"]
    assert result.verdict is Verdict.BROKEN
    assert result.violations[0].actual == "timeout: still open"


def test_done_wants_204_or_an_empty_stream() -> None:
    no_content = replace(stream([]), status=204, headers=())
    assert judge(GOOD, probe("done", "10", no_content))["done"].verdict is Verdict.SUPPORTED
    assert judge(GOOD, probe("done", HUGE_ID, GOOD))["done"].verdict is Verdict.NOT_SUPPORTED
    close_only = judge(GOOD, probe("done", "10", stream(CORE_EVENTS[10:])))["done"]
    assert close_only.verdict is Verdict.BROKEN
    assert close_only.violations[0].actual == "status 200 with ids 10"
    assert DEMO.resume is not None
    empty = replace(DEMO, resume=replace(DEMO.resume, after_end="empty"))
    assert judge(GOOD, probe("done", "10", stream([])), contract=empty)["done"].verdict is (
        Verdict.SUPPORTED
    )


def test_tolerant_needs_a_full_stream_and_a_server_that_reads_positions() -> None:
    supported = probe("resume", "4", stream(CORE_EVENTS[5:]))
    assert judge(GOOD, supported, probe("tolerant", "abc", GOOD))["tolerant"].verdict is (
        Verdict.SUPPORTED
    )
    ignored = probe("resume", "4", GOOD)
    assert judge(GOOD, ignored, probe("tolerant", "abc", GOOD))["tolerant"].verdict is (
        Verdict.NOT_SUPPORTED
    )
    refused = replace(GOOD, status=400, events=())
    failed = judge(GOOD, supported, probe("tolerant", "abc", refused))["tolerant"]
    assert failed.verdict is Verdict.BROKEN
    assert failed.violations[0].message == "Last-Event-ID: 'abc'"


def test_keepalive_counts_any_bytes_and_tells_no_comments_from_too_few() -> None:
    keep = contract('[sequence]\npattern = "message*"\n[keepalive]\nmax_silence = 0.5\n')
    pings = recording(*((t, b": ping\n\n") for t in (0.4, 0.8, 1.2, 1.6)), (2.0, b""))
    kept = judge(pings, contract=keep)["keepalive"]
    assert kept.verdict is Verdict.SUPPORTED
    assert "longest silence 0.4 s" in kept.summary
    gap = recording((0.4, b": ping\n\n"), (1.6, b": ping\n\n"))
    assert judge(gap, contract=keep)["keepalive"].verdict is Verdict.BROKEN
    quiet = recording((1.6, b"data: x\n\n"))
    assert judge(quiet, contract=keep)["keepalive"].verdict is Verdict.NOT_SUPPORTED
    short = recording((0.1, b"data: x\n\n"))
    assert judge(short, contract=keep)["keepalive"].summary.startswith("nothing to judge")


def test_required_extensions_fail_when_not_supported() -> None:
    required = replace(DEMO, require=frozenset({"resume"}))
    results = judge(GOOD, probe("resume", "4", GOOD), contract=required)
    report = Report("http://test/stream", tuple(results.values()))
    assert report.result("resume").required
    assert report.result("resume").failed
    assert report.exit_code == 1
    assert not judge(GOOD, probe("resume", "4", GOOD))["resume"].failed


def test_reports_as_text_and_json() -> None:
    results = tuple(judge(stream(CORE_EVENTS[:-1])).values())
    report = Report("http://test/stream", results, elapsed=1.25, contract="demo /stream")
    text = format_text(report)
    assert text.splitlines()[0] == "SSE contract suite: http://test/stream (contract: demo /stream)"
    assert "FAIL           events      (core) listed #11: expected 1 more event(s)" in text
    assert text.splitlines()[-1] == (
        "FAILED (events, end): core 5/7 passed; extensions: 4 pass; 1.2 s"
    )
    data = json.loads(format_json(report))
    assert data["exit_code"] == 1
    assert data["contract"] == "demo /stream"
    assert [rule["rule"] for rule in data["rules"]] == [*CORE_RULES, *EXTENSIONS]
    events = next(rule for rule in data["rules"] if rule["rule"] == "events")
    assert events["violations"][0]["actual"] == "missing"
    assert format_text(Report("u", error="cannot reach u: refused")).endswith(
        "cannot run: cannot reach u: refused"
    )


def test_schema_formats_are_checked() -> None:
    stamped = contract(
        '[kinds.tick]\ntype = "tick"\n'
        'schema = { type = "object", properties = { at = { type = "string", format = "date-time" },'
        ' url = { type = "string", format = "uri" } } }\n'
        '[sequence]\npattern = "tick+"\n'
    )
    good = Event("tick", '{"at": "2026-11-30T05:38:50Z", "url": "https://example.org/a"}')
    bad_time = Event("tick", '{"at": "yesterday"}')
    bad_url = Event("tick", '{"url": "not a uri"}')
    data = judge(stream([good, bad_time, bad_url]), contract=stamped)["data"]
    assert [v.message for v in data.violations] == ["event #2", "event #3"]
    assert "is not a 'date-time'" in data.violations[0].actual
    assert "is not a 'uri'" in data.violations[1].actual


def test_a_never_ending_stream_with_no_event_fails_a_pattern_that_needs_one() -> None:
    feed = contract('[sequence]\npattern = "tick+"\n[end]\nnever = true\n')
    silent = recording((0.5, b": ping\n\n"), ending=Ending.TIMEOUT, detail="still open after 1 s")
    events = judge(silent, contract=feed)["events"]
    assert events.verdict is Verdict.FAIL
    assert events.violations[0].expected == "one of: tick"
    optional = contract('[sequence]\npattern = "tick*"\n[end]\nnever = true\n')
    assert judge(silent, contract=optional)["events"].verdict is Verdict.PASS


def test_framing_is_not_judged_on_a_body_that_is_no_event_stream() -> None:
    refused = recording(
        (0.0, b'{"error": "no such job"}'),
        status=404,
        headers=(("Content-Type", "application/json"),),
    )
    results = judge(refused)
    assert results["head"].verdict is Verdict.FAIL
    assert results["framing"].verdict is Verdict.PASS
    assert results["framing"].summary.startswith("nothing to judge: not an event stream")


def test_a_flood_of_misfits_reports_fifty_and_counts_the_rest() -> None:
    chunks = contract(
        '[kinds.chunk]\nschema = { type = "object" }\n[sequence]\npattern = "chunk*"\n'
    )
    events = [Event("message", f"not json {i}") for i in range(120)]
    data = judge(stream(events, step=0.001), contract=chunks)["data"]
    assert len(data.violations) == 51
    assert data.violations[0].actual.startswith("data is not JSON")
    assert data.violations[49].message == "event #50"
    assert data.violations[-1].actual == "70 more like these"
