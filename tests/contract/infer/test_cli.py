"""``python -m contract infer``: the draft written where asked, credentials kept out of it,
bad input a clear error (exit 2), and a draft that does not hold never written silently."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from aiohttp import web

from contract import Event, encode, load_contract
from contract.cli import main
from tests.servers.scripted import Reply, serve_app
from tests.servers.variants import REFRAMINGS

INTERVAL = 0.03
EVENTS = [Event("token", "alpha"), Event("token", "beta"), Event("done", "[DONE]")]
NAME = "python -m contract infer"


def tokens(request: web.Request) -> Reply:
    """A short stream without ids (so no resume probes): two tokens, then done."""
    return Reply([INTERVAL, encode(EVENTS, with_ids=False)])


async def run(args: list[str]) -> int:
    return await asyncio.to_thread(main, ["infer", *args])


async def test_the_draft_goes_to_the_file_and_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "draft.toml"
    async with serve_app(tokens) as base:
        assert await run([base + "/stream", "--samples", "2", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"written to {out}" in captured.err
    assert "the draft holds against the server" in captured.err
    contract = load_contract(out)
    assert contract.sequence is not None
    assert contract.sequence.pattern == "token+ done"
    assert contract.request.url == "/stream"


async def test_the_draft_goes_to_stdout_with_credentials_as_placeholders(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve_app(tokens) as base:
        args = [base + "/stream", "-H", "Authorization: Bearer s3cret", "-H", "X-Trace: t1"]
        assert await run(args) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Drafted by `python -m contract infer` from 3 sample(s)")
    assert "s3cret" not in captured.out
    assert 'Authorization = "Bearer ${AUTHORIZATION}"' in captured.out
    assert 'X-Trace = "t1"' in captured.out
    assert "Authorization: set AUTHORIZATION to run the suite" in captured.err


async def test_the_request_of_a_contract_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFER_TOKEN", "t0k")
    seen: list[str | None] = []

    def checked(request: web.Request) -> Reply:
        seen.append(request.headers.get("X-Token"))
        return tokens(request)

    file = tmp_path / "request.toml"
    file.write_text(
        'format = 1\nname = "tokens"\n[request]\nurl = "/stream"\n'
        'headers = { X-Token = "${INFER_TOKEN}" }\n[limits]\nseconds = 5\n'
    )
    async with serve_app(checked) as base:
        assert await run([base + "/", "--contract", str(file), "--samples", "1"]) == 0
    out = capsys.readouterr().out
    assert set(seen) == {"t0k"}
    assert 'name = "tokens"' in out
    assert 'X-Token = "${INFER_TOKEN}"' in out
    assert "seconds = 5" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('format = 1\n[kinds.x]\ntype = "x"\n', "kinds: infer reads only [request] and [limits]"),
        ('format = 1\n[request]\nmethd = "GET"\n', "request.methd: unknown key"),
        ("format = 2\n", "format: expected format = 1, got 2"),
        ("format = [", "not valid TOML"),
    ],
)
def test_a_contract_file_with_more_than_a_request_is_refused(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "more.toml"
    file.write_text(text)
    assert main(["infer", "http://127.0.0.1:9/", "--contract", str(file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{NAME}: error: {file}: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://x/"], "not an http(s) URL"),
        (["http://x/", "--samples", "0"], "expected at least 1"),
        (["http://x/", "--seconds", "-1"], "expected seconds above 0"),
        (["http://x/", "--data", "@/nonexistent/body.json"], "cannot read /nonexistent/body.json"),
        (["http://x/", "--contract", "f.toml", "-H", "A: b"], "--contract gives the request"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["infer", *args])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_data_that_is_not_json_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["infer", "http://127.0.0.1:9/", "--data", "{oops"]) == 2
    assert capsys.readouterr().err.startswith(f"{NAME}: error: --data: not JSON")


def test_an_unset_variable_stops_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFER_UNSET", raising=False)
    file = tmp_path / "request.toml"
    file.write_text('format = 1\n[request]\nheaders = { A = "${INFER_UNSET}" }\n')
    assert main(["infer", "http://127.0.0.1:9/", "--contract", str(file)]) == 2
    assert "environment variable INFER_UNSET is not set" in capsys.readouterr().err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_nothing_listening_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["infer", f"http://127.0.0.1:{_closed_port()}/stream"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{NAME}: error: cannot reach http://127.0.0.1:")
    assert "Traceback" not in err


async def test_an_endpoint_that_is_no_stream_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    def missing(request: web.Request) -> Reply:
        return Reply([b"no such thing"], 404, {"Content-Type": "text/plain"})

    async with serve_app(missing) as base:
        assert await run([base + "/stream"]) == 2
    assert "sample 1: status 404, not a stream" in capsys.readouterr().err


async def test_a_draft_that_does_not_hold_is_not_written_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every fourth request gets another stream: each run's three samples do not show it,
    # the suite's run of the draft (the fourth request) does.
    answered: list[int] = []

    def changing(request: web.Request) -> Reply:
        answered.append(1)
        if len(answered) % 4 == 0:
            return Reply([encode([Event("thinking", "hmm"), *EVENTS], with_ids=False)])
        return tokens(request)

    out = tmp_path / "draft.toml"
    async with serve_app(changing) as base:
        assert await run([base + "/stream", "--out", str(out)]) == 1
        assert not out.exists()
        err = capsys.readouterr().err
        assert f"{NAME}: the draft does not hold against the server:" in err
        assert "the check run: events FAIL" in err
        assert "nothing written (--force writes it anyway)" in err
        assert await run([base + "/stream", "--out", str(out), "--force"]) == 1
    text = out.read_text()
    assert text.startswith("# WARNING: this draft does not hold against the server it came from:")
    assert "DOES NOT HOLD" in capsys.readouterr().err


async def test_a_stream_with_ids_is_probed_and_resume_drafted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A server that ignores Last-Event-ID: [resume] with nothing required.
    async with serve_app(REFRAMINGS["lf"](INTERVAL)) as base:
        assert await run([base + "/stream"]) == 0
    out = capsys.readouterr().out
    assert '[resume]\nfrom = "all"\nafter_end = 204\nrequired = []\n' in out
    assert "# ?last_event_id= ignored: the whole stream again" in out
