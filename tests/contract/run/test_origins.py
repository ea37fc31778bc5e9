"""Secrets stay home: header values from ``${NAME}`` and ``-H`` go only to the origin the suite
was given and the origins allowed with ``--allow-origin``; a request to any other origin (a
contract's absolute url, or a redirect) is refused, exit 2, for the main request, the probes
and the fuzzer alike. Two servers on 127.0.0.1, on two ports: two origins."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from contract.cli import main
from contract.run.target import origin
from tests.servers.resume_bugs import RESUME_BUGS, correct
from tests.servers.scripted import Reply, Responder, serve_app

TOKEN = "s3cret-token"
INTERVAL = 0.03
"""Seconds of work before ids 2, 3, 7 and 8 (the incremental rule wants to see them)."""
FAST = ("--timeout", "10", "--idle-timeout", "3", "--close-grace", "0.3")


@dataclass
class Server:
    """A server on 127.0.0.1 and the ``Authorization`` of each request it got."""

    base: str = ""
    seen: list[str | None] = field(default_factory=list)

    @property
    def stream(self) -> str:
        return self.base + "/stream"


@contextlib.asynccontextmanager
async def serving(respond: Callable[[web.Request], Reply]) -> AsyncIterator[Server]:
    server = Server()

    def recorded(request: web.Request) -> Reply:
        server.seen.append(request.headers.get("Authorization"))
        return respond(request)

    async with serve_app(recorded) as base:
        server.base = base
        yield server


def redirect_to(target: Server, when: Callable[[web.Request], bool] = lambda r: True) -> Responder:
    """Answer 307 to ``target``'s stream (keeping the query), or the demo's stream otherwise."""
    honest = correct(INTERVAL)

    def respond(request: web.Request) -> Reply:
        if when(request):
            location = target.stream + (f"?{request.query_string}" if request.query_string else "")
            return Reply(status=307, headers={"Location": location})
        return honest(request)

    return respond


def contract_file(tmp_path: Path, url: str = "") -> Path:
    """The demo's events, sent with ``Authorization: Bearer ${TRUST_TOKEN}``."""
    demo = Path(__file__).parents[3] / "contract" / "contracts" / "demo.toml"
    text = demo.read_text()
    request = '[request]\nheaders = { Authorization = "Bearer ${TRUST_TOKEN}" }\n'
    if url:
        request += f'url = "{url}"\n'
    path = tmp_path / "secret.toml"
    path.write_text(text.replace("\n[[events]]", "\n" + request + "\n[[events]]", 1))
    return path


async def run(*argv: str) -> int:
    return await asyncio.to_thread(main, [*argv, *FAST])


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUST_TOKEN", TOKEN)


def test_an_origin_is_scheme_host_and_port() -> None:
    assert origin("http://Example.COM/a?b") == "http://example.com:80"
    assert origin("https://example.com:443/") == "https://example.com:443"
    assert origin("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"


async def test_a_contract_url_on_another_origin_is_refused_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(correct(INTERVAL)) as home:
        file = contract_file(tmp_path, away.stream)
        assert await run(home.stream, "--contract", str(file)) == 2
    err = capsys.readouterr().err
    assert f"{file}: request.url: {away.stream} is another origin than the URL given" in err
    assert f"--allow-origin {away.base}" in err
    assert TOKEN not in err
    assert away.seen == home.seen == []


async def test_an_allowed_origin_gets_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(correct(INTERVAL)) as home:
        file = contract_file(tmp_path, away.stream)
        argv = [home.stream, "--contract", str(file), "--allow-origin", away.base]
        assert await run(*argv) == 0, capsys.readouterr()
    assert home.seen == []
    assert len(away.seen) > 10  # the main stream and its probes
    assert set(away.seen) == {f"Bearer {TOKEN}"}


async def test_a_redirect_to_another_origin_is_refused_for_the_main_stream_and_the_probes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away)) as home:
        assert await run(home.stream, "--contract", str(contract_file(tmp_path))) == 2
    err = capsys.readouterr().err
    assert f"{home.stream} redirects to {away.stream}, another origin than the URL given" in err
    assert "Authorization" in err
    assert f"--allow-origin {away.base}" in err
    assert TOKEN not in err
    assert away.seen == []
    assert set(home.seen) == {f"Bearer {TOKEN}"}


async def test_an_allowed_redirect_is_followed_with_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away)) as home:
        argv = [
            home.stream,
            "--contract",
            str(contract_file(tmp_path)),
            "--allow-origin",
            away.base,
        ]
        assert await run(*argv) == 0, capsys.readouterr()
    assert len(away.seen) == len(home.seen) > 10
    assert set(away.seen) == {f"Bearer {TOKEN}"}


async def test_a_header_from_the_command_line_is_kept_home_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away)) as home:
        assert await run(home.stream, "-H", f"Authorization: Bearer {TOKEN}") == 2
    assert "another origin than the URL given" in capsys.readouterr().err
    assert away.seen == []


async def test_without_secrets_a_redirect_anywhere_is_followed() -> None:
    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away)) as home:
        assert await run(home.stream) == 0
    assert len(away.seen) == len(home.seen) > 10
    assert set(away.seen) == {None}


async def test_the_fuzzer_is_refused_a_redirect_to_another_origin_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The probes resume from id 0 only: the fuzzer's reconnections from other ids are the
    # only requests that are redirected away.
    def fuzzed_only(request: web.Request) -> bool:
        value = request.headers.get("Last-Event-ID", "")
        return value in {str(n) for n in range(1, 10)}

    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away, fuzzed_only)) as home:
        argv = [home.stream, "-H", f"Authorization: Bearer {TOKEN}", "--resume-from", "0"]
        status = await run(*argv, "--require", "resume", "--fuzz-resume", "50", "--seed", "0")
    err = capsys.readouterr().err
    assert status == 2, err
    assert "redirects to" in err
    assert "another origin than the URL given" in err
    assert away.seen == []


@pytest.mark.parametrize("value", ["ftp://example.com", "http://example.com/path", "example.com"])
def test_allow_origin_takes_an_origin_only(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["http://127.0.0.1:9/stream", "--allow-origin", value])
    assert exited.value.code == 2
    assert "expected an origin such as https://api.example.com" in capsys.readouterr().err


async def test_the_fuzzer_s_replay_lines_leave_secrets_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serving(RESUME_BUGS["repeats-id-6"](0.0)) as home:
        argv = [home.stream, "-H", f"Authorization: Bearer {TOKEN}", "--resume-from", "0,4,9"]
        assert await run(*argv, "--fuzz-resume", "50", "--seed", "0") == 1
    out = capsys.readouterr().out
    assert "    replay by hand:\n      curl -sN " in out
    assert "-H 'Authorization: ...'" in out
    assert TOKEN not in out
    assert set(home.seen) == {f"Bearer {TOKEN}"}  # sent home all the same


async def test_load_clients_never_follow_a_redirect_with_a_secret_to_another_origin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(correct(INTERVAL)) as away, serving(redirect_to(away)) as home:
        argv = [home.stream, "--contract", str(contract_file(tmp_path)), "--clients", "5"]
        assert await run(*argv) in (1, 2)
    assert TOKEN not in capsys.readouterr().err
    assert away.seen == []
    assert len(home.seen) >= 5
    assert set(home.seen) == {f"Bearer {TOKEN}"}
