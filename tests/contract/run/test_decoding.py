"""Compressed streams judged as a browser sees them: decoded as they arrive, so a compressor that
flushes after each event passes every rule and one that holds events back fails ``incremental``."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from aiohttp import web

from contract import Contract, Options, Report, Verdict, run_suite
from contract.spec.overrides import with_flags
from tests.contract.support import DEMO
from tests.servers.compressed import compressed_reply, compressed_steps, compressing
from tests.servers.resume_bugs import correct
from tests.servers.scripted import SSE, Reply, Responder, core_steps, serve_app

INTERVAL = 0.05
"""Seconds of work before ids 2, 3, 7 and 8: four pauses the incremental rule looks for."""
CONTRACT = with_flags(DEMO, limits={"seconds": 10.0, "idle_seconds": 3.0}, close_grace=0.3)
CODINGS = ["gzip", "deflate", "br", "zstd"]


async def suite(responder: Responder, contract: Contract = CONTRACT) -> Report:
    async with serve_app(responder) as base:
        async with asyncio.timeout(60):
            report = await run_suite(base + "/stream", contract, Options())
    assert not report.error, report.error
    return report


@pytest.mark.parametrize("coding", CODINGS)
async def test_a_stream_compressed_and_flushed_after_each_event_passes(coding: str) -> None:
    seen: list[str] = []

    def respond(request: web.Request) -> Reply:
        seen.append(request.headers.get("Accept-Encoding", ""))
        return compressing(correct(INTERVAL), coding)(request)

    report = await suite(respond)
    assert report.exit_code == 0, [str(r) for r in report.results if r.failed]
    assert set(seen) == {"gzip, deflate, br, zstd"}  # as Chromium's EventSource asks
    framing = report.result("framing").summary
    assert framing.startswith(f"parsed as a browser would: {coding}: ")
    assert " bytes decoded to 531 bytes in 5 chunk(s)" in framing
    assert report.result("incremental").verdict is Verdict.PASS
    assert report.result("resume").verdict is Verdict.SUPPORTED


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
async def test_a_compressor_that_holds_events_back_fails_incremental_and_says_why(
    coding: str,
) -> None:
    report = await suite(compressing(correct(INTERVAL), coding, flush=False))
    verdicts = {r.rule: r.verdict for r in report.results if not r.extension}
    assert verdicts.pop("incremental") is Verdict.FAIL
    assert set(verdicts.values()) == {Verdict.PASS}
    violation = report.result("incremental").violations[0]
    assert violation.actual.startswith("11 events in 1 burst(s)")
    assert violation.actual.endswith(
        f"the body is compressed (Content-Encoding {coding}): a compressor that holds events "
        "back instead of flushing after each is the likely cause"
    )


async def test_bytes_after_the_end_of_a_gzip_stream_fail_framing() -> None:
    # Each write its own gzip stream: a browser decodes the first and ignores the rest.
    def respond(request: web.Request) -> Reply:
        steps = core_steps(0)
        writes = [compressed_steps("gzip", [step]) for step in steps if isinstance(step, bytes)]
        body = [part for write in writes for part in write]
        return Reply(body, headers={**SSE, "Content-Encoding": "gzip"})

    report = await suite(respond, replace(CONTRACT, resume=None))
    framing = report.result("framing")
    assert framing.verdict is Verdict.FAIL
    (violation,) = framing.violations
    assert violation.expected == "the body to end with its gzip stream"
    assert violation.actual.endswith(
        "bytes after the end of the gzip stream (a browser ignores them)"
    )
    assert report.result("events").verdict is Verdict.FAIL  # only the first event came through


async def test_a_body_that_does_not_decode_ends_the_recording() -> None:
    reply = Reply(
        [b"id: 0\ndata: not gzip at all\n\n"], headers={**SSE, "Content-Encoding": "gzip"}
    )
    report = await suite(lambda request: reply, replace(CONTRACT, resume=None))
    end = report.result("end")
    assert end.verdict is Verdict.FAIL
    assert "error: the body does not decode: gzip: " in end.violations[0].actual


async def test_a_coding_no_browser_decodes_fails_head() -> None:
    reply = compressed_reply("gzip", core_steps(0))
    reply = replace(reply, headers={**SSE, "Content-Encoding": "compress"})
    report = await suite(lambda request: reply, replace(CONTRACT, resume=None))
    head = report.result("head")
    assert head.verdict is Verdict.FAIL
    assert [(v.expected, v.actual) for v in head.violations] == [
        (
            "a Content-Encoding a browser decodes (gzip, deflate, br, zstd) or none",
            "Content-Encoding compress",
        )
    ]
    assert "Content-Encoding 'compress': not one a browser decodes" in (
        report.result("end").violations[0].actual
    )
