"""The load mode's costs, side by side in one run: ``python -m benchmarks load``.

1. Judging: ``evaluate`` on the judging benchmark's recordings, each fit checked by
   jsonschema-rs (now) and by ``jsonschema`` alone (before), in alternating rounds.
2. Under load: the client's CPU per judged event (``--clients``: receive, record, judge)
   against the benchmark load generator's CPU per received event, on the same streams of
   the same server (the demo at interval 0 pinned to one core, the clients to the other),
   all N clients at once, in alternating rounds, on asyncio's event loop for both.

Medians of the rounds; CPU time of this process only (``time.process_time``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import contract.classify.fits
import contract.match.fastschema
from contract import evaluate
from contract.load.runner import LoadPlan, run_clients
from contract.run.options import Options
from contract.spec.shipped import default_contract

from .judge_bench import contract as bench_contract
from .judge_bench import recordings
from .rawhttp import build_request
from .server.loadgen import StreamClient, count_separators

SERVING = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")


@contextlib.contextmanager
def jsonschema_only() -> Iterator[None]:
    """Every fit checked by ``jsonschema`` alone, as before jsonschema-rs."""
    real = contract.match.fastschema.fast_check

    def slow(schema: Any, check: Callable[[Any], bool]) -> tuple[Callable[[Any], bool], str]:
        return check, "benchmark: jsonschema alone"

    def none(schema: Any) -> tuple[None, str]:
        return None, "benchmark: jsonschema alone"

    real_rs = contract.match.fastschema.rs_validator
    setattr(contract.classify.fits, "fast_check", slow)  # noqa: B010 (not exported)
    setattr(contract.classify.fits, "rs_validator", none)  # noqa: B010
    try:
        yield
    finally:
        setattr(contract.classify.fits, "fast_check", real)  # noqa: B010
        setattr(contract.classify.fits, "rs_validator", real_rs)  # noqa: B010


def judging(size: int, rounds: int) -> dict[str, list[float]]:
    """Events judged per CPU-second, main stream only, with jsonschema-rs and without."""
    judged = bench_contract()
    rec = recordings(judged, size, probes=False)
    rates: dict[str, list[float]] = {"jsonschema (before)": [], "jsonschema-rs (now)": []}
    for _ in range(rounds):
        for label, found in rates.items():
            before = label.startswith("jsonschema (")
            with jsonschema_only() if before else contextlib.nullcontext():
                gc.collect()
                gc.freeze()
                start = time.process_time()
                results = evaluate(judged, rec)
                seconds = time.process_time() - start
                gc.unfreeze()
            assert not any(r.failed for r in results), label
            found.append(size / seconds)
    return rates


async def loadgen_streams(port: int, clients: int) -> tuple[float, int]:
    """The benchmark load generator: ``clients`` streams at once; CPU seconds, events."""
    loop = asyncio.get_running_loop()
    request = build_request("127.0.0.1", port)
    done_clients: list[StreamClient] = []

    async def one() -> None:
        client = StreamClient(request, loop.create_future())
        await loop.create_connection(lambda: client, "127.0.0.1", port)
        await client.done
        done_clients.append(client)

    start = time.process_time()
    await asyncio.gather(*(one() for _ in range(clients)))
    seconds = time.process_time() - start
    events = sum(count_separators(c.body) for c in done_clients)
    return seconds, events


async def load_streams(port: int, clients: int) -> tuple[float, int]:
    """``--clients``: every stream recorded and judged; CPU seconds, events judged."""
    url = f"http://127.0.0.1:{port}/stream"
    plan = LoadPlan(clients)
    start = time.process_time()
    outcomes = await run_clients(
        url, default_contract(), Options(), plan, range(1, clients + 1), began=time.monotonic()
    )
    seconds = time.process_time() - start
    assert all(o.error is None and o.events == 11 for o in outcomes)
    return seconds, sum(o.events for o in outcomes)


@contextlib.contextmanager
def demo_server(log: Path) -> Iterator[int]:
    """The demo at interval 0 on CPU 0 (when the machine has two); its port."""
    pin = ["taskset", "-c", "0"] if (os.cpu_count() or 1) > 1 else []
    args = [sys.executable, "-m", "aiohttp_sse_demo", "--port", "0", "--interval", "0"]
    with log.open("wb") as out:
        proc = subprocess.Popen([*pin, *args, "--max-streams", "100000"], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 20
        while not (match := SERVING.search(log.read_bytes())):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text())
            time.sleep(0.05)
        yield int(match[1])
    finally:
        proc.terminate()
        proc.wait(10)


def under_load(clients: int, rounds: int, log: Path) -> dict[str, list[float]]:
    """CPU microseconds per event, load generator and ``--clients``, alternating rounds."""
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    per_event: dict[str, list[float]] = {"load generator": [], "--clients": []}
    with demo_server(log) as port:
        asyncio.run(load_streams(port, 50))  # warm: imports, the first connections
        for _ in range(rounds):
            for label, run in (("load generator", loadgen_streams), ("--clients", load_streams)):
                seconds, events = asyncio.run(run(port, clients))
                per_event[label].append(seconds / events * 1e6)
    return per_event


def table(title: str, rows: dict[str, list[float]], unit: str) -> list[str]:
    """A markdown table: median and range of each row."""
    lines = [f"| {title} | median {unit} | range | rounds |", "|---|---:|---|---:|"]
    for label, values in rows.items():
        lines.append(
            f"| {label} | {statistics.median(values):,.1f} | {min(values):,.1f}-"
            f"{max(values):,.1f} | {len(values)} |"
        )
    return lines


def report(events: int, clients: int, rounds: int) -> str:
    """Both measures: their tables and ratios, as markdown."""
    rates = judging(events, rounds)
    before, now = (statistics.median(v) for v in rates.values())
    lines = table(f"judging {events:,} events", rates, "events/s")
    lines += ["", f"judging, jsonschema-rs / jsonschema alone: {now / before:.1f}x", ""]
    with tempfile.TemporaryDirectory() as folder:
        cpu = under_load(clients, rounds, Path(folder) / "demo.log")
    lines += table(f"{clients:,} clients at once", cpu, "CPU us/event")
    receive, judge = (statistics.median(v) for v in cpu.values())
    lines += ["", f"CPU per judged event / per received event: {judge / receive:.2f}x"]
    return "\n".join(lines)
