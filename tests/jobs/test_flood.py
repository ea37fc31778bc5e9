"""A flood of instant jobs cannot grow memory without bound (JOBS.md, "Limits that hold...").

``{"interval": 0}`` jobs finish at once, so ``--max-jobs`` does not slow their creation;
``--max-kept`` (10,000 by default) bounds what the store keeps.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.jobs.support import ADMIN, list_all
from tests.support.serving import start_demo

MIB = 1024 * 1024
FLOOD = 20_000
"""Twice the default ``--max-kept``; docs/benchmarks.md reports a run with 50,000."""


def rss(pid: int) -> int:
    """A process's resident memory in bytes (``VmRSS``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def flood(base: str, count: int, concurrency: int = 32) -> int:
    """``POST /jobs {"interval": 0}`` ``count`` times; how many got 201."""
    made = 0
    todo = iter(range(count))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal made
            for _ in todo:
                async with session.post(f"{base}/jobs", json={"interval": 0}) as resp:
                    await resp.read()
                    made += resp.status == 201

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return made


async def test_a_small_flood_keeps_max_kept_jobs(tmp_path: Path) -> None:
    args = ("--max-kept", "50", "--admin-token", ADMIN)
    async with start_demo(tmp_path / "server.log", *args) as server:
        assert await flood(server.url, 500) == 500
        async with aiohttp.ClientSession() as session:
            assert len(await list_all(session, server.url, "?limit=500")) == 50


@pytest.mark.slow
async def test_a_flood_of_instant_jobs_stays_under_150_mib(tmp_path: Path) -> None:
    async with start_demo(tmp_path / "server.log") as server:
        before = rss(server.pid)
        made = await flood(server.url, FLOOD)
        after = rss(server.pid)
        async with aiohttp.ClientSession() as session, session.get(server.url + "/metrics") as r:
            metrics = await r.text()
    print(f"\n{made} instant jobs: RSS {before / MIB:.1f} MiB before, {after / MIB:.1f} MiB after")
    assert made == FLOOD
    assert 'sse_demo_jobs{status="succeeded"} 10000.0' in metrics  # the default --max-kept
    assert after < 150 * MIB
