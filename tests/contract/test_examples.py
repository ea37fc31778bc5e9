"""The shipped example contracts: each loads and explains itself, its server passes it, and
every mutant of the server fails exactly the rules its mistake breaks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest

from contract import Contract, Report, Verdict, find_contract, format_text, shipped_names
from contract.cli import main
from tests.contract.cases import KEYS, STAGGER, Case, check, check_all, short_limits
from tests.paths import DOCS
from tests.servers.examples import EXAMPLES
from tests.servers.llm import CHAT_PIECES, chat_app
from tests.support.serving import serve_app

CASES = [(example, server) for example in EXAMPLES for server in EXAMPLES[example].servers]


def contract_for(example: str, server: str = "as-sent") -> Contract:
    """The shipped contract with short limits (a feed's from a few ids, unless as sent)."""
    return short_limits(example, find_contract(EXAMPLES[example].contract), server)


@pytest.fixture(scope="module")
def reports() -> Callable[[str], dict[str, Report]]:
    """An example's reports by server name, every server of it checked once, side by side."""
    done: dict[str, dict[str, Report]] = {}

    def of(example: str) -> dict[str, Report]:
        if example not in done:
            spec = EXAMPLES[example]
            cases = {
                name: Case(factory(), spec.path, contract_for(example, name))
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
    page = (DOCS / "contract-examples.md").read_text("utf-8")
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
