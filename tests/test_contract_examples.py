"""The shipped example contracts: each loads and explains itself, its server passes it, and
every mutant of the server fails exactly the rules its mistake breaks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from contract import (
    Contract,
    Options,
    Report,
    Verdict,
    find_contract,
    format_text,
    run_suite,
    shipped_names,
)
from contract.__main__ import main
from contract._flags import with_flags
from tests.servers.examples import EXAMPLES
from tests.servers.llm import CHAT_PIECES, chat_app
from tests.support import serve_app

LLM_LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}
FEED_LIMITS = {"seconds": 1.6, "idle_seconds": 1.5}
"""A feed never ends: each recording stops after 1.6 s: two spells of ticks, a quiet one between."""
FEED_KEEPALIVE = 0.5
"""Seconds of silence allowed: the test feed comments every 0.05 s of its 1 s quiet spells
(a wide margin: a loaded machine delays reads by tenths of a second)."""
FEED_RESUME = ("1001", "1003", "1006")
"""Three ids every recording has (1006 is the newest of the feed that closes), not all of them."""
KEYS = {"OPENAI_API_KEY": "sk-test-example", "ANTHROPIC_API_KEY": "sk-ant-test-example"}
"""The keys the LLM contracts' headers read (``${OPENAI_API_KEY}``...)."""
STAGGER = {"feed": 0.1}
"""Seconds between the starts of an example's runs, so that their probes do not all open at once."""
CASES = [(example, server) for example in EXAMPLES for server in EXAMPLES[example].servers]

Case = tuple[web.Application, str, Contract]


def contract_for(example: str, server: str = "as-sent") -> Contract:
    """The shipped contract with short limits (a feed's from a few ids, unless as sent)."""
    shipped = find_contract(EXAMPLES[example].contract)
    if example != "feed":
        return with_flags(shipped, limits=LLM_LIMITS, close_grace=0.3)
    resume = None if server == "as-sent" else FEED_RESUME
    return with_flags(shipped, limits=FEED_LIMITS, keepalive=FEED_KEEPALIVE, resume_from=resume)


async def check(app: web.Application, path: str, contract: Contract) -> Report:
    """Serve ``app`` and run the suite against ``path`` on it."""
    async with serve_app(app, handler_cancellation=True) as running:
        # More than the 24 default: the feed's probes from every id run in one round.
        return await run_suite(running.url + path, contract, Options(concurrency=48))


def check_all(cases: Mapping[str, Case], stagger: float = 0.0) -> dict[str, Report]:
    """Every case checked side by side (each run mostly waits on its server's pauses)."""

    async def one(index: int, case: Case) -> Report:
        await asyncio.sleep(index * stagger)
        return await check(*case)

    async def all_of() -> list[Report]:
        return await asyncio.gather(*(one(i, case) for i, case in enumerate(cases.values())))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in KEYS.items():
            patch.setenv(name, value)
        return dict(zip(cases, asyncio.run(all_of()), strict=True))


@pytest.fixture(scope="module")
def reports() -> Callable[[str], dict[str, Report]]:
    """An example's reports by server name, every server of it checked once, side by side."""
    done: dict[str, dict[str, Report]] = {}

    def of(example: str) -> dict[str, Report]:
        if example not in done:
            spec = EXAMPLES[example]
            cases = {
                name: (factory(), spec.path, contract_for(example, name))
                for name, (factory, _) in spec.servers.items()
            }
            done[example] = check_all(cases, STAGGER.get(example, 0.0))
        return done[example]

    return of


def failing(report: Report) -> set[str]:
    """The rules that fail the run."""
    assert not report.error, report.error
    return {result.rule for result in report.results if result.failed}


# -- every shipped contract ---------------------------------------------------------------


def test_the_examples_are_shipped() -> None:
    assert {"demo", *EXAMPLES} <= set(shipped_names())


