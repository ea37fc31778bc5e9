"""The jobs options: --broker, --lease, --job-ttl, --max-jobs, --max-kept, --admin-token."""

from __future__ import annotations

import aiohttp
import pytest

from aiohttp_sse_demo.__main__ import build_parser, main
from aiohttp_sse_demo.settings import Settings, SettingsError
from tests.conftest import Refused, Serve
from tests.jobs.support import expected_after
from tests.support.serving import read_events
from tests.support.sockets import free_port


def test_defaults() -> None:
    settings = Settings()
    assert (settings.broker, settings.lease, settings.job_ttl, settings.max_jobs) == (
        "memory",
        10.0,
        3600.0,
        100,
    )


def test_help_lists_the_jobs_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for flag in ("--broker", "--lease", "--job-ttl", "--max-jobs", "redis://HOST:PORT/DB"):
        assert flag in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--broker", "mysql://db/0"], "broker must be 'memory' or a redis://HOST:PORT/DB URL"),
        (["--broker", "Memory"], "broker must be 'memory' or a redis://HOST:PORT/DB URL"),
        (["--broker", ""], "broker must be 'memory' or a redis://HOST:PORT/DB URL"),
        (["--broker", "redis://:6379/0"], "broker needs a host"),
        (["--broker", "redis://localhost:99999/0"], "broker has a port that is not a number"),
        (["--broker", "redis://localhost:port/0"], "broker has a port that is not a number"),
        (["--broker", "redis://localhost/zero"], "broker needs a database number as its path"),
        (["--lease", "0"], "lease must be a finite number of seconds, more than 0"),
        (["--lease", "soon"], "lease must be a number of seconds, got 'soon'"),
        (["--job-ttl", "-5"], "job_ttl must be a finite number of seconds, more than 0"),
        (["--job-ttl", "inf"], "job_ttl must be a finite number of seconds"),
        (["--max-jobs", "0"], "max_jobs must be at least 1, got 0"),
        (["--max-jobs", "many"], "max_jobs must be an integer, got 'many'"),
        (["--max-kept", "0"], "max_kept must be at least 1, got 0"),
        (["--max-kept", "lots"], "max_kept must be an integer, got 'lots'"),
        (["--admin-token", "two words"], "admin_token must be printable ASCII with no spaces"),
        (["--admin-token", "caf\u00e9"], "admin_token must be printable ASCII with no spaces"),
    ],
)
def test_bad_values_exit_2_with_a_message(argv: list[str], message: str, refused: Refused) -> None:
    assert message in refused(argv)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SSE_DEMO_BROKER", "redis:/nohost", "broker needs a host"),
        ("SSE_DEMO_LEASE", "0", "lease must be a finite number of seconds, more than 0"),
        ("SSE_DEMO_JOB_TTL", "an hour", "job_ttl must be a number of seconds"),
        ("SSE_DEMO_MAX_JOBS", "1.5", "max_jobs must be an integer, got '1.5'"),
    ],
)
def test_bad_variables_exit_2(
    name: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], environ={name: value}) == 2
    err = capsys.readouterr().err
    assert f"environment: {message}" in err


def test_variables_set_defaults_and_flags_win() -> None:
    env = {
        "SSE_DEMO_BROKER": "redis://redis.internal:6380/2",
        "SSE_DEMO_LEASE": "4",
        "SSE_DEMO_JOB_TTL": "60",
        "SSE_DEMO_MAX_JOBS": "7",
    }
    defaults = Settings.from_env(env)
    assert (defaults.broker, defaults.lease, defaults.job_ttl, defaults.max_jobs) == (
        "redis://redis.internal:6380/2",
        4.0,
        60.0,
        7,
    )
    args = build_parser(defaults).parse_args(["--max-jobs", "9", "--broker", "memory"])
    assert (args.broker, args.lease, args.max_jobs) == ("memory", 4.0, 9)


@pytest.mark.parametrize(
    "url", ["memory", "redis://localhost", "redis://127.0.0.1:6379/15", "rediss://h:1/0"]
)
def test_good_brokers(url: str) -> None:
    assert Settings(broker=url).broker == url


def test_the_admin_token_is_never_shown(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "s3cret-admin-token"
    settings = Settings.from_env({"SSE_DEMO_ADMIN_TOKEN": secret, "SSE_DEMO_MAX_KEPT": "5"})
    assert (settings.admin_token, settings.max_kept) == (secret, 5)
    assert secret not in repr(settings)
    with pytest.raises(SystemExit):
        main(["--help"], environ={"SSE_DEMO_ADMIN_TOKEN": secret})
    out = capsys.readouterr().out
    assert "--admin-token" in out
    assert "--max-kept" in out
    assert secret not in out
    with pytest.raises(SystemExit):
        main(["--admin-token", "bad token"], environ={})
    assert "bad token" not in capsys.readouterr().err


def test_settings_refuse_what_the_flags_refuse() -> None:
    with pytest.raises(SettingsError, match="max_jobs must be at least 1"):
        Settings(max_jobs=0)


async def test_an_unreachable_redis_still_serves_stream_and_answers_503(serve: Serve) -> None:
    base = await serve(broker=f"redis://127.0.0.1:{free_port()}/0", interval=0)
    async with aiohttp.ClientSession() as session:
        _, events = await read_events(session, base + "/stream")
        assert events == expected_after()
        async with session.post(f"{base}/jobs") as resp:
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "2"
            assert (await resp.json())["error"].startswith("the job store is unavailable")
