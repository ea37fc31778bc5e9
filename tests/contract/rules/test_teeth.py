"""Teeth under contract files: broken servers fail exactly their rule, valid variations pass.

The contracts are files in tests/contracts/ (``tokens``: kinds mode, POST; ``script``:
an exact list; ``feed``: never ends); the servers are in tests/servers/mutants/.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest

from benchmarks import judge_bench
from contract import (
    CORE_RULES,
    EXTENSIONS,
    Contract,
    Event,
    Ids,
    Probe,
    Recordings,
    Report,
    Verdict,
    evaluate,
    load_contract,
    parse_contract,
    run_suite,
)
from tests.paths import CONTRACTS
from tests.servers.mutants import (
    BROKEN,
    FEED,
    SCRIPT,
    TOKEN,
    TOKENS,
    TOKENS_BODY,
    TOKENS_EVENTS,
    VALID,
    Feed,
    Seen,
    Server,
    routes,
    serve,
)

RULES = (*CORE_RULES, *EXTENSIONS)


def load(name: str) -> Contract:
    """A contract of tests/contracts/ by name."""
    return load_contract(CONTRACTS / f"{name}.toml")


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    """``${TEETH_TOKEN}`` in tokens.toml's Authorization header."""
    monkeypatch.setenv("TEETH_TOKEN", TOKEN)


async def check(
    name: str,
    server: Server | Feed,
    contract: Contract | None = None,
    log: list[Seen] | None = None,
) -> Report:
    """Serve ``server`` where contract ``name`` sends its request, and run the suite on it."""
    async with serve(routes(name, server), log) as base:
        report = await run_suite(base, load(name) if contract is None else contract)
    assert not report.error, report.error
    return report


def failing(report: Report) -> set[str]:
    return {result.rule for result in report.results if result.failed}


def verdicts(report: Report) -> dict[str, Verdict]:
    return {result.rule: result.verdict for result in report.results}


def shown(report: Report) -> str:
    """Every rule's verdict, summary and violations, for assertion messages."""
    return "\n".join(
        f"{r.rule} {r.verdict}: {r.summary} {[str(v) for v in r.violations]}"
        for r in report.results
    )


# -- broken servers ----------------------------------------------------------------------


def test_every_rule_has_two_broken_servers_that_fail_only_it() -> None:
    alone = Counter(next(iter(m.fails)) for m in BROKEN.values() if len(m.fails) == 1)
    assert min(alone[rule] for rule in RULES) >= 2, alone
    contracts = {m.contract for m in BROKEN.values()}
    assert {load(name).exact for name in contracts} == {True, False}, "both modes"


@pytest.mark.parametrize("name", sorted(BROKEN))
async def test_a_broken_server_fails_exactly_its_rule(name: str) -> None:
    mutant = BROKEN[name]
    report = await check(mutant.contract, mutant.server)
    assert failing(report) == mutant.fails, shown(report)
    assert report.exit_code == 1
    for result in report.results:
        if result.rule in mutant.fails:
            assert result.violations, result
            assert all(v.rule == result.rule for v in result.violations), result
            text = " | ".join(str(v) for v in result.violations)
            assert mutant.says in text, text


# -- good servers and valid variations ---------------------------------------------------


async def test_the_tokens_server_passes_with_every_extension_supported() -> None:
    log: list[Seen] = []
    report = await check("tokens", TOKENS, log=log)
    assert report.passed, shown(report)
    assert {
        rule: verdicts(report)[rule] for rule in ("resume", "done", "tolerant")
    } == dict.fromkeys(("resume", "done", "tolerant"), Verdict.SUPPORTED)
    resume = report.result("resume").summary
    assert resume.startswith("Last-Event-ID and ?last_event_id= from 5 position(s) (0..4)"), resume
    assert report.result("data").summary == "6 event(s) fit their kind's data rule"
    assert "follow the pattern 'start token{2,} done'" in report.result("events").summary
    main = log[0]
    assert (main.method, main.path, main.query) == ("POST", "/v1/tokens", {})
    assert main.headers["Authorization"] == f"Bearer {TOKEN}"
    assert main.headers["X-Client"] == "teeth"
    assert main.headers["Content-Type"] == "application/json"
    assert main.headers["Accept"] == "text/event-stream"
    assert json.loads(main.body) == TOKENS_BODY
    queried = sorted(seen.query["last_event_id"] for seen in log if seen.query)
    assert queried == sorted(["0", "1", "2", "3", "4", "5", "", "abc", "-1"])
    headed = sorted(s.headers["Last-Event-ID"] for s in log if "Last-Event-ID" in s.headers)
    assert headed == queried
    assert all(seen.method == "POST" and seen.body == main.body for seen in log)


async def test_without_the_token_the_server_refuses_and_head_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEETH_TOKEN", "wrong")
    report = await check("tokens", TOKENS)
    head = report.result("head")
    assert [str(v) for v in head.violations] == [
        "expected status 200; actual status 400",
        "expected Content-Type text/event-stream; actual Content-Type text/plain",
        "expected Cache-Control: no-cache; actual no Cache-Control header",
    ]


async def test_an_unset_variable_stops_the_run_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEETH_TOKEN")
    log: list[Seen] = []
    async with serve(routes("tokens", TOKENS), log) as base:
        report = await run_suite(base, load("tokens"))
    assert report.exit_code == 2
    assert "environment variable TEETH_TOKEN is not set" in report.error
    assert report.error.startswith(f"{CONTRACTS / 'tokens.toml'}: request.headers.Authorization: ")
    assert log == []


