"""The shipped ``jobs`` contract: any job of the demo passes it, by URL, whatever its broker."""

from __future__ import annotations

import asyncio

import aiohttp

from contract import Event, Report, Verdict, find_contract, run_suite
from contract.spec.overrides import with_flags
from tests.conftest import Serve
from tests.jobs.support import bearer, expected_after, job_like, post_job
from tests.servers.scripted import serve_app

JOBS = with_flags(find_contract("jobs"), limits={"seconds": 10.0, "idle_seconds": 3.0})


def verdicts(report: Report) -> dict[str, Verdict]:
    """Rule name to verdict, or the error when the suite could not run."""
    assert not report.error, report.error
    return {result.rule: result.verdict for result in report.results}


def failing(report: Report) -> set[str]:
    """The rules that fail the run."""
    return {result.rule for result in report.results if result.failed}


async def test_a_job_that_succeeds_passes_with_resume_in_both_forms(
    serve: Serve, broker: str
) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.02)
    report = await run_suite(base + job["events"], JOBS)
    found = verdicts(report)
    assert report.exit_code == 0, found
    assert {rule: found[rule] for rule in ("resume", "done", "tolerant")} == dict.fromkeys(
        ("resume", "done", "tolerant"), Verdict.SUPPORTED
    )
    assert "?last_event_id=" in report.result("resume").summary
    assert report.result("events").summary.startswith("11 event(s) follow the pattern")


async def test_a_cancelled_job_passes_too(serve: Serve) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.2)
        await asyncio.sleep(0.05)
        async with session.delete(
            base + f"/jobs/{job['id']}", headers=bearer(job["token"])
        ) as resp:
            assert resp.status == 202
    report = await run_suite(base + job["events"], JOBS)
    assert report.exit_code == 0, verdicts(report)
    async with aiohttp.ClientSession() as session, session.get(base + job["events"]) as resp:
        body = await resp.read()
    assert b"event: cancelled" in body


async def test_broken_job_streams_fail_their_rules() -> None:
    whole = expected_after()
    cases = {
        "resume repeats the last event": (job_like(whole, resume_repeats=True), {"resume"}),
        "stopped without close": (
            job_like([*whole[:3], Event("cancelled", "cancelled by a client (DELETE)", "3")]),
            {"events", "end"},
        ),
        "a task that never starts": (job_like([whole[1], *whole[2:]]), {"events", "ids"}),
    }
    for name, (respond, rules) in cases.items():
        async with serve_app(respond) as base:
            report = await run_suite(base + "/stream", JOBS)
        assert failing(report) == rules, (name, verdicts(report))
