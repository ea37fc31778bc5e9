"""Where the benchmarks run: the checkout, the CPUs they pin to, open files, progress lines."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The checkout: servers run from it, and the report goes to its docs/benchmarks.md."""
SERVER_CPU = 0
CLIENT_CPU = 1

Say = Callable[[str], None]
"""Where a benchmark reports its progress, one line at a time."""


def say_stderr(line: str) -> None:
    """Progress on stderr, so stdout holds only the tables."""
    print(line, file=sys.stderr, flush=True)


def pinning() -> bool:
    """True when the server and the client can each have a core of their own."""
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinned(argv: list[str], cpu: int) -> list[str]:
    """``argv`` run on ``cpu`` alone (``taskset``) when pinning is possible, else as it is."""
    return ["taskset", "-c", str(cpu), *argv] if pinning() else argv


def pin_client() -> None:
    """Keep this process (the load generator) on its own core, when pinning is possible."""
    if pinning():
        os.sched_setaffinity(0, {CLIENT_CPU})


def raise_fd_limit(needed: int) -> None:
    """Lift the open-file limits (children inherit them) towards ``needed``, as far as allowed.

    The soft limit goes up to the hard one; the hard one too when it is below ``needed``
    and this process may raise it (CAP_SYS_RESOURCE). A run that still falls short says so.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < needed:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            soft = hard = needed
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < needed:
        say_stderr(f"warning: the open-file limit is {hard}; {needed} are needed")
