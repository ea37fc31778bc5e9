"""The resume fuzzer has teeth: each seeded resume bug is found and shrunk within the default
budget, correct servers never fail, and the shrunk plan replays by hand."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from contract import (
    Contract,
    Options,
    RuleResult,
    Verdict,
    encode,
    parse_contract,
    run_suite,
)
from contract.cli import main
from contract.fuzz.plans import Connection, Drop
from contract.fuzz.settings import FUZZ_RUNS
from contract.fuzz.steps import Step
from contract.fuzz.words import curl
from contract.run.target import Target
from contract.spec.overrides import with_flags
from tests.conftest import Serve
from tests.contract.support import CORE_EVENTS, DEMO
from tests.servers.resume_bugs import (
    IDLESS_CONTRACT,
    QUERY,
    RESUME_BUGS,
    TOKEN_CONTRACT,
    empty_when_done,
    idless_stream,
    token_stream,
)
from tests.servers.scripted import Reply, last_event_id, serve_app
from tests.support.serving import wait_for

pytest_plugins = ["pytester"]

LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}
PROBED = with_flags(DEMO, limits=LIMITS, close_grace=0.3, resume_from=("0", "4", "9"))
"""The demo contract probed at three ids only: the bugs at other ids are the fuzzer's to find."""


def with_query(contract: Contract) -> Contract:
    """``contract`` with the position also accepted as ``?last_event_id=``."""
    assert contract.resume is not None
    return replace(contract, resume=replace(contract.resume, query=QUERY))


WITH_QUERY = with_query(PROBED)
SEED = 0
PORT = re.compile(r"127\.0\.0\.1:\d+")


async def fuzzed(url: str, contract: Contract, runs: int = FUZZ_RUNS) -> RuleResult:
    report = await run_suite(url, contract, Options(fuzz_resume=runs, seed=SEED))
    assert not report.error
    return report.result("resume")


def plan_of(result: RuleResult) -> list[str]:
    """The shrunk plan's numbered lines, without the server's port."""
    return [PORT.sub("HOST", line.strip()) for line in result.details if line[2:3].isdigit()]


def replay_of(result: RuleResult) -> list[str]:
    start = result.details.index("replay by hand:") + 1
    return [PORT.sub("HOST", line.strip()) for line in result.details[start:-1]]


SHRUNK = {
    "repeats-id-6": [
        "1. connect; read 7 events (ids 0..6), drop",
        "2. reconnect with Last-Event-ID: 6; read to the end: 5 events (ids 6..10)"
        "  <- id 6 again (a duplicate)",
    ],
    "skips-after-a-burst": [
        "1. connect; read 2 events (ids 0..1), drop",
        "2. reconnect with Last-Event-ID: 1; read to the end: 8 events (ids 3..10)"
        "  <- 2 missing (a gap)",
    ],
    "query-repeats-its-id": [
        "1. connect; read 1 event (id 0), drop",
        f"2. reconnect with ?{QUERY}=0; read to the end: 11 events (ids 0..10)"
        "  <- id 0 again (a duplicate)",
    ],
}


@pytest.mark.parametrize("name", sorted(RESUME_BUGS))
async def test_each_resume_bug_is_found_and_shrunk(name: str) -> None:
    contract = WITH_QUERY if "query" in name else PROBED
    async with serve_app(RESUME_BUGS[name](0.0)) as base:
        result = await fuzzed(base + "/stream", contract)
    assert result.verdict is Verdict.BROKEN
    assert result.summary.startswith("fuzzed: request 2 of a plan")
    assert plan_of(result) == SHRUNK[name]
    first, second = replay_of(result)
    assert re.fullmatch(
        r"curl -sN -H 'Accept: text/event-stream' -H 'Cache-Control: no-cache' --compressed "
        r"http://HOST/stream \| head -c \d+",
        first,
    )
    assert second.startswith("curl -sN ")
    assert result.details[-1] == f"seed {SEED}: rerun with --fuzz-resume {FUZZ_RUNS} --seed {SEED}"
    if name != "query-repeats-its-id":
        # The probes at ids 0, 4 and 9 miss it: the fuzzer's violation is the only one.
        assert len(result.violations) == 1


