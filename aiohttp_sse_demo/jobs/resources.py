"""Method dispatch for the jobs paths: each path answers every method, in JSON.

Each path is routed for every method to a dispatcher that answers the methods it
does not serve itself with a JSON 405 (and ``Allow``), so ``/stream`` pays nothing
for it; errors raised by a handler become their JSON answers here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from .errors import BrokerUnavailable
from .keys import JOBS
from .replies import ApiError, shorten, unavailable

__all__ = ["JOBS", "Handler", "no_such_path", "resource"]
# JOBS lives in keys.py; benchmarks/jobs_server.py still imports it from here.

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
