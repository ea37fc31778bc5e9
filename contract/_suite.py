"""Run the whole suite against a URL: record (the client, imported lazily) then check."""

from __future__ import annotations

import time

from ._extensions import evaluate
from ._models import Ending, Options, Report


async def run_suite(url: str, options: Options | None = None) -> Report:
    """Record the stream and every probe at ``url`` and judge them; never raises for the server."""
    from ._client import record_all  # aiohttp only when the suite runs, not at plugin import

    options = Options() if options is None else options
    started = time.monotonic()
    recordings = await record_all(url, options)
    elapsed = time.monotonic() - started
    if recordings.main.ending is Ending.UNREACHABLE:
        return Report(url, error=f"cannot reach {url}: {recordings.main.detail}", elapsed=elapsed)
    return Report(url, evaluate(recordings, options), elapsed=elapsed)
