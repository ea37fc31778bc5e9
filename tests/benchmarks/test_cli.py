"""One command line: ``server`` by default, each subcommand's flags and defaults."""

from __future__ import annotations

import pytest

from benchmarks.cli import build_parser, main
from benchmarks.commands import server
from benchmarks.jobs.suite import JobsPlan
from benchmarks.options import plan_from
from benchmarks.server.suite import Plan


def test_flags_without_a_subcommand_are_the_server_benchmarks() -> None:
    args = build_parser().parse_args(["server", "--held", "10,20", "--parser-mb", "0.5"])
    plan = plan_from(Plan(), args)
    assert (plan.held, plan.parser_bytes, plan.runs) == ((10, 20), 500_000, Plan().runs)
    assert args.servers == ("ceiling", "project", "plain", "aiohttp", "fastapi")
    assert args.skip == ()
    assert args.run is server.run


def test_jobs_flags_replace_only_what_was_given() -> None:
    args = build_parser().parse_args(["jobs", "--viewers", "5", "--designs", "redis,naive"])
    plan = plan_from(JobsPlan(), args)
    assert plan == JobsPlan(viewers=(5,), designs=("redis", "naive"))


@pytest.mark.parametrize(
    "argv",
    [
        ["--servers", "project,nginx"],
        ["server", "--skip", "parsers"],
        ["jobs", "--designs", "kafka"],
        ["jobs", "--viewers", "many"],
        ["bogus"],
    ],
)
def test_unknown_names_exit_2_before_anything_runs(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "python -m benchmarks" in capsys.readouterr().err
