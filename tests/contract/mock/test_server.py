"""``python -m contract mock``: the request it answers (404 and 405 otherwise), positions by
header or query, the same stream from two processes with one seed, the suite's verdict on it
from the command line, bad input (exit 2, one line), and a clean end on SIGINT and SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from contract import Event, EventParser, load_contract
from contract.cli import main
from contract.mock.replies import Mock
from contract.mock.server import create_mock_app
from tests.paths import CONTRACTS
from tests.support.serving import ServerProcess, serve_app, server_process

SCRIPT = CONTRACTS / "script.toml"
TOKENS = CONTRACTS / "tokens.toml"


async def _get(
    session: aiohttp.ClientSession, method: str, url: str, **headers: str
) -> tuple[int, dict[str, str], list[Event]]:
    parser = EventParser()
    async with session.request(method, url, headers=headers) as response:
        body = await response.read()
        return response.status, dict(response.headers), parser.feed(body) + parser.close()


async def test_the_contracts_request_gets_the_stream_and_no_other() -> None:
    mock = Mock(load_contract(TOKENS), seed=4)
    assert mock.stream.events is not None
    whole = [Event(e.type, e.data, e.id) for e in mock.stream.events]
    async with serve_app(create_mock_app(mock)) as running, aiohttp.ClientSession() as session:
        url = running.url + "/v1/tokens"
        status, headers, events = await _get(session, "POST", url)
        assert (status, events) == (200, whole)
        assert headers["Content-Type"].lower().startswith("text/event-stream")
        status, headers, _ = await _get(session, "GET", url)
        assert (status, headers["Allow"]) == (405, "POST")
        assert (await _get(session, "POST", running.url + "/v1/other"))[0] == 404
        second = whole[1].last_event_id
        by_header = await _get(session, "POST", url, **{"Last-Event-ID": second})
        by_query = await _get(session, "POST", f"{url}?last_event_id={second}")
        assert by_header[2] == by_query[2] == whole[2:]
        assert (await _get(session, "POST", url, **{"Last-Event-ID": "nope"}))[2] == whole
        done = await _get(session, "POST", url, **{"Last-Event-ID": whole[-1].last_event_id})
        assert done[0] == 204


async def test_a_stream_that_never_ends_ends_when_the_server_stops() -> None:
    feed = load_contract(CONTRACTS / "feed.toml")
    running_context = serve_app(create_mock_app(Mock(feed, seed=1)), shutdown_timeout=5.0)
    async with running_context as running, aiohttp.ClientSession() as session:
        response = await session.get(running.url + "/feed")
        assert (await response.content.readany()) != b""
        stopping = asyncio.create_task(running.runner.cleanup())
        await asyncio.wait_for(response.read(), 10)  # the body ends: no timeout
        assert response.content.at_eof()
        await stopping
        response.close()


@asynccontextmanager
async def _cli_mock(log: Path, *args: str) -> AsyncIterator[ServerProcess]:
    command = ("mock", *args, "--port", "0")
    async with server_process(log, *command, module="contract") as server:
        await server.wait_serving()
        yield server


async def _body_events(url: str) -> list[Event]:
    async with aiohttp.ClientSession() as session:
        return (await _get(session, "POST", url))[2]


async def test_one_seed_serves_the_same_stream_and_a_signal_ends_each_cleanly(
    tmp_path: Path,
) -> None:
    # Two processes of the same command: Hypothesis also draws constants of the local modules
    # a process has imported, so this test's process (which imports the tests) may draw other
    # data from the same seed.
    async with (
        _cli_mock(tmp_path / "first.log", str(TOKENS), "--seed", "9") as first,
        _cli_mock(tmp_path / "second.log", str(TOKENS), "--seed", "9") as second,
    ):
        streams = [await _body_events(s.url + "/v1/tokens") for s in (first, second)]
        assert streams[0] == streams[1]
        assert len(streams[0]) >= 4
        async with aiohttp.ClientSession() as session:
            for server, signum in ((first, signal.SIGINT), (second, signal.SIGTERM)):
                # A stream is open (the quiet spell of [keepalive] comes first): it ends too.
                response = await session.post(server.url + "/v1/tokens")
                server.signal(signum)
                assert await server.wait_exit(10) == 0
                await asyncio.wait_for(response.read(), 10)
                response.close()
        for server in (first, second):
            log = server.log_text()
            assert "Traceback" not in log
            assert log.startswith(f"serving on {server.url}/v1/tokens (POST): a mock of 'tokens'")


@pytest.mark.parametrize(("rule", "status"), [(None, 0), ("events", 1), ("done", 1)])
async def test_the_suite_on_the_command_line_passes_the_mock_or_fails_its_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str | None, status: int
) -> None:
    breaking = ("--break", rule) if rule else ()
    async with _cli_mock(tmp_path / "mock.log", str(SCRIPT), *breaking) as server:
        code = await asyncio.to_thread(main, [server.url + "/", "--contract", str(SCRIPT)])
    out = capsys.readouterr().out
    assert code == status, out
    failing = [line.split()[1] for line in out.splitlines() if line.startswith(("FAIL ", "BROKEN"))]
    assert failing == ([rule] if rule else [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.toml"], "nope.toml: cannot read"),
        (["demo", "--break", "data"], "cannot break data alone: exact mode compares data"),
        (["openai-chat", "--keepalive", "1"], "--keepalive: the contract has no [keepalive]"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", *args, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m contract mock: error: ")
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "args", [["demo", "--break", "speed"], ["demo", "--port", "70000"], ["demo", "--seed", "-1"]]
)
def test_bad_flags_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["mock", *args])
    assert stopped.value.code == 2
    assert "python -m contract mock: error: argument" in capsys.readouterr().err


def test_the_help_names_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["mock", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "head, events, data, ids, end, incremental, framing, resume, done, tolerant, keepalive"
        in out
    )
