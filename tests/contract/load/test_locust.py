"""The Locust user (``contract/load/locust_user.py``): Locust headless, a master and two
workers, every stream judged by the core rules and reported per rule in Locust's CSV stats.

Locust patches the standard library for gevent when imported, so it runs in processes of
its own, never in this one.
"""

from __future__ import annotations

import asyncio
import csv
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from contract import CORE_RULES
from tests.servers.crowded import lossy_app
from tests.support.serving import HOST, serve_app, start_demo

LOCUSTFILE = "from contract.load.locust_user import SSEContractUser  # noqa: F401\n"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def locust(folder: Path, *args: str, log: str) -> subprocess.Popen[bytes]:
    with (folder / log).open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(folder / "locustfile.py"), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=folder,
        )


def stats(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (folder / "run_stats.csv").open(encoding="utf-8") as file:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(file)}


async def run_locust(folder: Path, url: str, users: int, workers: int) -> int:
    """Locust headless for 4 s; its exit status (1 when any request failed)."""
    (folder / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
    common = ["--headless", "-u", str(users), "-r", str(users), "-t", "4s", "--host", url]
    common += ["--csv", str(folder / "run"), "--stop-timeout", "2"]
    if not workers:
        processes = [locust(folder, *common, log="locust.log")]
    else:
        port = str(free_port())
        master = ["--master", "--expect-workers", str(workers), "--master-bind-host", HOST]
        processes = [locust(folder, *common, *master, "--master-bind-port", port, log="master.log")]
        for index in range(workers):
            worker = ["--worker", "--master-host", HOST, "--master-port", port]
            processes.append(locust(folder, *worker, log=f"worker{index}.log"))
    try:
        codes = [await asyncio.to_thread(p.wait, 60) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    return codes[0]


async def test_locust_with_a_master_and_two_workers_judges_every_demo_stream(
    tmp_path: Path,
) -> None:
    async with start_demo(tmp_path / "demo.log", "--interval", "0.05") as demo:
        code = await run_locust(tmp_path, f"{demo.url}/stream", users=10, workers=2)
    found = stats(tmp_path)
    assert code == 0, (tmp_path / "master.log").read_text()
    streams = int(found["SSE", "stream"]["Request Count"])
    assert streams >= 10
    first = found["SSE", "first event"]
    assert (int(first["Request Count"]), int(first["Failure Count"])) == (streams, 0)
    assert 0 < float(first["50%"]) < 1000
    for rule in CORE_RULES:
        row = found["rule", rule]
        assert (int(row["Request Count"]), int(row["Failure Count"])) == (streams, 0), rule
    master = (tmp_path / "master.log").read_text()
    assert "2 workers connected" in master
    assert "Sending spawn jobs of 10 users at 10.00 spawn rate to 2 ready workers" in master


async def test_locust_reports_the_crowded_loss_as_failures_of_its_rules(tmp_path: Path) -> None:
    async with serve_app(lossy_app(0.05)) as running:
        code = await run_locust(tmp_path, f"{running.url}/stream", users=40, workers=0)
    found = stats(tmp_path)
    assert code == 1
    assert int(found["rule", "events"]["Failure Count"]) > 0
    assert int(found["rule", "ids"]["Failure Count"]) > 0
    assert int(found["rule", "head"]["Failure Count"]) == 0
    with (tmp_path / "run_failures.csv").open(encoding="utf-8") as file:
        errors = [row["Error"] for row in csv.DictReader(file) if row["Name"] == "events"]
    assert any("id='5' start: 'function2 started'" in error for error in errors), errors