async def test_the_terminal_id_must_get_after_end_at_the_end_of_a_plan() -> None:
    async with serve_app(empty_when_done(0.0)) as base:
        result = await fuzzed(base + "/stream", PROBED)
    assert plan_of(result) == [
        "1. connect; read to the end: 11 events (ids 0..10)",
        "2. reconnect with Last-Event-ID: 10; status 200, no event  <- not 204 No Content",
    ]
    assert result.violations[0].expected == "after the terminal id, 204 No Content"
    assert replay_of(result)[-1].startswith("curl -si ")


async def test_a_connection_a_limit_ends_stops_the_search_unshrunk() -> None:
    # Resumes from 0 right, hangs on any other position: a plan that reconnects after
    # id 0 waits for the time limit, and shrinking it would wait again on every try.
    hung: list[str] = []

    def respond(request: web.Request) -> Reply:
        after = last_event_id(request)
        if after in (None, "0"):
            return Reply([encode(CORE_EVENTS[1 if after else 0 :])])
        hung.append(after or "")
        return Reply(status=204) if after == "10" else Reply([], then="hang")

    contract = with_flags(PROBED, limits={"seconds": 0.5}, resume_from=("0",))
    async with serve_app(respond) as base:
        result = await fuzzed(base + "/stream", contract)
    assert result.verdict is Verdict.BROKEN
    assert result.details[0].startswith("plan ")
    assert result.details[0].endswith(
        "at a limit: not shrunk (each try would wait for a limit again):"
    )
    failing = plan_of(result)[-1]
    assert failing.endswith(
        "read 0 events, then timeout: still open after 0.5 s (total time limit)"
        "  <- timeout: still open after 0.5 s (total time limit) before the terminal event"
    )
    # The probes sent 0, the done values and the tolerated ones; ids 1 to 9 only the fuzzer.
    assert len([value for value in hung if value in {str(i) for i in range(1, 10)}]) == 1


async def test_the_demo_app_never_fails(serve: Serve) -> None:
    base = await serve(interval=0.005)
    result = await fuzzed(base + "/stream", with_flags(DEMO, limits=LIMITS))
    assert result.verdict is Verdict.SUPPORTED, result.summary
    assert f"fuzzed: {FUZZ_RUNS} plans of drops and reconnections" in result.summary
    assert f"seed {SEED}): each event once, in order" in result.summary
    assert not result.details


async def test_a_kinds_mode_server_with_a_query_form_never_fails() -> None:
    contract = parse_contract(TOKEN_CONTRACT, "tokens.toml")
    async with serve_app(token_stream(0.0)) as base:
        result = await fuzzed(base + "/stream", contract)
    assert result.verdict is Verdict.SUPPORTED, result.summary
    assert "?cursor=" in result.summary
    assert "each event once, in order" in result.summary


async def test_events_without_ids_sent_again_after_a_reconnection_are_no_duplicates() -> None:
    # An event without an id keeps the last id set, so a browser that drops after it resumes
    # from that id and gets it again: the probes and the fuzzer both expect what followed the
    # event that set the id. A drop after "hi" (no id yet) resumes from the start.
    contract = parse_contract(IDLESS_CONTRACT, "idless.toml")
    async with serve_app(idless_stream(0.0)) as base:
        report = await run_suite(
            base + "/stream", contract, Options(fuzz_resume=FUZZ_RUNS, seed=SEED)
        )
    assert report.exit_code == 0, report.result("resume").summary
    result = report.result("resume")
    assert result.verdict is Verdict.SUPPORTED, result.summary
    assert f"fuzzed: {FUZZ_RUNS} plans of drops and reconnections" in result.summary


async def test_a_server_that_ignores_positions_is_not_fuzzed() -> None:
    async with serve_app(lambda request: Reply([encode(CORE_EVENTS)])) as base:
        result = await fuzzed(base + "/stream", PROBED)
    assert result.verdict is Verdict.NOT_SUPPORTED
    assert result.summary.endswith("; not fuzzed: positions are ignored")


async def test_a_drop_before_the_head_replays_with_the_printed_line() -> None:
    seen: list[str | None] = []

    def respond(request: web.Request) -> Reply:
        seen.append(request.headers.get("Last-Event-ID"))
        return Reply([b"data: x\n\n"])

    async with serve_app(respond) as base:
        target = Target(base + "/stream", headers=(("Last-Event-ID", "3"),))
        line = curl(Step(Connection(Drop(before_head=True)), "3", target))
        words = shlex.split(line)
        assert words[:2] == ["python3", "-c"]
        await asyncio.to_thread(subprocess.run, [sys.executable, *words[1:]], check=True)
        assert await wait_for(lambda: bool(seen), 2.0)
    assert seen == ["3"]


