"""The pytest plugin: inert without a URL; with one, one item per rule, junitxml included."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from contract import CORE_RULES, EXTENSIONS
from tests.conftest import Serve
from tests.servers import fastapi_app
from tests.servers.scripted import Reply, frame_steps, serve_app
from tests.servers.uvicorn_thread import uvicorn_thread
from tests.support_contract import CORE_EVENTS

pytest_plugins = ["pytester"]

RULES = [*CORE_RULES, *EXTENSIONS]


@pytest.fixture(autouse=True)
def quiet_inner_config(pytester: pytest.Pytester) -> None:
    """The inner runs configure pytest-asyncio, which otherwise warns (an error here)."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


async def run_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a child process, waited on in a thread so this loop keeps serving."""
    return await asyncio.to_thread(
        pytester.runpytest_subprocess, "-p", "no:cacheprovider", *args, timeout=60
    )


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
