"""``python -m contract URL``: the report, the exit status (0/1/2), ``--json`` and ``--require``."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys

import pytest

from contract import CORE_RULES, EXTENSIONS
from contract.cli import main
from tests.conftest import Serve
from tests.contract.support import CORE_EVENTS
from tests.servers import fastapi_app
from tests.servers.scripted import Reply, frame_steps, serve_app
from tests.servers.uvicorn_thread import uvicorn_thread

FAST = ["--timeout", "10", "--idle-timeout", "3", "--close-grace", "0.3", "--resume-from", "0,4,9"]


async def run_main(*args: str) -> int:
    """``main`` in a thread of its own: it runs an event loop, and the test's serves the app."""
    return await asyncio.to_thread(main, [*args, *FAST])


async def test_a_passing_server_exits_0_with_one_line_per_rule(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    base = await serve()
    assert await run_main(base + "/stream") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"SSE contract suite: {base}/stream (contract: demo /stream)"
    for rule in CORE_RULES:
        assert any(line.startswith("PASS") and f" {rule} " in line for line in lines), rule
    for rule in ("resume", "done", "tolerant"):
        assert any(line.startswith("SUPPORTED") and f" {rule} " in line for line in lines), rule
    assert any(line.startswith("PASS ") and " keepalive " in line for line in lines)
    assert lines[-1].startswith("PASSED: core 7/7 passed; extensions: 3 supported, 1 pass;")


async def test_a_violation_exits_1_and_names_expected_and_actual(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve_app(lambda request: Reply(frame_steps(CORE_EVENTS[:-1], 0.05))) as base:
        assert await run_main(base + "/stream") == 1
    out = capsys.readouterr().out
    assert (
        "FAIL           events      (core) listed #11: expected 1 more event(s) at the end" in out
    )
    assert "FAIL           end         (core) expected the last listed event" in out
    assert out.splitlines()[-1].startswith("FAILED (events, end): core 5/7 passed")


async def test_json_report(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    base = await serve()
    assert await run_main(base + "/stream", "--json", "--require", "resume,done") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"url", "contract", "passed", "exit_code", "error", "elapsed", "rules"}
    assert data["passed"] is True
    assert [rule["rule"] for rule in data["rules"]] == [*CORE_RULES, *EXTENSIONS]
    resume = data["rules"][len(CORE_RULES)]
    assert resume == {
        "rule": "resume",
        "kind": "extension",
        "verdict": "SUPPORTED",
        "required": True,
        "failed": False,
        "summary": "Last-Event-ID from 3 position(s) (0, 4, 9): each continues right after it",
        "violations": [],
        "details": [],
    }


async def test_require_turns_not_supported_into_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with uvicorn_thread(fastapi_app.create_app(interval=0.05)) as base:
        assert await run_main(base + "/stream") == 0
        assert "NOT SUPPORTED  resume" in capsys.readouterr().out
        assert await run_main(base + "/stream", "--require", "all", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    failed = {rule["rule"] for rule in data["rules"] if rule["failed"]}
    assert failed == {"resume", "done", "tolerant"}, "keepalive has nothing to judge: it passes"
    assert all(rule["required"] for rule in data["rules"] if rule["kind"] == "extension")


def free_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_nothing_listening_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/stream"
    assert await run_main(url) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"python -m contract: error: cannot reach {url}: ")
    assert len(captured.err.splitlines()) == 1


async def test_nothing_listening_in_json_still_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_main(f"http://127.0.0.1:{free_port()}/stream", "--json") == 2
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 2
    assert data["error"].startswith("cannot reach")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example.org/stream"], "not an http(s) URL"),
        (["stream"], "not an http(s) URL"),
        (["http://127.0.0.1:99999/stream"], "bad port"),
        (["http://x/stream", "--require", "resume,teleport"], "unknown extension teleport"),
        (["http://x/stream", "--timeout", "0"], "expected seconds above 0"),
        (["http://x/stream", "--resume-from", "3,,4"], "expected ids such as 0,4,9"),
        (["http://x/stream", "--max-events", "0"], "expected at least 1"),
        (["http://x/stream", "-H", "no colon"], "expected 'Name: value'"),
        ([], "the following arguments are required: url"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_help_documents_the_extensions_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in EXTENSIONS:
        assert f"  {name} " in out
    assert "exit status: 0" in out


async def test_python_dash_m_contract_in_a_real_process(serve: Serve) -> None:
    base = await serve()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "contract",
        base + "/stream",
        *FAST,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out.decode().splitlines()[-1].startswith("PASSED: core 7/7 passed")
    assert err == b""


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ([f"http://127.0.0.1:{free_port()}/stream", "--json"], 2),
        (["validate", "demo", "feed"], 0),
    ],
    ids=["check", "validate"],
)
def test_a_reader_that_leaves_early_gets_no_traceback(args: list[str], status: int) -> None:
    """``python -m contract ... | head -1``: the pipe closes before the output is out."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "contract", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == status, done.stderr.decode()
    assert b"Traceback" not in done.stderr
