"""The extensions judged on recordings made in memory: resume, done, tolerant, keepalive."""

from __future__ import annotations

from dataclasses import replace

from contract import (
    Ending,
    Event,
    Recording,
    Report,
    Verdict,
)
from contract.run.plan import HUGE_ID
from tests.contract.support import (
    CORE_EVENTS,
    DEMO,
    contract,
    judge,
    probe,
    recording,
    stream,
)

GOOD = stream()


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
