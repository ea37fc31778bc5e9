"""``python -m benchmarks --smoke`` and ``jobs --smoke`` keep working: every table prints."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import END as MAIN_END
from benchmarks.__main__ import START as MAIN_START
from benchmarks.jobs_main import END as JOBS_END
from benchmarks.jobs_main import START as JOBS_START
from benchmarks.jobs_suite import LABELS
from benchmarks.servers import ALL
from tests.paths import ROOT

MAIN_MARKERS = (MAIN_START, MAIN_END)
JOBS_MARKERS = (JOBS_START, JOBS_END)


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
    assert cells(parsers, "contract.EventParser, line machine only")[-1] == "yes"
    judging = section(report, "## Judging")
    for label in ("main stream only", "main stream and its probes"):
        assert cells(judging, label)[-1] == "yes", "every rule passes on the recorded good stream"
    assert "| complete streams/s" in section(report, "## Targets")
    assert "| evaluate CPU per event with probes, 5,000 / 500 events" in section(
        report, "## Targets"
    )


def test_parser_shapes_table_has_a_row_per_shape_and_chunk() -> None:
    # compare_shapes also raises if the parser and its line machine disagree on a stream.
    from benchmarks.parser_bench import SHAPE_CHUNKS, SHAPES, main

    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["--mb", "0.02", "--runs", "1"]) == 0
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(SHAPES) * len(SHAPE_CHUNKS)


@pytest.mark.slow
def test_jobs_smoke_run_measures_every_design_and_keeps_the_other_results(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    main_block = f"{MAIN_MARKERS[0]}\nthe other tables\n{MAIN_MARKERS[1]}\n"
    jobs_block = f"{JOBS_MARKERS[0]}\nold figures\n{JOBS_MARKERS[1]}\n"
    doc.write_text(f"# prose\n{main_block}\n## Jobs\n{jobs_block}tail\n")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "jobs", "--smoke", "--output", str(doc)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = done.stdout
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
