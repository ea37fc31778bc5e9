"""The jobs API's answers: JSON bodies, and the errors every endpoint shares.

Every error under ``/jobs`` is JSON ``{"error": "..."}`` with its status (JOBS.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .errors import BrokerUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_FULL = 5
"""Seconds a client is asked to wait when this process runs ``--max-jobs`` jobs."""
RETRY_AFTER_UNAVAILABLE = 2
"""Seconds a client is asked to wait while the job store (Redis) cannot be reached."""
_SHOWN_CHARS = 40


class ApiError(Exception):
    """An answer other than success: its status, message and extra headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        """The error as JSON."""
        return json_response({"error": self.message}, self.status, self.headers)


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response that caches must revalidate (job state changes)."""
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-cache", **(headers or {})},
    )


def not_found(job_id: str) -> ApiError:
    """The 404 for a job that does not exist (or has expired)."""
    return ApiError(404, f"no job {shorten(job_id)}")


def unavailable(exc: BrokerUnavailable) -> ApiError:
    """The 503 while the job store cannot be reached."""
    log.info("answering 503: %s", exc)
    return ApiError(
        503,
        f"the job store is unavailable; retry in {RETRY_AFTER_UNAVAILABLE} s",
        {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
    )


def shorten(value: str) -> str:
    """``value`` quoted, cut to a length fit for a message or a log line."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}... ({len(value)} chars)"
