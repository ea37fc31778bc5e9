"""``python -m benchmarks --smoke``, ``jobs --smoke``, ``parser`` and ``judge`` keep working."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cli import main
from benchmarks.jobs.designs import LABELS
from benchmarks.parser_shapes import SHAPE_CHUNKS, SHAPES
from benchmarks.report.block import JOBS_MARKERS
from benchmarks.report.block import SERVER_MARKERS as MAIN_MARKERS
from benchmarks.server.kinds import ALL
from tests.paths import ROOT


def section(report: str, heading: str) -> str:
    """The text from ``heading`` to the next heading."""
    return report.split(heading, 1)[1].split("\n## ", 1)[0]


def cells(table: str, label: str) -> list[str]:
    """The cells of the row whose first cell is ``label``."""
    row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
    return [c.strip() for c in row.strip("|").split("|")]


def benchmarks(*args: str) -> str:
    """``python -m benchmarks ARGS`` in a child process: its stdout, once it exited 0."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_main(*args: str) -> str:
    """``benchmarks.cli.main(ARGS)`` in this process: what it printed, once it returned 0."""
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(list(args)) == 0
    return out.getvalue()


@pytest.mark.slow
def test_smoke_run_prints_every_table() -> None:
    report = benchmarks("--smoke")  # no subcommand: the server benchmarks, as `make bench` runs
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
    assert cells(parsers, "contract.EventParser, line machine only")[-1] == "yes"
    judging = section(report, "## Judging")
    for label in ("main stream only", "main stream and its probes"):
        assert cells(judging, label)[-1] == "yes", "every rule passes on the recorded good stream"
    assert "| complete streams/s" in section(report, "## Targets")
    assert "| evaluate CPU per event with probes, 5,000 / 500 events" in section(
        report, "## Targets"
    )


def test_parser_shapes_table_has_a_row_per_shape_and_chunk() -> None:
    # measure_shapes also raises if the parser and its line machine disagree on a stream.
    report = run_main("parser", "--mb", "0.02", "--runs", "1")
    rows = [line for line in report.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(SHAPES) * len(SHAPE_CHUNKS)


def test_judge_prints_every_recording_set_and_the_linearity_target() -> None:
    report = run_main("judge", "--smoke", "--sizes", "200,400")
    for label in ("main stream only", "main stream and its probes"):
        for size in ("200", "400"):
            row = next(r for r in report.splitlines() if r.startswith(f"| {label} | {size} |"))
            assert row.endswith("| yes |"), "every rule passes on the recorded good stream"
    assert "| evaluate CPU per event with probes, 400 / 200 events (linear = 1) |" in report


@pytest.mark.slow
def test_jobs_smoke_run_measures_every_design_and_keeps_the_other_results(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    main_block = f"{MAIN_MARKERS[0]}\nthe other tables\n{MAIN_MARKERS[1]}\n"
    jobs_block = f"{JOBS_MARKERS[0]}\nold figures\n{JOBS_MARKERS[1]}\n"
    doc.write_text(f"# prose\n{main_block}\n## Jobs\n{jobs_block}tail\n")
    report = benchmarks("jobs", "--smoke", "--output", str(doc))
    for label in LABELS.values():
        row = cells(report, label)
        assert row[2] != "-", row  # p50 of the delay to the last viewer
        assert row[4] != "-", row  # events/s
        assert row[-1] == "0", f"viewers missed or reordered events: {row}"
    assert "| events/s @5, Redis / naive |" in report
    written = doc.read_text()
    assert written.startswith(f"# prose\n{main_block}\n## Jobs\n{JOBS_MARKERS[0]}\n### Results")
    assert written.endswith(f"{JOBS_MARKERS[1]}\ntail\n")
    assert "old figures" not in written
