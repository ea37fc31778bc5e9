"""A never-ending market-ticks feed for the shipped ``feed`` contract, and its mutants.

``GET /ticks`` replays the feed's log from its start (or right after the id given in
``Last-Event-ID`` or ``?last_event_id=``) and never ends: ticks come in spells, and
each quiet spell is bridged by ``: keep-alive`` comments. A tick's content depends on
its id only, so every connection sees the same log. A mutant is a ``Feed`` with one
realistic mistake switched on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from contract import encode_event

FEED_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
SYMBOLS = ("ACME", "GLOBX", "INIT")
OPEN_MS = 1_718_000_000_000
"""The first tick's timestamp (ms since the epoch)."""
HANG_LIMIT = 60.0
"""Seconds one response lasts at most, whatever the client does."""


@dataclass(frozen=True)
class Feed:
    """How the feed behaves: timings, and the switches its mutants turn."""

    first: int = 1001
    """The id of the log's first tick."""
    spell: int = 4
    """Ticks per spell."""
    tick_pause: float = 0.025
    quiet: float = 1.0
    """Seconds of quiet between spells."""
    keepalive: float | None = 0.05
    """A comment after this many seconds of quiet; ``None``: no comments."""
    headers: Mapping[str, str] = field(default_factory=lambda: dict(FEED_HEADERS))
    close_after: int | None = None
    """End the response after this many ticks (a feed must never end)."""
    header_resume: bool = True
    query_resume: bool = True
    resume_repeats: bool = False
    """Resume at the id given instead of right after it."""
    reject_malformed: bool = False
    """400 for a position that is not a decimal integer, instead of ignoring it."""
    swapped: bool = False
    """Every other pair of ticks leaves the log in the wrong order (ids go backwards)."""
    price_as_text: bool = False


def _order(feed: Feed, position: int) -> int:
    """The offset of the id at ``position`` in the log (its own inverse)."""
    if not feed.swapped:
        return position
    return {2: position + 1, 3: position - 1}.get(position % 4, position)


def tick(feed: Feed, ident: int) -> str:
    """The tick with id ``ident``: the same data every time."""
    n = ident - feed.first
    price = round(90 + (n * 37 % 400) / 100, 2)
    return json.dumps(
        {
            "symbol": SYMBOLS[n % len(SYMBOLS)],
            "price": str(price) if feed.price_as_text else price,
            "size": 100 * (1 + n % 5),
            "ts": OPEN_MS + 250 * n,
        }
    )


def start_position(feed: Feed, request: web.Request) -> int | None:
    """Where this connection starts in the log; ``None`` for a value the feed rejects."""
    value = request.headers.get("Last-Event-ID") if feed.header_resume else None
    if value is None and feed.query_resume:
        value = request.query.get("last_event_id")
    if not value:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        return None if feed.reject_malformed else 0
    ident = int(value)
    if ident < feed.first:
        return 0
    position = _order(feed, ident - feed.first)
    return position if feed.resume_repeats else position + 1


async def _pause(response: web.StreamResponse, seconds: float, keepalive: float | None) -> None:
    """Wait ``seconds``, writing a comment every ``keepalive`` seconds of it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        if keepalive is None or left <= keepalive:
            await asyncio.sleep(left)
            return
        await asyncio.sleep(keepalive)
        await response.write(b": keep-alive\n\n")


def feed_app(feed: Feed | None = None) -> web.Application:
    """``GET /ticks``: the feed, forever (or as a mutant says)."""
    config = feed or Feed()

    async def ticks(request: web.Request) -> web.StreamResponse:
        position = start_position(config, request)
        if position is None:
            return web.json_response({"error": "last_event_id must be an integer"}, status=400)
        response = web.StreamResponse(headers=config.headers)
        await response.prepare(request)
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            async with asyncio.timeout(HANG_LIMIT):
                sent = 0
                while config.close_after is None or sent < config.close_after:
                    if sent:
                        quiet = position % config.spell == 0
                        pause = config.quiet if quiet else config.tick_pause
                        await _pause(response, pause, config.keepalive)
                    ident = config.first + _order(config, position)
                    frame = encode_event(tick(config, ident), type="tick", id=str(ident))
                    await response.write(frame)
                    position += 1
                    sent += 1
            await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/ticks", ticks)
    return app


FEED_MUTANTS: dict[str, tuple[Feed, frozenset[str]]] = {
    # Each mutant, and the rules it must fail (exactly these).
    "closes": (Feed(close_after=6), frozenset({"end"})),
    "ids-go-backwards": (Feed(swapped=True), frozenset({"ids"})),
    "resume-repeats-the-last-tick": (Feed(resume_repeats=True), frozenset({"resume"})),
    "resume-ignored": (Feed(header_resume=False, query_resume=False), frozenset({"resume"})),
    "query-ignored": (Feed(query_resume=False), frozenset({"resume"})),
    "malformed-id-gets-400": (Feed(reject_malformed=True), frozenset({"tolerant"})),
    "keepalive-too-rare": (Feed(keepalive=0.9), frozenset({"keepalive"})),
    "no-keepalive": (Feed(keepalive=None), frozenset({"keepalive"})),
    "cacheable": (
        Feed(headers={"Content-Type": "text/event-stream"}),
        frozenset({"head"}),
    ),
    "price-as-text": (Feed(price_as_text=True), frozenset({"data"})),
}
