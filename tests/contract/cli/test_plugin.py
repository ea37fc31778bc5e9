"""The pytest plugin: inert without a URL; with one, one item per rule, junitxml included."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from aiohttp import web

from contract import CORE_RULES, EXTENSIONS, encode
from tests.conftest import Serve
from tests.contract.support import CORE_EVENTS
from tests.paths import CONTRACTS
from tests.servers import fastapi_app
from tests.servers.mutants import BROKEN, FEED, SCRIPT, TOKEN, TOKENS, Seen, routes, serve
from tests.servers.scripted import Reply, frame_steps, serve_app
from tests.servers.uvicorn_thread import uvicorn_thread

pytest_plugins = ["pytester"]

RULES = [*CORE_RULES, *EXTENSIONS]


@pytest.fixture(autouse=True)
def quiet_inner_config(pytester: pytest.Pytester) -> None:
    """The inner runs configure pytest-asyncio, which otherwise warns (an error here)."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


LEAN = ("-p", "no:cacheprovider", "-p", "no:playwright-asyncio", "-p", "no:hypothesispytest")
"""Plugins the inner runs do without: Playwright alone costs seconds per start."""


async def run_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a child process, waited on in a thread so this loop keeps serving."""
    return await asyncio.to_thread(pytester.runpytest_subprocess, *LEAN, *args, timeout=60)


async def test_without_a_url_the_plugin_adds_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSE_CONTRACT_URL", raising=False)
    pytester.makepyfile("def test_one():\n    pass\n")
    result = await run_pytest(pytester, "-W", "error")
    result.assert_outcomes(passed=1)
    assert "sse-contract" not in result.stdout.str()
    assert "sse contract" not in result.stdout.str()
    markers = await run_pytest(pytester, "--markers")
    assert "sse_contract" not in markers.stdout.str()


def test_importing_the_plugin_imports_no_http_library() -> None:
    code = "import sys, contract.pytest_plugin; print(sorted({'aiohttp'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"


async def test_one_item_per_rule_and_a_junit_report(
    serve: Serve, pytester: pytest.Pytester
) -> None:
    base = await serve()
    xml = pytester.path / "contract.xml"
    result = await run_pytest(pytester, "--sse-url", base + "/stream", f"--junitxml={xml}", "-v")
    result.assert_outcomes(passed=len(RULES))
    for rule in RULES:
        result.stdout.fnmatch_lines([f"sse-contract::{rule} PASSED*"])
    cases = ET.parse(xml).getroot().iter("testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("sse-contract", rule) for rule in RULES
    ]


async def test_env_url_require_and_marker_selection(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_theirs():\n    pass\n")
    with uvicorn_thread(fastapi_app.create_app(interval=0.05)) as base:
        monkeypatch.setenv("SSE_CONTRACT_URL", base + "/stream")
        result = await run_pytest(pytester, "--sse-require", "resume", "-m", "sse_contract", "-rs")
    result.assert_outcomes(passed=len(CORE_RULES) + 1, failed=1, skipped=2, deselected=1)
    result.stdout.fnmatch_lines(
        [
            "*_ sse contract: resume _*",
            "NOT SUPPORTED resume: Last-Event-ID ignored*",
            "*extension not supported*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


async def test_a_broken_server_fails_its_rules_with_expected_and_actual(
    pytester: pytest.Pytester,
) -> None:
    async with serve_app(lambda request: Reply(frame_steps(CORE_EVENTS[:-1], 0.05))) as base:
        result = await run_pytest(pytester, "--sse-url", base + "/stream")
    result.assert_outcomes(passed=6, failed=2, skipped=3)
    result.stdout.fnmatch_lines(["*FAIL events: listed #11: expected 1 more event(s) at the end*"])


def test_a_bad_require_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sse-url", "http://127.0.0.1:9/stream", "--sse-require", "x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*sse contract: unknown extension x*"])


def test_a_bad_origin_to_allow_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--sse-url", "http://127.0.0.1:9/stream", "--sse-allow-origin", "example.com"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected an origin such as https://api.example.com*"])


async def test_an_origin_allowed_in_the_plugin_gets_the_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    def away_stream(request: web.Request) -> Reply:
        seen.append(request.headers.get("Authorization"))
        return Reply([encode(CORE_EVENTS)])

    async with serve_app(away_stream) as away:

        def home_stream(request: web.Request) -> Reply:
            return Reply(status=307, headers={"Location": away + "/stream"})

        async with serve_app(home_stream) as home:
            argv = ["--sse-url", home + "/stream", "--sse-header", "Authorization: Bearer t"]
            refused = await run_pytest(pytester, *argv, "-k", "head")
            allowed = await run_pytest(pytester, *argv, "--sse-allow-origin", away, "-k", "head")
    refused.assert_outcomes(failed=1, deselected=10)
    refused.stdout.fnmatch_lines(
        ["*cannot run: *redirects to *, another origin than the URL given*"]
    )
    allowed.assert_outcomes(passed=1, deselected=10)
    assert set(seen) == {"Bearer t"}  # the refused run sent nothing there


# -- contract files: --sse-contract, the ini key, the environment; headers and limits ------


SCRIPT_FILE = "script.toml"
"""Contract files are copied next to the inner run: a path into this project would make
pytest take the project's own configuration (rootdir) for the inner run."""


