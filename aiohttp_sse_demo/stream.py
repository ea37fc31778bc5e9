"""``GET /stream``: the simulated run sent as Server-Sent Events through aiohttp-sse."""

from __future__ import annotations

import logging

from aiohttp import web

from .keys import FRAMES, REGISTRY, SETTINGS
from .registry import StreamRegistry
from .response import event_stream
from .resume import Kind, Resume, decide
from .tasks import LAST_ID

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
CLIENT_CLOSED = 499
"""Status logged for a request whose client left before the head was sent (as nginx does)."""
_LOGGED_VALUE_CHARS = 40


async def stream(request: web.Request) -> web.StreamResponse:
    """Send the run from the start, or after the client's ``Last-Event-ID``; 204 once it is done."""
    settings = request.app[SETTINGS]
    registry = request.app[REGISTRY]
    header = request.headers.get("Last-Event-ID")
    decision = decide(header, LAST_ID)
    if decision.ignored is not None:
        log.info(
            "ignoring Last-Event-ID %s (%s); sending the whole stream",
            _shorten(header or ""),
            decision.ignored,
        )
    status = answer(decision, registry)
    if status == 204:
        return web.Response(status=204, headers={"Cache-Control": "no-cache"})
    if status == 503:
        raise web.HTTPServiceUnavailable(
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            text=f"{registry.limit} streams are open, the most this server serves at once; "
            f"retry in {RETRY_AFTER_SECONDS} s\n",
        )

    frames = request.app[FRAMES][decision.after_id + 1]
    with registry.track(request) as tracked:
        try:
            async with event_stream(request, settings) as resp:
                if frames[0].work_before:
                    resp.send_headers()  # else the head goes out with the first events
                try:
                    for frame in frames:
                        if frame.work_before and not await registry.pause(settings.interval):
                            tracked.why = "shutdown"
                            break
                        # The last events end the body in the same write.
                        await resp.send_frame(
                            frame.data, settings.send_timeout, last=frame is frames[-1]
                        )
                        tracked.sent.count += frame.events
                except (ConnectionResetError, TimeoutError) as error:
                    tracked.lost(error, settings.send_timeout)
        except ConnectionResetError:
            # The client left before the head could be written. Raised out of the
            # handler, aiohttp would log it as an error and answer 500 to no one.
            tracked.why = "client_left"
            log.debug("client went away before the stream started")
            return web.Response(status=CLIENT_CLOSED, reason="Client Closed Request")
    return resp


async def stream_check(request: web.Request) -> web.Response:
    """``GET /stream/check``: the status ``GET /stream`` would answer now, without starting a run.

    The page asks it when its EventSource gives up, which the browser does not explain.
    """
    status = answer(decide(request.headers.get("Last-Event-ID"), LAST_ID), request.app[REGISTRY])
    body: dict[str, int] = {"status": status}
    if status == 503:
        body["retry_after"] = RETRY_AFTER_SECONDS
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def answer(decision: Resume, registry: StreamRegistry) -> int:
    """The status of ``/stream``: 204 after the last event, 503 when full, else 200."""
    if decision.kind is Kind.DONE:
        return 204
    if registry.full:
        return 503
    return 200


def _shorten(value: str) -> str:
    if len(value) <= _LOGGED_VALUE_CHARS:
        return repr(value)
    return f"{value[:_LOGGED_VALUE_CHARS]!r}... ({len(value)} chars)"
