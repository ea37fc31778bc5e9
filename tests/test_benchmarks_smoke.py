"""``python -m benchmarks --smoke`` keeps working: every server streams, every table prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.servers import ALL

ROOT = Path(__file__).resolve().parent.parent


def section(report: str, heading: str) -> str:
    """The text from ``heading`` to the next heading."""
    return report.split(heading, 1)[1].split("\n## ", 1)[0]


def cells(table: str, label: str) -> list[str]:
    """The cells of the row whose first cell is ``label``."""
    row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
    return [c.strip() for c in row.strip("|").split("|")]


@pytest.mark.slow
def test_smoke_run_prints_every_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = done.stdout
    streams = section(report, "## Streams at interval 0")
    held = section(report, "## Held connections")
    for kind in ALL:
        row = cells(streams, kind.label)
        assert row[1] != "-", row  # streams/s at the lower concurrency
        assert row[2] != "-", row  # and at the higher one
        assert row[-1] == "0", f"streams failed: {row}"
        assert cells(held, kind.label)[1] != "-"
    parsers = section(report, "## Parser")
    assert cells(parsers, "contract.EventParser (this project)")[-1] == "yes"
    judging = section(report, "## Judging")
    for label in ("main stream only", "main stream and its probes"):
        assert cells(judging, label)[-1] == "yes", "every rule passes on the recorded good stream"
    assert "| complete streams/s" in section(report, "## Targets")
    assert "| evaluate CPU per event with probes, 5,000 / 500 events" in section(
        report, "## Targets"
    )
