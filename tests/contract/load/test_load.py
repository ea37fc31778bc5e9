"""``python -m contract URL --clients N``: every client's stream judged, against real servers.

The demo's ``/stream`` and a job's events under a thousand clients, a server that loses an
event only when crowded (caught with ``--clients``, missed by one client), connection
errors by kind, the ramp, ``--workers``, and the flags that do not go together.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aiohttp_sse_demo.stream import RETRY_AFTER_SECONDS
from contract import CORE_RULES, default_contract
from contract.cli import main
from contract.load.mode import run_load
from contract.load.runner import LoadPlan
from contract.run.options import Options
from tests.conftest import Serve
from tests.jobs.support import post_job
from tests.servers.crowded import lossy_app
from tests.support.serving import serve_app, start_demo

FAST = ["--timeout", "20", "--idle-timeout", "10", "--resume-from", "0,4,9"]


async def run_main(*args: str) -> int:
    """``main`` in a thread of its own: it runs an event loop, and the test's may serve."""
    return await asyncio.to_thread(main, [*args, *FAST])


def loaded(out: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(out)
    return document


@pytest.mark.slow
async def test_a_thousand_clients_of_the_demo_stream_each_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pauses long enough to show in every client's recording while one process reads a
    # thousand streams (at 0.05 s, a busy client reads two pauses' events in one go).
    async with start_demo(tmp_path / "demo.log", "--interval", "0.3") as demo:
        code = await run_main(f"{demo.url}/stream", "--clients", "1000", "--json")
    document = loaded(capsys.readouterr().out)
    load = document["load"]
    assert (code, load["clients"], load["passed"], load["failed"]) == (0, 1000, 1000, 0)
    assert load["failed_by_rule"] == dict.fromkeys(CORE_RULES, 0)
    assert load["events"] == load["judged"] == 11_000
    assert load["errors"] == {}
    first = load["first_event_ms"]
    assert 0 < first["p50"] <= first["p95"] <= first["p99"] <= first["max"]
    assert first["count"] == 1000
    verdicts = {rule["rule"]: rule["verdict"] for rule in document["rules"]}
    assert verdicts == {
        **dict.fromkeys(CORE_RULES, "PASS"),
        "resume": "SUPPORTED",
        "done": "SUPPORTED",
        "tolerant": "SUPPORTED",
        "keepalive": "PASS",
    }
    assert document["rules"][0]["summary"] == "1000 clients: status 200, text/event-stream"


@pytest.mark.slow
async def test_a_thousand_viewers_of_one_job_each_see_it_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with start_demo(tmp_path / "demo.log", "--interval", "0.5") as demo:
        async with aiohttp.ClientSession() as session:
            job = await post_job(session, demo.url, interval=0.4)
        url = f"{demo.url}/jobs/{job['id']}/events"
        code = await run_main(url, "--contract", "jobs", "--clients", "1000", "--json")
    load = loaded(capsys.readouterr().out)["load"]
    assert (code, load["clients"], load["passed"]) == (0, 1000, 1000)
    assert load["events"] == 11_000
    # The viewers joined while the job ran: its end came live, seconds after the first event.
    assert load["end_ms"]["p50"] > load["first_event_ms"]["p50"] + 500


async def test_an_event_lost_only_in_a_crowd_is_caught_by_clients_and_missed_by_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve_app(lossy_app(0.05)) as running:
        url = f"{running.url}/stream"
        assert await run_main(url) == 0
        capsys.readouterr()
        assert await run_main(url, "--clients", "60") == 1
    out = capsys.readouterr().out
    assert "FAIL           events      (core) " in out
    assert "of 60 clients: client " in out
    lost = "expected 1 more event(s) before event #6: id='5' start: 'function2 started'"
    assert f"{lost}; actual missing" in out
    lines = out.splitlines()
    load = lines.index(next(line for line in lines if line.startswith("LOAD: 60 clients")))
    assert "first failing clients:" in lines[load + 9]
    assert lines[load + 10].startswith("    client ")


async def test_connection_errors_are_counted_by_kind_with_retry_after(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    base = await serve(max_streams=25)
    assert await run_main(f"{base}/stream", "--clients", "40", "--json") == 1
    document = loaded(capsys.readouterr().out)
    load = document["load"]
    refused = load["errors"]["status 503"]
    assert refused >= 15  # the suite's own probes take some of the 25 streams too
    assert load["retry_after"] == {str(RETRY_AFTER_SECONDS): refused}
    assert load["failed_by_rule"]["head"] == refused
    head = document["rules"][0]
    assert head["summary"].startswith(f"{refused} of 40 clients: client ")
    assert "expected status 200; actual status 503" in head["summary"]


async def test_nothing_listening_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_main("http://127.0.0.1:9/stream", "--clients", "3") == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m contract: error: cannot reach http://127.0.0.1:9/stream")


async def test_the_ramp_spreads_the_starts_evenly(serve: Serve) -> None:
    base = await serve()
    options = Options(headers=())
    plan = LoadPlan(10, ramp=0.5)
    load = await run_load(f"{base}/stream", default_contract(), options, plan)
    assert load.summary is not None
    assert load.report.passed, load.report
    starts = [o.started for o in load.outcomes]
    assert [o.number for o in load.outcomes] == list(range(1, 11))
    # Never before its time (a busy machine may start it late, never early), in order.
    assert all(started >= plan.start_of(n) for n, started in enumerate(starts, 1)), starts
    assert starts == sorted(starts)


def test_every_kth_client_goes_to_each_worker() -> None:
    plan = LoadPlan(10, ramp=1.0, workers=3)
    assert [list(plan.numbers(k)) for k in range(3)] == [[1, 4, 7, 10], [2, 5, 8], [3, 6, 9]]
    assert plan.start_of(10) == 0.9


async def test_workers_run_every_client_and_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with start_demo(tmp_path / "demo.log", "--interval", "0.05") as demo:
        args = ("--clients", "40", "--workers", "2", "--json")
        code = await run_main(f"{demo.url}/stream", *args)
    load = loaded(capsys.readouterr().out)["load"]
    assert (code, load["clients"], load["passed"], load["workers"]) == (0, 40, 40, 2)
    assert len(load["cpu"]["per_process"]) == 3  # this process (the probes) and two workers
    assert load["first_event_ms"]["count"] == 40


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--ramp", "1"], "--ramp goes with --clients"),
        (["--html", "x.html"], "--html goes with --clients"),
        (["--clients", "2", "--workers", "3"], "--workers 3 is more than --clients 2"),
        (["--clients", "2", "--html", "/no/such/folder/x.html"], "no such folder"),
        (["--clients", "0"], "argument --clients: expected at least 1, got '0'"),
        (["--clients", "2", "--fuzz-resume"], "--fuzz-resume does not go with --clients"),
    ],
)
def test_load_flags_that_do_not_go_together_exit_2(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["http://127.0.0.1:9/stream", *args])
    assert exited.value.code == 2
    assert error in capsys.readouterr().err
