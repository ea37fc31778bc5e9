"""``python -m contract URL`` against servers that flood every response: each limit ends it in time
and within bounded memory, with a verdict that names the limit.

The suite runs as a subprocess, as a user runs it, and its peak RSS is the kernel's
high-water mark for that process after ``exec`` (``VmHWM``). The servers are in
tests/servers/floods.py; docs/contract.md ("Limits") quotes what these tests measure.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract import Limits
from contract.classify import Classifier, terminal_index
from contract.run.plan import expected_events, plan
from tests.contract.support import DEMO
from tests.paths import OPENAPI_DOCS
from tests.servers.floods import FLOODS, Served, serve_flood

pytestmark = pytest.mark.slow  # a few seconds each: the suite parses up to 84 MiB of flood

PEAK_MIB = 150
"""The most memory one run of the suite may take against any server, with the default limits."""
SLACK = 1.0
"""Seconds a recording may run past its time limit (the last read's parsing, the report)."""
STARTUP = 4.0
"""Seconds of the subprocess's wall time that are not the run: the interpreter and imports."""
GUARD = 20
"""--timeout for the tests of the size limits: a regression fails in seconds, not a minute."""
TIMEOUT = ("--timeout", str(GUARD))
DEFAULTS = Limits()


def demo_responses() -> int:
    """How many responses the demo contract records at once: the main stream and its probes."""
    ahead = expected_events(DEMO)
    assert ahead is not None
    return 1 + len(plan(DEMO, ahead, terminal_index(DEMO, Classifier(DEMO), ahead)))


@dataclass(frozen=True)
class Run:
    """One ``python -m contract URL --json`` subprocess: its outcome, wall time and peak RSS."""

    exit_code: int
    report: dict[str, Any]
    stderr: str
    seconds: float
    peak_mib: float

    def end(self) -> str:
        """What the ``end`` rule says the main recording got, as the report words it."""
        rule = next(r for r in self.report["rules"] if r["rule"] == "end")
        return str(rule["summary"])


_PEAK = """
import os, sys
from contract.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
with open(os.environ["FLOOD_PEAK_FILE"], "w") as out:
    out.write(peak)
sys.exit(code)
"""
"""``python -m contract`` that writes its own peak RSS (KiB, VmHWM) to a file at the end.

The kernel's high-water mark of the process's memory after ``exec``: ``wait4``'s
``ru_maxrss`` would also count the forked pytest process the child started as."""


def run_contract(url: str, *args: str) -> Run:
    """Run the suite against ``url`` in a subprocess; its exit, report, time and peak RSS."""
    command = [sys.executable, "-c", _PEAK, url, "--json", *args]
    with tempfile.TemporaryDirectory() as folder:
        peak_file = os.path.join(folder, "peak")
        env = {**os.environ, "FLOOD_PEAK_FILE": peak_file}
        start = time.monotonic()
        done = subprocess.run(command, capture_output=True, timeout=120, env=env, check=False)
        seconds = time.monotonic() - start
        with open(peak_file) as peak:
            peak_mib = int(peak.read()) / 1024
    out, errors = done.stdout, done.stderr.decode(errors="replace")
    report = json.loads(out) if out.strip() else {}
    return Run(done.returncode, report, errors, seconds, peak_mib)


async def flood_run(name: str, *args: str) -> tuple[Run, Served]:
    """Serve the flood called ``name`` and run the suite against it."""
    async with serve_flood(FLOODS[name]) as served:
        run = await asyncio.to_thread(run_contract, served.url, *args)
    return run, served


def assert_bounded(run: Run, seconds: float) -> None:
    """Exit 1, no traceback, ``seconds`` of recording at most (plus slack), memory under bound."""
    assert run.exit_code == 1, run.stderr
    assert run.stderr == ""
    assert run.report["elapsed"] <= seconds + SLACK
    assert run.seconds <= seconds + SLACK + STARTUP
    assert 0 < run.peak_mib < PEAK_MIB  # 0: the process did not report its peak


def assert_all_flooded(served: Served, at_least: int) -> None:
    """Every response of the run (main stream and probes) was sent at least ``at_least`` bytes."""
    assert len(served.sent) == demo_responses()
    assert min(served.sent) >= at_least


async def test_tiny_events_stop_at_the_events_limit() -> None:
    run, served = await flood_run("events", *TIMEOUT)
    assert "actual limit: more than 100000 events received" in run.end()
    assert_bounded(run, GUARD)
    assert_all_flooded(served, 1 << 20)


async def test_comment_lines_stop_at_the_byte_limit() -> None:
    run, served = await flood_run("comments", *TIMEOUT)
    assert "actual limit: more than 4 MiB received" in run.end()
    framing = next(r for r in run.report["rules"] if r["rule"] == "framing")
    assert f"{DEFAULTS.max_bytes} bytes" in framing["summary"]
    assert_bounded(run, GUARD)
    assert_all_flooded(served, DEFAULTS.max_bytes)


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
async def test_a_compression_bomb_stops_at_the_byte_limit_once_decoded(coding: str) -> None:
    run, served = await flood_run(f"{coding}-bomb", *TIMEOUT)
    assert "actual limit: more than 4 MiB once decoded (" in run.end()
    assert f" bytes of {coding})" in run.end()
    framing = next(r for r in run.report["rules"] if r["rule"] == "framing")
    sizes = re.search(rf"{coding}: (\d+) bytes decoded to (\d+) bytes", framing["summary"])
    assert sizes is not None, framing["summary"]
    assert int(sizes[1]) < DEFAULTS.max_bytes // 16  # the bytes read before the limit
    assert int(sizes[2]) == DEFAULTS.max_bytes
    assert_bounded(run, GUARD)
    assert_all_flooded(served, 1)


async def test_data_lines_of_one_event_stop_at_the_event_size_limit() -> None:
    run, served = await flood_run("data-lines", *TIMEOUT)
    assert "actual limit: an event longer than 256 KiB" in run.end()
    assert_bounded(run, GUARD)
    assert_all_flooded(served, DEFAULTS.max_event_bytes)


async def test_a_chunk_size_of_2_to_the_48_then_a_flood_stops_at_the_events_limit() -> None:
    run, served = await flood_run("giant-chunk", *TIMEOUT)
    assert "actual limit: more than 100000 events received" in run.end()
    assert_bounded(run, GUARD)
    assert_all_flooded(served, 1 << 20)


async def test_the_widest_events_on_every_probe_at_once_stay_under_the_memory_bound() -> None:
    # Each event is just under 256 KiB and costs CPython 4 bytes per received byte:
    # the main stream stops at 4 MiB, each probe at what its comparison needs.
    run, served = await flood_run("wide-events", *TIMEOUT)
    assert "actual limit: more than 4 MiB received" in run.end()
    assert_bounded(run, GUARD)
    assert_all_flooded(served, DEFAULTS.max_event_bytes)


async def test_data_that_never_stops_arriving_stops_at_the_time_limit() -> None:
    # Every read completes at once, so only a clock checked between reads can stop it.
    run, _ = await flood_run("comments", "--timeout", "2", "--max-bytes", str(1 << 40))
    assert "actual timeout: still open after 2 s (total time limit)" in run.end()
    assert_bounded(run, 2.0)


FEED = (
    'format = 1\nname = "feed"\n[kinds.tick]\n[sequence]\npattern = "tick*"\n'
    '[resume]\nfrom = "all"\ntolerate = ["", "abc"]\n'
)
"""Kinds mode: the probes resume from the ids the main stream recorded, after it."""


async def test_probes_after_a_flooded_main_stream_share_its_limits(tmp_path: Path) -> None:
    (tmp_path / "feed.toml").write_text(FEED)
    run, served = await flood_run("id-events", "--contract", str(tmp_path / "feed.toml"), *TIMEOUT)
    assert "limit: more than 100000 events received" in run.end()
    assert_bounded(run, 2 * GUARD)
    # 20 positions spread over the ids, the last id (done), 2 values to tolerate.
    assert len(served.sent) == 1 + 20 + 1 + 2
    # Compared as far as recorded: the server ignores positions, and the report says so.
    verdicts = {r["rule"]: r["verdict"] for r in run.report["rules"]}
    assert verdicts["resume"] == verdicts["done"] == "NOT SUPPORTED"


@pytest.mark.parametrize("name", ["comments", "wide-events"])
async def test_probes_after_a_main_stream_without_ids_are_bounded_too(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "feed.toml").write_text(FEED)
    run, served = await flood_run(name, "--contract", str(tmp_path / "feed.toml"), *TIMEOUT)
    assert "limit: more than 4 MiB received" in run.end()
    assert_bounded(run, 2 * GUARD)
    assert len(served.sent) == 1 + 2  # no id to resume from: the values to tolerate


# -- the resume fuzzer and the OpenAPI path go through the same client ----------------------

FUZZ = ("--fuzz-resume", "50", "--seed", "0")
RESUME_FLOODS = {
    "events": "then limit: more than 12 events received",
    "comments": "then limit: more than 4 MiB received",
    "wide-events": "then limit: more than 4396 characters of events (all the comparison needs)",
}
"""Floods of every reconnection, and how the fuzzer's connection into each one ended: at the
events or characters a probe keeps (the 11 events of the reference, and one more), or bytes."""


async def fuzz_run(name: str, *args: str) -> tuple[Run, Served, dict[str, Any]]:
    """The demo's contract fuzzed against a server that floods every request with a position."""
    async with serve_flood(FLOODS[name], resumed_only=True) as served:
        run = await asyncio.to_thread(run_contract, served.url, *FUZZ, *args)
    resume = next(r for r in run.report["rules"] if r["rule"] == "resume")
    return run, served, resume


def assert_stopped_at_the_first_limit(served: Served, resume: dict[str, Any]) -> None:
    """The fuzzer's verdict names its plan, and the search stopped at the limit: the probes'
    floods (all but the terminal id's, which gets 204) and one of the fuzzer's, no more."""
    assert resume["verdict"] == "BROKEN"
    assert resume["summary"].startswith("fuzzed: request ")
    assert re.fullmatch(
        r"plan \d+ of 50 failed after [\d.]+ s, at a limit: not shrunk "
        r"\(each try would wait for a limit again\):",
        resume["details"][0],
    )
    assert served.flooded == demo_responses() - 2 + 1


@pytest.mark.parametrize("name", list(RESUME_FLOODS))
async def test_the_resume_fuzzer_stops_at_the_first_connection_a_limit_ends(name: str) -> None:
    run, served, resume = await fuzz_run(name, *TIMEOUT)
    assert_stopped_at_the_first_limit(served, resume)
    failing_step = next(line for line in resume["details"] if "  <- " in line)
    assert RESUME_FLOODS[name] in failing_step
    # The suite's own rounds took at most the time limit, the fuzzer one connection's limits.
    assert_bounded(run, 2 * GUARD)


async def test_the_resume_fuzzer_stops_at_the_time_limit_of_a_flood_that_never_ends() -> None:
    run, served, resume = await fuzz_run("comments", "--timeout", "2", "--max-bytes", str(1 << 40))
    assert_stopped_at_the_first_limit(served, resume)
    assert "then timeout: still open after 2 s (total time limit)" in resume["summary"]
    assert_bounded(run, 2 * 2.0)


DEMO_DOCUMENT = str(OPENAPI_DOCS / "demo.yaml")
OPENAPI = ("--openapi", DEMO_DOCUMENT, "--operation", "streamDemo")
OPENAPI_FLOODS = {
    "events": "limit: more than 100000 events received",
    "comments": "limit: more than 4 MiB received",
    "data-lines": "limit: an event longer than 256 KiB",
    "giant-chunk": "limit: more than 100000 events received",
    "wide-events": "limit: more than 4 MiB received",
}


@pytest.mark.parametrize("name", list(OPENAPI_FLOODS))
async def test_an_openapi_document_alone_stops_each_flood_at_its_limit(name: str) -> None:
    run, served = await flood_run(name, *OPENAPI, *TIMEOUT)
    assert run.report["contract"] == "streamDemo (GET /stream), OpenAPI 3.2.0"
    assert f"actual {OPENAPI_FLOODS[name]}" in run.end()
    assert_bounded(run, GUARD)
    assert len(served.sent) == 1  # no resume in the document: the main stream only


async def test_an_openapi_document_alone_stops_at_the_time_limit() -> None:
    run, _ = await flood_run("comments", *OPENAPI, "--timeout", "2", "--max-bytes", str(1 << 40))
    assert "actual timeout: still open after 2 s (total time limit)" in run.end()
    assert_bounded(run, 2.0)


async def test_a_flood_of_distinct_misfits_is_judged_within_the_memory_bound() -> None:
    """Each event breaks the document's event schema: 50 are explained, the rest counted."""
    run, _ = await flood_run("misfit-events", *OPENAPI, *TIMEOUT)
    assert "actual limit: more than 4 MiB received" in run.end()
    data = next(r for r in run.report["rules"] if r["rule"] == "data")
    assert data["verdict"] == "FAIL"
    assert len(data["violations"]) == 51
    rest = data["violations"][-1]["actual"]
    assert rest.endswith(" more like these")
    assert int(rest.split()[0]) > 80_000  # every recorded event misfits: 4 MiB of them
    assert run.exit_code == 1, run.stderr
    assert run.stderr == ""
    assert 0 < run.peak_mib < PEAK_MIB
