"""py-spy attached to a server under load: its raw samples, counted in named groups."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

Groups = tuple[tuple[str, tuple[str, ...]], ...]
"""Named groups of samples, each with the frame patterns that put a sample in it."""
OTHER = "everything else"


def find_pyspy() -> str | None:
    """The py-spy executable on PATH or beside this Python (bench extra), or None."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return spy if Path(spy).exists() else None


class Recording:
    """``py-spy record`` of one process at 200 Hz for ``seconds``, raw samples into ``out``."""

    def __init__(self, spy: str, out: Path, seconds: int) -> None:
        self.out = out
        self._argv = [spy, "record", "-o", str(out), "-f", "raw", "-r", "200", "-d", str(seconds)]
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, pid: int) -> None:
        """Attach to ``pid``."""
        self._proc = subprocess.Popen(
            [*self._argv, "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait(self) -> None:
        """Wait until py-spy has written its samples."""
        if self._proc is not None:
            self._proc.wait()

    def raw(self) -> str:
        """The samples written, in py-spy's raw format; empty when there are none."""
        return self.out.read_text() if self.out.exists() else ""


def tally(raw: str, groups: Groups, classify: Callable[[str], str]) -> tuple[int, dict[str, int]]:
    """Samples in py-spy's raw format (``frame;frame;... count`` lines) by ``classify(stack)``."""
    counts = {name: 0 for name, _ in groups} | {OTHER: 0}
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        counts[classify(stack)] += int(n)
    return total, counts


def shares(total: int, counts: dict[str, int]) -> list[str]:
    """Each group's share of the samples, one line each."""
    return [f"  {100 * n / max(total, 1):5.1f}%  {name}" for name, n in counts.items()]


def matches(frame: str, patterns: Sequence[str]) -> bool:
    """True when ``frame`` contains one of ``patterns``."""
    return any(p in frame for p in patterns)