@pytest.mark.parametrize("name", ["demo", *EXAMPLES])
def test_a_shipped_contract_loads_and_validate_explains_it(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = find_contract(name)
    assert main(["validate", name]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"contract {contract.name!r} from {name} (shipped): valid\n")
    if contract.exact:
        assert f"events: exactly these {len(contract.events)}, in order" in out
    else:
        assert contract.sequence is not None
        assert f"events: kinds in the pattern {contract.sequence.pattern!r}" in out
        for kind in contract.kinds:
            assert f"\n  {kind.name}: type {kind.type!r}, " in out
    if contract.end.never:
        assert "\ndone: not checked (the stream never ends)\n" in out


def test_the_examples_page_lists_every_server_and_the_rules_it_fails() -> None:
    page = (Path(__file__).parents[1] / "docs" / "contract-examples.md").read_text("utf-8")
    for example, spec in EXAMPLES.items():
        section = page.split(f"\n## `{example}`\n", 1)[1].split("\n## ", 1)[0]
        rows = [line.strip("|").split(" | ") for line in section.splitlines()]
        listed = {row[0].strip(" `"): row[-1].strip() for row in rows if row[0].startswith(" `")}
        assert listed == {
            name: ", ".join(sorted(rules)) or "passes" for name, (_, rules) in spec.servers.items()
        }


# -- the servers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("example", "server"), CASES, ids=[f"{e}:{s}" for e, s in CASES])
def test_each_server_fails_exactly_its_rules(
    example: str, server: str, reports: Callable[[str], dict[str, Report]]
) -> None:
    report = reports(example)[server]
    rules = EXAMPLES[example].servers[server][1]
    assert failing(report) == rules, format_text(report)
    assert report.exit_code == (1 if rules else 0)


def test_the_chat_stream_as_judged(reports: Callable[[str], dict[str, Report]]) -> None:
    report = reports("openai-chat")["as-sent"]
    count = len(CHAT_PIECES) + 3  # the role, the pieces, finish, [DONE]
    assert report.result("events").summary == (
        f"{count} event(s) follow the pattern 'first delta+ finish done'"
    )
    assert report.result("data").summary == f"{count} event(s) fit their kind's data rule"
    assert report.result("ids").summary == f"{count} event(s), none with an id"


def test_the_feed_supports_every_extension(reports: Callable[[str], dict[str, Report]]) -> None:
    report = reports("feed")["as-sent"]
    assert {r.rule: r.verdict for r in report.results if r.extension} == {
        "resume": Verdict.SUPPORTED,
        "done": Verdict.PASS,
        "tolerant": Verdict.SUPPORTED,
        "keepalive": Verdict.SUPPORTED,
    }
    assert "Last-Event-ID and ?last_event_id=" in report.result("resume").summary
    assert report.result("done").summary == "nothing to judge: the stream never ends"


async def test_the_chat_server_checks_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    contract = contract_for("openai-chat")
    no_body = replace(contract, request=replace(contract.request, body=None, content_type=None))
    report = await check(chat_app(), "/", no_body)
    # A JSON error body is no event stream: framing has nothing to judge, the head says it.
    assert failing(report) == {"head", "events", "end"}, format_text(report)
    assert report.result("head").summary == "expected status 200; actual status 400"


# -- the command line -----------------------------------------------------------------------


async def test_a_shipped_example_by_name_on_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    async with serve_app(chat_app(), handler_cancellation=True) as running:
        args = [running.url, "--contract", "openai-chat", "--timeout", "10"]
        assert await asyncio.to_thread(main, args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == f"SSE contract suite: {running.url} (contract: {contract_for('openai-chat').name})"
    )
    assert lines[-1].startswith("PASSED: core 7/7 passed")


def test_an_unset_key_stops_the_command_line_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["http://127.0.0.1:9/", "--contract", "openai-chat"]) == 2
    assert capsys.readouterr().err == (
        "python -m contract: error: openai-chat (shipped): request.headers.Authorization: "
        "environment variable OPENAI_API_KEY is not set\n"
    )
