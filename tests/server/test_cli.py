"""``python -m aiohttp_sse_demo``: help, bad values, environment, a real start and stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from aiohttp_sse_demo import __main__ as cli
from aiohttp_sse_demo.__main__ import build_parser, main
from aiohttp_sse_demo.settings import Settings
from tests.conftest import Refused
from tests.support.serving import read_events, start_demo


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--host", "--port", "--interval", "--max-streams", "--send-timeout", "SSE_DEMO_"):
        assert flag in out
    assert "(default: 5.0)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "abc"], "port must be an integer, got 'abc'"),
        (["--port", "70000"], "port must be between 0 and 65535, got 70000"),
        (["--interval", "-1"], "interval must be a finite number of seconds, 0 or more"),
        (["--interval", "nan"], "interval must be a finite number of seconds"),
        (["--interval", "soon"], "interval must be a number of seconds, got 'soon'"),
        (["--ping-interval", "0"], "ping_interval must be a finite number of seconds, more than 0"),
        (["--max-streams", "0"], "max_streams must be at least 1, got 0"),
        (["--log-level", "loud"], "invalid choice"),
        (["--nope"], "unrecognized arguments: --nope"),
    ],
)
def test_bad_flag_values_exit_2_with_a_clear_message(
    argv: list[str], message: str, refused: Refused
) -> None:
    assert message in refused(argv)


def test_bad_environment_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], environ={"SSE_DEMO_PORT": "eighty"}) == 2
    assert "environment: port must be an integer, got 'eighty'" in capsys.readouterr().err


def test_environment_sets_defaults_and_flags_win() -> None:
    env = {"SSE_DEMO_INTERVAL": "0.5", "SSE_DEMO_PORT": "9000", "SSE_DEMO_HOST": "0.0.0.0"}
    parser = build_parser(Settings.from_env(env))
    args = parser.parse_args(["--port", "9001"])
    assert (args.interval, args.port, args.host) == (0.5, 9001, "0.0.0.0")


def test_settings_without_a_flag_reach_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Settings] = []

    async def record(settings: Settings, *, reuse_port: bool = False) -> None:
        served.append(settings)

    monkeypatch.setattr(cli, "serve", record)
    env = {"SSE_DEMO_REAP_INTERVAL": "0.5", "SSE_DEMO_INTERVAL": "3"}
    assert main(["--interval", "2"], environ=env) == 0
    assert served == [Settings(interval=2.0, reap_interval=0.5)]


def test_log_level_default_comes_from_the_environ_argument(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"], environ={"SSE_DEMO_LOG_LEVEL": "warning"})
    assert "how much to log (default: WARNING)" in capsys.readouterr().out


def test_bad_log_level_in_the_environment_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "70000"], environ={"SSE_DEMO_LOG_LEVEL": "loud"}) == 2
    err = capsys.readouterr().err
    assert "environment: log_level must be one of DEBUG, INFO, WARNING, ERROR, got 'loud'" in err


async def test_serves_the_stream_and_the_page_then_stops_on_sigint(tmp_path: Path) -> None:
    async with (
        start_demo(tmp_path / "server.log", "--interval", "0") as server,
        aiohttp.ClientSession() as session,
    ):
        resp, events = await read_events(session, server.url + "/stream")
        assert resp.status == 200
        assert [e.last_event_id for e in events] == [str(i) for i in range(11)]
        async with session.get(server.url + "/") as page:
            assert page.status == 200
            assert "<title>" in await page.text()
        async with session.get(server.url + "/static/app.js") as script:
            assert script.status == 200
            assert "EventSource" in await script.text()
        server.signal(signal.SIGINT)
        assert await server.wait_exit(5) == 0
    assert "Traceback" not in server.log_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_with_open_streams_exits_within_2_s(
    signum: signal.Signals, tmp_path: Path
) -> None:
    async with (
        start_demo(tmp_path / "server.log", "--interval", "30") as server,
        aiohttp.ClientSession() as session,
    ):
        responses = [await session.get(server.url + "/stream") for _ in range(50)]
        for resp in responses:
            await resp.content.readany()
        start = time.monotonic()
        server.signal(signum)
        status = await server.wait_exit(10)
        took = time.monotonic() - start
        for resp in responses:
            await asyncio.wait_for(resp.content.read(), timeout=2)
            assert resp.content.at_eof()
    print(f"{signum.name} with 50 open streams: exited {status} after {took * 1000:.0f} ms")
    assert status == 0
    assert took < 2.0


async def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiohttp_sse_demo", "--port", str(port),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), timeout=15)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()
    assert b"Traceback" not in err
