"""What goes wrong in the jobs subsystem, and how long to wait before trying again."""

from __future__ import annotations

RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
"""Pauses between attempts while the broker is unreachable (a runner's writes, the reader)."""
OUTAGE_PATIENCE = 60.0
"""Seconds a broker outage is waited out: runners keep their work, viewers their streams.

JOBS.md asks for 30 s (a failover, a restart); after this, runners leave their jobs to
the lease rule and viewers' streams end (an EventSource reconnects later).
"""


class BrokerUnavailable(ConnectionError):
    """The broker cannot be reached; the request may be retried later."""


class JobsFull(Exception):
    """This process already runs ``--max-jobs`` jobs."""


def retry_delay(attempt: int) -> float:
    """The pause before attempt ``attempt + 1`` (the last delay repeats)."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
