"""The shipped example contracts: each loads and explains itself, its server passes it, and
every mutant of the server fails exactly the rules its mistake breaks."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

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
from tests.servers.feed import FEED_MUTANTS, feed_app
from tests.servers.llm import (
    CHAT_MUTANTS,
    CHAT_PIECES,
    MESSAGE_MUTANTS,
    MESSAGE_VALID,
    Stream,
    chat_app,
    message_app,
)
from tests.support import serve_app

EXAMPLES = ("openai-chat", "anthropic-messages", "feed")
LLM_LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}
FEED_LIMITS = {"seconds": 1.6, "idle_seconds": 1.5}
"""A feed never ends: each recording stops after 1.6 s: two spells of ticks, a quiet one between."""
FEED_KEEPALIVE = 0.5
"""Seconds of silence allowed: the test feed comments every 0.05 s of its 1 s quiet spells
(a wide margin: a loaded machine delays reads by tenths of a second)."""
FEED_RESUME = ("1001", "1003", "1006")
"""Three ids every recording has (1006 is the newest of the feed that closes), not all of them."""


def chat_contract() -> Contract:
    return with_flags(find_contract("openai-chat"), limits=LLM_LIMITS, close_grace=0.3)


def message_contract() -> Contract:
    return with_flags(find_contract("anthropic-messages"), limits=LLM_LIMITS, close_grace=0.3)


def feed_contract(resume_from: tuple[str, ...] | None = FEED_RESUME) -> Contract:
    return with_flags(
        find_contract("feed"),
        limits=FEED_LIMITS,
        keepalive=FEED_KEEPALIVE,
        resume_from=resume_from,
    )


KEYS = {"OPENAI_API_KEY": "sk-test-example", "ANTHROPIC_API_KEY": "sk-ant-test-example"}
"""The keys the LLM contracts' headers read (``${OPENAI_API_KEY}``...)."""
Case = tuple[web.Application, str, Contract]


async def check(app: web.Application, path: str, contract: Contract) -> Report:
    """Serve ``app`` and run the suite against ``path`` on it."""
    async with serve_app(app, handler_cancellation=True) as running:
        # More than the 24 default: the feed's probes from every id run in one round.
        return await run_suite(running.url + path, contract, Options(concurrency=48))


def check_all(cases: Mapping[str, Case], stagger: float = 0.0) -> dict[str, Report]:
    """Every case checked side by side (each run mostly waits on its server's pauses), their
    starts ``stagger`` seconds apart (so that their probes do not all open at once)."""

    async def one(index: int, case: Case) -> Report:
        await asyncio.sleep(index * stagger)
        return await check(*case)

    async def all_of() -> list[Report]:
        return await asyncio.gather(*(one(i, case) for i, case in enumerate(cases.values())))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in KEYS.items():
            patch.setenv(name, value)
        return dict(zip(cases, asyncio.run(all_of()), strict=True))


def failing(report: Report) -> set[str]:
    """The rules that fail the run."""
    assert not report.error, report.error
    return {result.rule for result in report.results if result.failed}


def verdicts(report: Report) -> dict[str, Verdict]:
    return {result.rule: result.verdict for result in report.results}


def same(stream: Stream) -> Stream:
    """The stream as the real API sends it."""
    return stream


@pytest.fixture(scope="module")
def chat_reports() -> dict[str, Report]:
    """The chat server as sent and each mutant, under openai-chat; and a request without a body."""
    mutants = {name: mutant for name, (mutant, _) in CHAT_MUTANTS.items()}
    cases = {
        name: (chat_app(m), "/", chat_contract())
        for name, m in {"as-sent": same, **mutants}.items()
    }
    request = replace(chat_contract().request, body=None, content_type=None)
    cases["no-body"] = (chat_app(), "/", replace(chat_contract(), request=request))
    return check_all(cases)


@pytest.fixture(scope="module")
def message_reports() -> dict[str, Report]:
    """The messages server as sent, valid variations and each mutant, under anthropic-messages."""
    mutants = {name: mutant for name, (mutant, _) in MESSAGE_MUTANTS.items()}
    variants = {"as-sent": same, **MESSAGE_VALID, **mutants}
    return check_all(
        {name: (message_app(m), "/", message_contract()) for name, m in variants.items()}
    )