async def test_the_script_server_passes_and_an_empty_answer_is_done() -> None:
    report = await check("script", SCRIPT)
    assert report.passed, shown(report)
    assert report.result("done").verdict is Verdict.SUPPORTED
    assert report.result("done").summary == "Last-Event-ID 5: 200 with no event"
    assert report.result("incremental").verdict is Verdict.PASS


async def test_the_feed_stays_open_and_keeps_alive() -> None:
    report = await check("feed", FEED)
    assert report.passed, shown(report)
    assert report.result("end").summary.startswith("open until the suite stopped (timeout:")
    assert "(a prefix: the stream stays open)" in report.result("events").summary
    assert report.result("keepalive").verdict is Verdict.SUPPORTED
    assert report.result("resume").verdict is Verdict.SUPPORTED
    assert report.result("done").summary == "nothing to judge: the stream never ends"
    assert report.result("ids").verdict is Verdict.PASS


SEEN = {
    "tokens-cr": ("line endings CR",),
    "tokens-crlf": ("line endings CRLF",),
    "tokens-mixed-endings": ("line endings LF/CRLF/CR",),
    "tokens-bom": ("a BOM",),
    "tokens-one-byte-chunks-bom-crlf": ("line endings CRLF, a BOM",),
    "tokens-comments-everywhere": ("comment line(s)", "retry field(s)", "unknown field(s)"),
    "script-one-byte-chunks-cr": ("line endings CR",),
}
"""What the framing rule must report seeing, per variation."""


@pytest.mark.parametrize("name", sorted(VALID))
async def test_valid_variations_pass(name: str) -> None:
    contract, server = VALID[name]
    report = await check(contract, server)
    assert report.passed, shown(report)
    assert all(r.verdict is Verdict.PASS for r in report.results if not r.extension)
    framing = report.result("framing").summary
    for words in SEEN.get(name, ("line endings LF",)):
        assert words in framing, framing
    if contract == "tokens":
        assert verdicts(report)["resume"] is Verdict.SUPPORTED, shown(report)


# -- resume as a browser sees it ---------------------------------------------------------


async def test_events_without_an_id_keep_the_position_they_resume_from() -> None:
    """A ping that sets no id carries the previous one, in the first stream and when resumed."""
    any_ids = dataclasses.replace(load("tokens"), ids=Ids())
    pings = BROKEN["tokens-pings-without-ids"].server
    report = await check("tokens", pings, any_ids)
    assert report.passed, shown(report)
    assert report.result("resume").verdict is Verdict.SUPPORTED


async def test_a_server_that_ignores_positions_is_not_supported_not_broken() -> None:
    """Its first event sets no id; a resumed parse carries the position until one does."""
    any_ids = dataclasses.replace(load("tokens"), ids=Ids())
    first = TOKENS_EVENTS[0]
    ignoring = dataclasses.replace(
        TOKENS,
        events=(dataclasses.replace(first, last_event_id=""), *TOKENS_EVENTS[1:]),
        position=lambda value, in_query: 0,
    )
    report = await check("tokens", ignoring, any_ids)
    assert not failing(report), shown(report)
    assert {
        rule: verdicts(report)[rule] for rule in ("resume", "done", "tolerant")
    } == dict.fromkeys(("resume", "done", "tolerant"), Verdict.NOT_SUPPORTED)


# -- id schemes on a real server ---------------------------------------------------------

IDS = """
format = 1
[request]
url = "/script"
[sequence]
pattern = "message+"
[ids]
"""


@pytest.mark.parametrize(
    ("scheme", "ids", "wrong"),
    [
        ('scheme = "sequential"\nstart = 7', "7 8 9 10", "id '11'"),
        ('scheme = "increasing"', "1 5 10 1000", "id '5'"),
        ('scheme = "increasing"', "1700000000000-0 1700000000000-1 1700000000001-0", "id '1-0'"),
        ('scheme = "unique"', "b a c d", "id 'a', as event #2"),
        ('scheme = "none"', "", "id '3'"),
    ],
)
async def test_each_id_scheme_passes_its_ids_and_fails_a_wrong_one(
    scheme: str, ids: str, wrong: str
) -> None:
    contract = parse_contract(IDS + scheme, "ids.toml")
    values = ids.split() or ["", "", "", ""]
    good = tuple(Event("message", f"e{i}", value) for i, value in enumerate(values))
    report = await check("script", Server(good, frozenset()), contract)
    assert report.passed, shown(report)
    bad_value = wrong.split("'")[1]
    bad = (*good[:-1], Event("message", "last", bad_value))
    if scheme.endswith('"unique"'):
        bad = (*good[:-1], Event("message", "last", "a"))
    report = await check("script", Server(bad, frozenset()), contract)
    assert failing(report) == {"ids"}, shown(report)
    assert any(wrong in str(v) for v in report.result("ids").violations), shown(report)


# -- judging stays linear ----------------------------------------------------------------


def test_a_long_stream_with_a_broken_resume_is_judged_in_linear_time() -> None:
    """100k events and a probe with a duplicate: the id diff once counted ids in a list."""
    judged = judge_bench.contract(schema=False)
    events = judge_bench.stream(100_000)
    after = events[40_001:]
    broken = judge_bench.recording([events[40_000], *after])
    good = judge_bench.recording(after)
    probes = (Probe("resume", "40000", broken), Probe("resume", "40000", good, "q"))
    results = {
        r.rule: r for r in evaluate(judged, Recordings(judge_bench.recording(events), probes))
    }
    assert not [r.rule for r in results.values() if r.failed and r.rule != "resume"]
    resume = results["resume"]
    assert resume.verdict is Verdict.BROKEN
    assert resume.violations[0].actual.endswith("(sent again or unexpected: '40000')")
