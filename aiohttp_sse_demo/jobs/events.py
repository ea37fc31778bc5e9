"""``GET /jobs/{id}/events``: a job's log, then its live events, then the end after ``close``.

The seam between history and live is closed by the channel: the viewer joins the
job's channel first (loaded once from the broker, then extended as entries are
appended), and everything it sends comes from that one copy of the log by
position, so nothing is sent twice and nothing is skipped, whenever it joined.
"""

from __future__ import annotations

import contextlib
import logging

from aiohttp import web

from aiohttp_sse_demo.keys import REGISTRY, SETTINGS
from aiohttp_sse_demo.registry import Tracked
from aiohttp_sse_demo.response import FramedEventSourceResponse, event_stream
from aiohttp_sse_demo.settings import Settings

from .broker import Broker
from .errors import BrokerUnavailable
from .fanout import Channel
from .keys import JOBS
from .model import CLOSE, valid_job_id
from .replies import RETRY_AFTER_FULL, ApiError, not_found, shorten, unavailable

log = logging.getLogger(__name__)

_ASCII_DIGITS = frozenset("0123456789")


async def job_events(request: web.Request) -> web.StreamResponse:
    """Stream the job's events from the start, or after ``Last-Event-ID``; 204 after ``close``."""
    job_id = request.match_info["id"]
    if not valid_job_id(job_id):
        raise not_found(job_id)
    # The header is what an EventSource sends when it reconnects: newer than the URL's value.
    resume = request.headers.get("Last-Event-ID")
    if resume is None:
        resume = request.query.get("last_event_id")
    broker = request.app[JOBS].broker
    try:
        async with broker.watch(job_id) as channel:
            if channel is None:
                raise not_found(job_id)
            return await _respond(request, broker, channel, resume)
    except BrokerUnavailable as exc:
        raise unavailable(exc) from None


async def _respond(
    request: web.Request, broker: Broker, channel: Channel, resume: str | None
) -> web.StreamResponse:
    after = await resume_point(broker, channel, resume)
    if after is None:
        return web.Response(status=204, headers={"Cache-Control": "no-cache"})
    registry = request.app[REGISTRY]
    if registry.full:
        raise ApiError(
            503,
            f"{registry.limit} streams are open, the most this server serves at once; "
            f"retry in {RETRY_AFTER_FULL} s",
            {"Retry-After": str(RETRY_AFTER_FULL)},
        )
    with registry.track(request, "job") as tracked:
        return await _send(request, channel, after, request.app[SETTINGS], tracked)


async def resume_point(broker: Broker, channel: Channel, value: str | None) -> int | None:
    """The position to continue after (-1: the whole log), or None when ``close`` was seen.

    Only a plain ASCII decimal id of an entry in the log counts; anything else is
    treated as absent, as ``/stream`` does. An id past this process's copy of a log
    still growing is checked against the broker (another process may have sent it).
    """
    if value is None:
        return -1
    if not value or not _ASCII_DIGITS.issuperset(value):
        log.info("ignoring last event id %s (not a plain decimal integer)", shorten(value))
        return -1
    digits = value.lstrip("0") or "0"
    entries = channel.entries
    if len(digits) <= len(str(len(entries))) and int(digits) >= len(entries) and channel.live:
        with contextlib.suppress(BrokerUnavailable):
            entries = await broker.log(channel.job_id) or entries
    if len(digits) > len(str(len(entries))) or int(digits) >= len(entries):
        log.info("ignoring last event id %s (no such event)", shorten(value))
        return -1
    position = int(digits)
    return None if entries[position].type == CLOSE else position


async def _send(
    request: web.Request, channel: Channel, after: int, settings: Settings, tracked: Tracked
) -> web.StreamResponse:
    async with event_stream(request, settings) as resp:
        if not channel.after(after)[0] and not channel.broken:
            resp.send_headers()  # nothing to send yet: the head goes out now
        try:
            # Ends after ``close`` (the same write ends the body), or cleanly when the
            # channel breaks: an EventSource reconnects, to any process.
            await channel.follow(_Viewer(resp, settings.send_timeout, tracked), after)
            if not channel.closed:
                stopping = request.app[JOBS].stopping or request.app[REGISTRY].stopping
                tracked.why = "shutdown" if stopping else "broker"
        except (ConnectionResetError, TimeoutError) as error:
            tracked.lost(error, settings.send_timeout)
    return resp


class _Viewer:
    """A viewer's response as the channel's ``Follower``."""

    __slots__ = ("_resp", "_send_timeout", "_sent")

    def __init__(
        self, resp: FramedEventSourceResponse, send_timeout: float, tracked: Tracked
    ) -> None:
        self._resp = resp
        self._send_timeout = send_timeout
        self._sent = tracked.sent

    def ready(self, size: int) -> bool:
        """True when the response takes ``size`` bytes without waiting for the client."""
        return self._resp.can_write_now(size)

    async def write(self, frame: bytes, *, last: bool, count: int) -> None:
        """Send ``count`` framed entries; ``last`` ends the body in the same write."""
        await self._resp.send_frame(frame, self._send_timeout, last=last)
        self._sent.count += count

    async def write_ready(self, frame: bytes, *, last: bool, count: int) -> None:
        """Send framed entries that ``ready`` said go out without waiting."""
        await self._resp.send_frame(frame, None, last=last)
        self._sent.count += count
