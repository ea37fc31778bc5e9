"""The suite is framework-agnostic and has teeth: real servers pass, broken ones fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contract import CORE_RULES, EXTENSIONS, Contract, Keepalive, Report, Verdict, run_suite
from contract.spec.overrides import with_flags
from tests.conftest import Serve
from tests.contract.support import DEMO
from tests.servers import fastapi_app
from tests.servers.scripted import serve_app
from tests.servers.uvicorn_thread import uvicorn_thread
from tests.servers.variants import BROKEN, KEEPALIVE_BOUND, REFRAMINGS

INTERVAL = 0.05
LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}
FAST = with_flags(DEMO, limits=LIMITS, close_grace=0.3, resume_from=("0", "4", "9"))
"""The demo contract with short limits and three resume points."""
BROKEN_CONTRACT = replace(FAST, keepalive=Keepalive(KEEPALIVE_BOUND))
"""A short keep-alive bound, so a 0.2 s stream is long enough to measure silences."""


def verdicts(report: Report) -> dict[str, Verdict]:
    """Rule name to verdict."""
    return {result.rule: result.verdict for result in report.results}


def failing(report: Report) -> set[str]:
    """The rules that fail the run."""
    return {result.rule for result in report.results if result.failed}


def assert_core_passes(report: Report) -> None:
    """Every core rule passes; the message shows the report when one does not."""
    bad = [r for r in report.results if not r.extension and r.verdict is not Verdict.PASS]
    assert not report.error
    assert not bad, "\n".join(f"{r.rule}: {[str(v) for v in r.violations]}" for r in bad)


async def test_the_aiohttp_port_passes_everything(serve: Serve) -> None:
    base = await serve()
    report = await run_suite(base + "/stream", with_flags(DEMO, limits=LIMITS))
    assert_core_passes(report)
    assert {
        rule: verdicts(report)[rule] for rule in ("resume", "done", "tolerant")
    } == dict.fromkeys(("resume", "done", "tolerant"), Verdict.SUPPORTED)
    assert report.exit_code == 0
    assert "(0..9)" in report.result("resume").summary


async def test_keepalive_silences_are_measured_on_the_port(serve: Serve) -> None:
    base = await serve(interval=0.1, ping_interval=0.03)
    report = await run_suite(base + "/stream", with_flags(DEMO, limits=LIMITS, keepalive=0.1))
    keepalive = report.result("keepalive")
    assert keepalive.verdict is Verdict.SUPPORTED
    assert "longest silence" in keepalive.summary
    assert "comment line" in report.result("framing").summary


async def test_a_fastapi_server_passes_the_core_without_extensions() -> None:
    with uvicorn_thread(fastapi_app.create_app(interval=INTERVAL)) as base:
        report = await run_suite(base + "/stream", FAST)
    assert_core_passes(report)
    assert {
        rule: verdicts(report)[rule] for rule in ("resume", "done", "tolerant")
    } == dict.fromkeys(("resume", "done", "tolerant"), Verdict.NOT_SUPPORTED)
    assert report.exit_code == 0
    assert "LF" in report.result("framing").summary


@pytest.mark.parametrize("name", sorted(REFRAMINGS))
async def test_valid_reframings_pass(name: str) -> None:
    async with serve_app(REFRAMINGS[name](INTERVAL)) as base:
        report = await run_suite(base + "/stream", FAST)
    assert_core_passes(report)
    assert report.passed


async def test_reframings_are_reported_as_seen() -> None:
    async with serve_app(REFRAMINGS["comments-retry-unknown-fields"](INTERVAL)) as base:
        extras = (await run_suite(base + "/stream", FAST)).result("framing").summary
    async with serve_app(REFRAMINGS["one-byte-chunks-crlf-bom"](INTERVAL)) as base:
        one_byte = (await run_suite(base + "/stream", FAST)).result("framing").summary
    assert "comment line" in extras
    assert "retry field" in extras
    assert "unknown field" in extras
    assert "a BOM" in one_byte
    assert "CRLF" in one_byte


@pytest.mark.parametrize("name", sorted(BROKEN))
async def test_broken_servers_fail_exactly_the_right_rules(name: str) -> None:
    factory, expected = BROKEN[name]
    async with serve_app(factory(INTERVAL)) as base:
        report = await run_suite(base + "/stream", BROKEN_CONTRACT)
    assert not report.error
    assert failing(report) == expected, "\n".join(
        f"{r.rule} {r.verdict}: {r.summary}" for r in report.results
    )
    assert report.exit_code == 1
    for result in report.results:
        if result.rule in expected:
            assert result.violations
            assert all(v.rule == result.rule for v in result.violations)


def test_the_demo_contract_has_broken_servers_for_its_rules() -> None:
    caught = set().union(*(rules for _, rules in BROKEN.values()))
    assert len(BROKEN) >= 12
    assert caught == (set(CORE_RULES) - {"data"}) | set(EXTENSIONS)


async def test_required_extension_not_supported_fails_the_run() -> None:
    required: Contract = with_flags(FAST, require=frozenset({"resume"}), resume_from=("4",))
    with uvicorn_thread(fastapi_app.create_app(interval=INTERVAL)) as base:
        report = await run_suite(base + "/stream", required)
    assert failing(report) == {"resume"}
    assert report.exit_code == 1
