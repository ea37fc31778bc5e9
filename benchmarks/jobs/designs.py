"""The designs under test in the fan-out benchmark: names, command lines, open files needed."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from benchmarks.procs import child_env

LABELS = {
    "embedded": "embedded broker",
    "redis": "Redis broker (one XREAD per process)",
    "naive": "naive Redis (one XREAD BLOCK per viewer)",
}
SPARE_FDS = 64
"""Open files a process needs beyond its viewers' sockets: pipes, Redis, the control client."""


@dataclass(frozen=True)
class JobsDesign:
    """A design under test, served by ``benchmarks.jobs.server``."""

    key: str
    redis_url: str = ""

    @property
    def label(self) -> str:
        """The design's name in the tables."""
        return LABELS[self.key]

    def argv(self, port: int, interval: float) -> list[str]:
        """The command that serves this design on 127.0.0.1:``port``."""
        argv = [sys.executable, "-m", "benchmarks.jobs.server", "--port", str(port)]
        argv += ["--design", self.key]
        return [*argv, "--redis", self.redis_url] if self.key != "embedded" else argv

    def env(self, interval: float) -> dict[str, str]:
        """The child's environment."""
        return child_env()


def files_needed(key: str, n: int) -> int:
    """Open files the busiest process of a run needs with ``n`` viewers."""
    # The naive server holds a Redis connection per viewer besides the viewer's socket.
    return (2 * n if key == "naive" else n) + SPARE_FDS
