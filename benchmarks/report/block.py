"""A report's way out: on stdout, and between its two markers in a markdown file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks.host import ROOT, say_stderr

DOC = ROOT / "docs" / "benchmarks.md"
"""Where a full run writes its results."""
SERVER_MARKERS = (
    "<!-- results: written by python -m benchmarks -->",
    "<!-- end of results -->",
)
JOBS_MARKERS = (
    "<!-- jobs results: written by python -m benchmarks jobs -->",
    "<!-- end of jobs results -->",
)


def write_results(path: Path, text: str, markers: tuple[str, str]) -> None:
    """Put ``text`` between the two ``markers`` lines of ``path``, keeping the prose around them.

    Without the markers, the block goes at the top of the file.
    """
    start, end = markers
    block = f"{start}\n{text}{end}\n"
    old = path.read_text() if path.exists() else ""
    if start in old and end in old:
        before, rest = old.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        path.write_text(before + block + after)
    else:
        path.write_text(block + old)


def publish(
    text: str, output: Path | None, markers: tuple[str, str], failures: Sequence[str] = ()
) -> int:
    """Print the report, write it to ``output`` (if any), list ``failures``; 1 if there are any."""
    print(text)
    if output is not None:
        write_results(output, text, markers)
        say_stderr(f"wrote {output}")
    for failure in failures:
        say_stderr(f"failed: {failure}")
    return 1 if failures else 0