async def test_the_cli_prints_the_plan_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    async with serve_app(RESUME_BUGS["repeats-id-6"](0.0)) as base:
        argv = [base + "/stream", "--fuzz-resume", "--seed", "0", "--resume-from", "0,4,9"]
        status = await asyncio.to_thread(main, [*argv, "--timeout", "10", "--close-grace", "0.3"])
    out = capsys.readouterr().out
    assert status == 1
    assert "BROKEN         resume      (extension) fuzzed: request 2 of a plan" in out
    assert "      1. connect; read 7 events (ids 0..6), drop\n" in out
    assert "    replay by hand:\n      curl -sN " in out
    assert "    seed 0: rerun with --fuzz-resume 50 --seed 0\n" in out


async def test_the_cli_json_report_carries_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    async with serve_app(RESUME_BUGS["skips-after-a-burst"](0.0)) as base:
        argv = [base + "/stream", "--json", "--fuzz-resume", "20", "--seed", "3"]
        assert await asyncio.to_thread(main, [*argv, "--resume-from", "0,4,9"]) == 1
    resume = next(r for r in json.loads(capsys.readouterr().out)["rules"] if r["rule"] == "resume")
    assert resume["verdict"] == "BROKEN"
    assert resume["details"][-1] == "seed 3: rerun with --fuzz-resume 20 --seed 3"


@pytest.mark.parametrize(("ci", "shown"), [("true", r"seed 0\)"), ("", r"seed \d+\)")])
async def test_on_ci_the_seed_is_fixed(
    ci: str,
    shown: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CI", ci)
    path = tmp_path / "tokens.toml"
    path.write_text(TOKEN_CONTRACT)
    async with serve_app(token_stream(0.0)) as base:
        argv = [base + "/stream", "--contract", str(path), "--fuzz-resume", "5"]
        assert await asyncio.to_thread(main, argv) == 0
    (summary,) = [line for line in capsys.readouterr().out.splitlines() if " resume " in line]
    assert "fuzzed: 5 plans of drops and reconnections" in summary
    assert re.search(shown, summary)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "1"], "--seed goes with --fuzz-resume"),
        (["--fuzz-resume", "0"], "expected at least 1"),
        (["--fuzz-resume", "5", "--seed", "-1"], "expected 0 or more"),
    ],
)
def test_bad_fuzz_flags_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["http://127.0.0.1:9/stream", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[events]]\ndata = "x"\n', "has no [resume]"),
        (
            '[kinds.tick]\n[sequence]\npattern = "tick*"\n[end]\nnever = true\n[resume]\n',
            "never ends ([end] never = true); a plan runs to the terminal event",
        ),
    ],
)
def test_a_contract_the_fuzzer_cannot_run_on_exits_2(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contract.toml"
    path.write_text(f'format = 1\nname = "x"\n{text}')
    assert main(["http://127.0.0.1:9/stream", "--contract", str(path), "--fuzz-resume"]) == 2
    assert message in capsys.readouterr().err


async def test_the_pytest_plugin_fails_resume_with_the_plan(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    async with serve_app(RESUME_BUGS["repeats-id-6"](0.0)) as base:
        result = await asyncio.to_thread(
            pytester.runpytest_subprocess,
            "-p",
            "no:cacheprovider",
            "--sse-url",
            base + "/stream",
            "--sse-fuzz-resume",
            "50",
            "--sse-seed",
            "0",
            "--sse-timeout",
            "10",
            "-k",
            "resume",
            timeout=60,
        )
    result.assert_outcomes(failed=1, deselected=10)
    result.stdout.fnmatch_lines(
        [
            "*BROKEN resume: fuzzed: request 2 of a plan (Last-Event-ID: 6)*",
            "*1. connect; read 7 events (ids 0..6), drop",
            "*curl -sN *Last-Event-ID: 6*",
            "*seed 0: rerun with --fuzz-resume 50 --seed 0",
        ]
    )
