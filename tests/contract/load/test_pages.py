"""The load run as a page (``--html``), the pytest plugin's ``--sse-clients``, open files."""

from __future__ import annotations

import asyncio
import re
import resource
from pathlib import Path

import pytest

from contract.cli import main
from contract.load import openfiles
from tests.conftest import Serve
from tests.servers.crowded import CROWD, lossy_app
from tests.support.browser import RESULTS, chromium, new_context
from tests.support.serving import serve_app

pytest_plugins = ["pytester"]


async def write_page(base: str, page: Path, *more: str) -> int:
    args = [f"{base}/stream", "--clients", "60", "--html", str(page), "--resume-from", "0", *more]
    return await asyncio.to_thread(main, args)


async def test_the_page_is_self_contained_with_a_histogram_and_a_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "load.html"
    async with serve_app(lossy_app(0.05)) as running:
        assert await write_page(running.url, page) == 1
    html = page.read_text(encoding="utf-8")
    assert "</html>" in html
    assert re.findall(r"(?:src|href)=", html) == []  # nothing fetched: no script, no link
    assert "<script" not in html
    assert html.count("<svg") == 2
    assert 'aria-label="histogram"' in html
    assert 'aria-label="timeline"' in html
    assert "client 1</td><td>events</td>" in html
    assert "of 60 clients: client " in html
    assert capsys.readouterr().out.startswith("SSE contract suite: ")


@pytest.mark.browser
async def test_the_page_renders_in_chromium(tmp_path: Path) -> None:
    page_file = tmp_path / "load.html"
    async with serve_app(lossy_app(0.05)) as running:
        await write_page(running.url, page_file, "--ramp", "0.2")
    async with chromium() as browser:
        context = await new_context(browser)
        page = await context.new_page()
        await page.goto(page_file.as_uri())
        for label in ("histogram", "timeline"):
            box = await page.locator(f'svg[aria-label="{label}"]').bounding_box()
            assert box is not None
            assert box["width"] > 900
            assert box["height"] > 100
        bars = await page.locator('svg[aria-label="histogram"] rect').count()
        assert bars == 40
        assert await page.locator(".verdict.fail").first.is_visible()
        RESULTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=RESULTS / "load-report.png", full_page=True)


async def test_the_plugin_judges_every_client_with_sse_clients(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nsse_clients = 60\n")
    async with serve_app(lossy_app(0.05)) as running:
        args = ("-p", "no:cacheprovider", "--sse-url", f"{running.url}/stream", "-v")
        result = await asyncio.to_thread(pytester.runpytest_subprocess, *args, timeout=60)
    result.assert_outcomes(passed=9, failed=2)
    out = result.stdout.str()
    assert "sse-contract::events FAILED" in out
    assert re.search(r"FAIL events: \d+ of 60 clients: client \d+, listed #6", out)


async def test_one_run_of_the_plugin_misses_the_crowded_loss(
    pytester: pytest.Pytester, serve: Serve
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    async with serve_app(lossy_app(0.05)) as running:
        args = ("--sse-url", f"{running.url}/stream", "--sse-clients", str(CROWD - 29))
        result = await asyncio.to_thread(pytester.runpytest_subprocess, *args, timeout=60)
    result.assert_outcomes(passed=11)


def test_too_few_open_files_is_said_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    raised: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: raised.append(limits))
    assert openfiles.open_files_problem(3000) is None
    assert raised == [(3064, 4096)]
    assert openfiles.open_files_problem(10_000) == (
        "10000 clients need about 10064 open files in one process, and the limit is 4096 "
        "(ulimit -Hn): raise it, or spread the clients over more processes (--workers 3)"
    )
    assert openfiles.open_files_problem(10_000, processes=3) is None