@pytest.fixture(autouse=True)
def contract_files(pytester: pytest.Pytester) -> None:
    """The contracts of tests/contracts, in the inner run's directory."""
    for path in CONTRACTS.glob("*.toml"):
        (pytester.path / path.name).write_text(path.read_text())


def ini(pytester: pytest.Pytester, *lines: str) -> None:
    """The inner run's ini file, with the asyncio setting it always needs."""
    pytester.makeini(
        "\n".join(["[pytest]", "asyncio_default_fixture_loop_scope = function", *lines])
    )


async def test_a_contract_file_from_the_command_line(pytester: pytest.Pytester) -> None:
    async with serve(routes("script", SCRIPT)) as base:
        result = await run_pytest(pytester, "--sse-url", base, "--sse-contract", SCRIPT_FILE, "-v")
    result.assert_outcomes(passed=len(RULES))
    result.stdout.fnmatch_lines(["sse-contract::done PASSED*"])


async def test_a_contract_file_from_the_ini_key_fails_a_broken_server(
    pytester: pytest.Pytester,
) -> None:
    mutant = BROKEN["script-text-plain"]
    async with serve(routes("script", mutant.server)) as base:
        ini(pytester, f"sse_url = {base}", f"sse_contract = {SCRIPT_FILE}")
        result = await run_pytest(pytester)
    result.assert_outcomes(passed=len(RULES) - 1, failed=1)
    result.stdout.fnmatch_lines(["FAIL head: expected Content-Type text/event-stream; actual*"])


async def test_a_contract_file_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSE_CONTRACT", "feed.toml")
    async with serve(routes("feed", FEED)) as base:
        monkeypatch.setenv("SSE_CONTRACT_URL", base)
        result = await run_pytest(pytester, "-v")
    result.assert_outcomes(passed=len(RULES))
    result.stdout.fnmatch_lines(["sse-contract::keepalive PASSED*"])


async def test_the_command_line_wins_over_the_ini_key_and_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSE_CONTRACT", "nonesuch-from-env")
    ini(pytester, "sse_contract = nonesuch-from-ini")
    async with serve(routes("script", SCRIPT)) as base:
        result = await run_pytest(pytester, "--sse-url", base, "--sse-contract", SCRIPT_FILE)
        ini_first = await run_pytest(pytester, "--sse-url", base)
    result.assert_outcomes(passed=len(RULES))
    assert ini_first.ret == pytest.ExitCode.USAGE_ERROR
    ini_first.stderr.fnmatch_lines(["*sse contract: nonesuch-from-ini: no such file*"])


async def test_headers_from_the_command_line_replace_the_contract_s(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tokens server wants ``Bearer teeth-secret`` and ``X-Client: teeth``."""
    monkeypatch.setenv("TEETH_TOKEN", "wrong")
    tokens = "tokens.toml"
    log: list[Seen] = []
    async with serve(routes("tokens", TOKENS), log) as base:
        args = ("--sse-url", base, "--sse-contract", tokens, "--sse-header")
        good = await run_pytest(pytester, *args, f"Authorization: Bearer {TOKEN}")
        bad = await run_pytest(pytester, *args, "X-Client: other")
    good.assert_outcomes(passed=len(RULES))
    bad.assert_outcomes(passed=len(RULES) - 4, failed=4)  # refused with a text/plain 400
    failed = {line.split("::")[1].split()[0] for line in bad.outlines if line.startswith("FAILED")}
    assert failed == {"head", "events", "ids", "end"}, "framing: a text/plain body is no stream"
    bad.stdout.fnmatch_lines(["FAIL head: expected status 200; actual status 400*"])
    assert all(seen.headers.get("Authorization") for seen in log)
    sent = {seen.headers.get("X-Client") for seen in log}
    assert sent == {"teeth", "other"}


async def test_a_timeout_from_the_command_line_cuts_a_slow_stream(
    pytester: pytest.Pytester,
) -> None:
    slow = dataclasses.replace(SCRIPT, stall=1.0)
    async with serve(routes("script", slow)) as base:
        args = ("--sse-url", base, "--sse-contract", SCRIPT_FILE)
        result = await run_pytest(pytester, *args, "--sse-timeout", "0.5")
    result.assert_outcomes(passed=len(RULES) - 2, failed=2)  # events (no finish) and end
    result.stdout.fnmatch_lines(["*timeout: still open after 0.5 s (total time limit)*"])


async def test_a_bad_contract_file_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[sequence]\npattern = "a |"\n')
    result = await run_pytest(
        pytester, "--sse-url", "http://127.0.0.1:9/", "--sse-contract", str(bad)
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*sse contract: {bad}: sequence.pattern: expected a pattern*"])
    assert "Traceback" not in result.stderr.str()