@pytest.fixture(scope="module")
def feed_reports() -> dict[str, Report]:
    """The feed as sent (resumed from every id) and each mutant, under feed."""
    cases = {"as-sent": (feed_app(), "/ticks", feed_contract(resume_from=None))}
    for name, (feed, _) in FEED_MUTANTS.items():
        cases[name] = (feed_app(feed), "/ticks", feed_contract())
    return check_all(cases, stagger=0.1)


# -- every shipped contract ---------------------------------------------------------------


def test_the_examples_are_shipped() -> None:
    assert set(EXAMPLES) | {"demo"} <= set(shipped_names())


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


# -- openai-chat ----------------------------------------------------------------------------


def test_the_chat_server_passes_openai_chat(chat_reports: dict[str, Report]) -> None:
    report = chat_reports["as-sent"]
    assert failing(report) == set(), format_text(report)
    assert report.exit_code == 0
    count = len(CHAT_PIECES) + 3  # the role, the pieces, finish, [DONE]
    events = report.result("events").summary
    assert events == f"{count} event(s) follow the pattern 'first delta+ finish done'"
    assert report.result("data").summary == f"{count} event(s) fit their kind's data rule"
    assert report.result("ids").summary == f"{count} event(s), none with an id"


def test_the_chat_server_checks_the_request(chat_reports: dict[str, Report]) -> None:
    report = chat_reports["no-body"]
    # A JSON error body is no event stream: framing sees an unterminated event too.
    assert failing(report) == {"head", "events", "end", "framing"}, format_text(report)
    assert report.result("head").summary == ("expected status 200; actual status 400")


@pytest.mark.parametrize("name", sorted(CHAT_MUTANTS))
def test_a_chat_mutant_fails_its_rules(name: str, chat_reports: dict[str, Report]) -> None:
    report = chat_reports[name]
    assert failing(report) == CHAT_MUTANTS[name][1], format_text(report)
    assert report.exit_code == 1


async def test_the_chat_contract_from_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    async with serve_app(chat_app(), handler_cancellation=True) as running:
        args = [running.url, "--contract", "openai-chat", "--timeout", "10"]
        assert await asyncio.to_thread(main, args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"SSE contract suite: {running.url} (contract: {chat_contract().name})"
    assert lines[-1].startswith("PASSED: core 7/7 passed")


def test_an_unset_key_stops_the_command_line_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["http://127.0.0.1:9/", "--contract", "openai-chat"]) == 2
    assert capsys.readouterr().err == (
        "python -m contract: error: [request].headers.Authorization: "
        "environment variable OPENAI_API_KEY is not set\n"
    )


# -- anthropic-messages ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["as-sent", *sorted(MESSAGE_VALID)])
def test_the_messages_server_passes_anthropic_messages(
    name: str, message_reports: dict[str, Report]
) -> None:
    report = message_reports[name]
    assert failing(report) == set(), format_text(report)
    assert report.exit_code == 0


@pytest.mark.parametrize("name", sorted(MESSAGE_MUTANTS))
def test_a_messages_mutant_fails_its_rules(name: str, message_reports: dict[str, Report]) -> None:
    report = message_reports[name]
    assert failing(report) == MESSAGE_MUTANTS[name][1], format_text(report)
    assert report.exit_code == 1


# -- feed -----------------------------------------------------------------------------------


def test_the_feed_passes_with_every_extension(feed_reports: dict[str, Report]) -> None:
    report = feed_reports["as-sent"]
    assert failing(report) == set(), format_text(report)
    assert {rule: verdicts(report)[rule] for rule in ("resume", "tolerant", "keepalive")} == {
        "resume": Verdict.SUPPORTED,
        "tolerant": Verdict.SUPPORTED,
        "keepalive": Verdict.SUPPORTED,
    }
    assert "Last-Event-ID and ?last_event_id=" in report.result("resume").summary
    assert report.result("done").summary == "nothing to judge: the stream never ends"
    assert report.exit_code == 0


@pytest.mark.parametrize("name", sorted(FEED_MUTANTS))
def test_a_feed_mutant_fails_its_rules(name: str, feed_reports: dict[str, Report]) -> None:
    report = feed_reports[name]
    assert failing(report) == FEED_MUTANTS[name][1], format_text(report)
    assert report.exit_code == 1
