"""Open files for N connections in one process: the soft limit raised towards the hard one,
and a clear message when even that is too low."""

from __future__ import annotations

import resource

SPARE = 64
"""Descriptors a client process needs besides its connections (the probes, files, the loop)."""


def open_files_problem(connections: int, processes: int = 1) -> str | None:
    """Raise this process's open-file limit for ``connections`` spread over ``processes``;
    why that cannot be done, or ``None``."""
    per_process = -(-connections // processes) + SPARE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= per_process:
        return None
    if hard == resource.RLIM_INFINITY or hard >= per_process:
        resource.setrlimit(resource.RLIMIT_NOFILE, (per_process, hard))
        return None
    spread = f" in each of {processes} processes" if processes > 1 else " in one process"
    return (
        f"{connections} clients need about {per_process} open files{spread}, and the limit "
        f"is {hard} (ulimit -Hn): raise it, or spread the clients over more processes "
        f"(--workers {-(-connections // max(1, hard - SPARE))})"
    )
