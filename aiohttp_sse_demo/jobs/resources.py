"""What the jobs endpoints share: the app key, JSON responses and errors, method dispatch.

Every error under ``/jobs`` is JSON ``{"error": "..."}`` with its status (JOBS.md),
405s included: each path is routed for every method to a dispatcher that answers
the methods it does not serve itself, so ``/stream`` pays nothing for it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from .broker import BrokerUnavailable
from .runner import Jobs

log = logging.getLogger(__name__)

JOBS = web.AppKey("jobs", Jobs)
RETRY_AFTER_FULL = 5
"""Seconds a client is asked to wait when this process runs ``--max-jobs`` jobs."""
RETRY_AFTER_UNAVAILABLE = 2
"""Seconds a client is asked to wait while the job store (Redis) cannot be reached."""
_SHOWN_CHARS = 40

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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


def resource(methods: Mapping[str, Handler]) -> Handler:
    """One handler for every method of a path: JSON 405 for those ``methods`` lacks."""
    allowed = ", ".join(methods)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        handler = methods.get(request.method)
        try:
            if handler is None:
                message = f"{shorten(request.method)} is not allowed here; use {allowed}"
                raise ApiError(405, message, {"Allow": allowed})
            return await handler(request)
        except ApiError as error:
            return error.response()
        except BrokerUnavailable as exc:
            return unavailable(exc).response()

    return dispatch


async def no_such_path(request: web.Request) -> web.StreamResponse:
    """A JSON 404 for any other path under ``/jobs/``."""
    return ApiError(404, f"no such path: {shorten(request.path)}").response()


def shorten(value: str) -> str:
    """``value`` quoted, cut to a length fit for a message or a log line."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}... ({len(value)} chars)"
