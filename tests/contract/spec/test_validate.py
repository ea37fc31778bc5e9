"""``python -m contract validate``, and a contract that cannot be used at run time: exit 2, no
traceback, before any request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contract.cli import main
from tests.paths import CONTRACTS


def test_validate_explains_good_files_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CONTRACTS / "tokens.toml"), str(CONTRACTS / "feed.toml")]) == 0
    out = capsys.readouterr().out
    assert f"contract 'tokens' from {CONTRACTS / 'tokens.toml'}: valid" in out
    assert "events: kinds in the pattern 'start token{2,} done'" in out
    assert "end: never;" in out


def test_validate_reports_each_bad_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[sequence]\npattern = "a ("\n')
    assert main(["validate", str(bad), str(CONTRACTS / "script.toml")]) == 2
    captured = capsys.readouterr()
    assert "contract 'script'" in captured.out
    assert captured.err == (
        f"python -m contract validate: error: {bad}: sequence.pattern: expected a pattern over "
        "kind names: an empty alternative before the end, got 'a ('\n"
    )


def test_validate_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 2\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "contract", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    good = run("validate", str(CONTRACTS / "script.toml"), "demo")
    assert (good.returncode, good.stderr) == (0, "")
    assert "contract 'demo /stream' from demo (shipped): valid" in good.stdout
    failed = run("validate", str(bad))
    assert failed.returncode == 2
    assert failed.stderr.strip() == (
        f"python -m contract validate: error: {bad}: format: expected one of the supported "
        "formats: 1, got 2"
    )
    assert "Traceback" not in failed.stderr
    usage = run("validate")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_an_unset_variable_at_run_time_exits_2_before_any_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TEETH_TOKEN", raising=False)
    status = main(["http://127.0.0.1:9/", "--contract", str(CONTRACTS / "tokens.toml")])
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"python -m contract: error: {CONTRACTS / 'tokens.toml'}: request.headers.Authorization: "
        "environment variable TEETH_TOKEN is not set\n"
    )


def test_a_bad_contract_on_the_command_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[[events]]\nwhat = 1\n")
    assert main(["http://127.0.0.1:9/", "--contract", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"python -m contract: error: {bad}: events[0].what: unknown key")
    assert "Traceback" not in err
