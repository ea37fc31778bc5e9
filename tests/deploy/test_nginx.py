"""Behind Debian's nginx with docs/deploy/nginx-sse.conf: two app processes on one Redis.

The contract suite judges ``/stream`` and a job's events through the proxy,
``incremental`` included (a buffering proxy would deliver them in one burst); a
browser on ``/watch`` keeps every event once while one app process is killed and the
other is restarted with SIGTERM (a rolling restart).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from aiohttp_sse_demo.tasks import script
from contract import Incremental, Verdict, find_contract, run_suite
from tests.jobs.page import JobsPage
from tests.jobs.support import get_json, post_job
from tests.support.browser import chromium, new_context
from tests.support.nginx import nginx
from tests.support.serving import ServerProcess, server_process, start_demo

FULL_LOG = [(str(s.id), s.type, s.data) for s in script()]


@contextlib.asynccontextmanager
async def apps(
    tmp_path: Path, count: int, redis_url: str, *args: str
) -> AsyncIterator[list[ServerProcess]]:
    """``count`` app processes on ``redis_url``, each on a free port."""
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                start_demo(tmp_path / f"app{i}.log", "--broker", redis_url, *args)
            )
            for i in range(count)
        ]


async def test_the_contract_suite_passes_through_nginx(tmp_path: Path, redis_url: str) -> None:
    async with apps(tmp_path, 2, redis_url, "--interval", "0.2") as (a, b):
        with nginx(tmp_path / "nginx", [a.port, b.port]) as proxy:
            stream = await run_suite(proxy + "/stream")
            async with aiohttp.ClientSession() as session:
                job = await post_job(session, proxy, interval=0.2)
            # A job still running sends its events over time: at least its first three
            # bursts must come apart (a buffering proxy delivers them in one).
            live = replace(find_contract("jobs"), incremental=Incremental(bursts=3))
            events = await run_suite(proxy + job["events"], live)
            async with aiohttp.ClientSession() as session:
                async with session.get(proxy + "/metrics") as resp:
                    assert resp.status == 200
                status, snapshot = await get_json(session, f"{proxy}/jobs/{job['id']}")
    for report in (stream, events):
        verdicts = {r.rule: r.verdict for r in report.results}
        assert report.exit_code == 0, verdicts
        assert verdicts["incremental"] is Verdict.PASS, report.result("incremental").summary
        assert verdicts["resume"] is Verdict.SUPPORTED
    assert (status, snapshot["status"]) == (200, "succeeded")


@pytest.mark.browser
async def test_a_browser_through_nginx_across_a_killed_and_a_restarted_app(
    tmp_path: Path, redis_url: str
) -> None:
    """The job runs on a third process; the page is served by A and B, which go away."""
    args = ("--lease", "1", "--ping-interval", "1")
    async with (
        apps(tmp_path, 3, redis_url, *args) as (a, b, runner),
        aiohttp.ClientSession() as session,
        chromium() as browser,
    ):
        with nginx(tmp_path / "nginx", [a.port, b.port]) as proxy:
            job = await post_job(session, runner.url, interval=2)  # 8 s of work
            context = await new_context(browser)
            page = JobsPage(await context.new_page())
            await page.open_jobs(proxy, job["id"])
            await expect(page.rows).to_have_count(2, timeout=20_000)
            await expect(page.status).to_have_attribute("data-state", "streaming", timeout=20_000)

            a.signal(signal.SIGKILL)
            async with restarted(tmp_path / "a2.log", a.port, redis_url, *args):
                b.signal(signal.SIGTERM)  # a rolling restart: B ends its streams cleanly
                assert await b.wait_exit(10) == 0
                async with restarted(tmp_path / "b2.log", b.port, redis_url, *args):
                    await expect(page.status).to_have_attribute(
                        "data-state", "done", timeout=30_000
                    )
            assert await page.log() == FULL_LOG, "every event once, in order"
            assert await page.status.text_content() == "succeeded: api completed"
            assert page.page_errors == []
            # Chromium logs a stream cut by the kill (if A served it): nothing else.
            cut = "net::ERR_INCOMPLETE_CHUNKED_ENCODING"
            assert all(cut in e for e in page.console_errors), page.console_errors
            access = (tmp_path / "nginx" / "access.log").read_text()
            assert access.count(f"/jobs/{job['id']}/events") >= 2, "the page reconnected"


@contextlib.asynccontextmanager
async def restarted(
    log: Path, port: int, redis_url: str, *args: str
) -> AsyncIterator[ServerProcess]:
    """An app process started again on ``port``, as a supervisor would after a stop."""
    async with server_process(log, "--port", str(port), "--broker", redis_url, *args) as server:
        await server.wait_serving()
        yield server
