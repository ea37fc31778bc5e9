"""The good servers of the contracts in tests/contracts/: ``Server`` streams a fixed list of events
(``tokens``, ``script``), ``Feed`` never ends; ``serve`` runs endpoints on 127.0.0.1 port 0."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

from contract import Event, encode
from tests.servers.scripted import Reply, Step, send, split_bytes
from tests.support.serving import serve_app

INTERVAL = 0.03
"""Seconds of work before a paused event: above the contract's 0.02 s burst gap."""
TOKEN = "teeth-secret"
"""The value of ``${TEETH_TOKEN}`` the tests set; the tokens server wants ``Bearer`` it."""
TOKENS_BODY = {"prompt": "count", "stream": True}
HANG_LIMIT = 10.0
SSE = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
TEXT = {"Content-Type": "text/plain"}
BOM = b"\xef\xbb\xbf"

Frame = Callable[[Event], bytes]
Handler = Callable[[web.Request, bytes], Reply]
Answer = Reply | int | None
"""What a server does with a position: a reply, the index to stream from, or its default."""


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


def lf(event: Event) -> bytes:
    """The event framed plainly with LF; no id line when its id is empty."""
    return encode([event], with_ids=bool(event.last_event_id))


@dataclass(frozen=True)
class Server:
    """An endpoint streaming ``events``; each field is one thing a mutant may get wrong."""

    events: tuple[Event, ...]
    pauses: frozenset[int]
    """Indexes of the events the server works (``INTERVAL``) before."""
    frame: Frame = lf
    prefix: bytes = b""
    trailer: bytes = b""
    """Bytes after the last event."""
    chunks: Literal["write", "bytes", "once", "halves"] = "write"
    """One write per event and pause, one byte per write, all at once after the work, or two."""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=lambda: dict(SSE))
    then: Literal["end", "reset", "hang"] = "end"
    stall: float = 0.0
    """Seconds of silence before the last event (after a comment when ``comments``)."""
    comments: bool = False
    """A ``: working`` comment before every pause."""
    query: str | None = None
    """A query parameter read as the position, besides ``Last-Event-ID``."""
    after_end: Literal[204, "empty"] = 204
    terminal: int = -1
    """The index of the event whose id gets ``after_end``."""
    resume_at: Callable[[int], int] = lambda index: index + 1
    """Where a stream resumed after the event at ``index`` starts."""
    position: Callable[[str, bool], Answer] = lambda value, in_query: None
    """A mutant's own answer to a position (``in_query``: it came as the query parameter)."""
    check: Callable[[web.Request, bytes], str | None] = lambda request, body: None
    """Why a request is refused (400), or None."""

    def steps(self, start: int) -> list[Step]:
        """The body from event ``start`` on, as writes and pauses."""
        steps: list[Step] = [self.prefix] if self.prefix and start == 0 else []
        last = len(self.events) - 1
        for index in range(start, len(self.events)):
            if index in self.pauses:
                steps += [b": working\n", INTERVAL] if self.comments else [INTERVAL]
            if index == last and self.stall:
                steps += [b": working\n", self.stall] if self.comments else [self.stall]
            steps.append(self.frame(self.events[index]))
        if self.trailer:
            steps.append(self.trailer)
        if self.chunks == "bytes":
            return split_bytes(steps)
        writes = [s for s in steps if isinstance(s, bytes)]
        if self.chunks == "once":
            return [4 * INTERVAL, b"".join(writes)]
        if self.chunks == "halves":
            half = len(writes) // 2
            return [b"".join(writes[:half]), 2 * INTERVAL, b"".join(writes[half:])]
        return steps

    def answer(self, request: web.Request, body: bytes) -> Reply:
        """The reply to one request."""
        refused = self.check(request, body)
        if refused is not None:
            return Reply([refused.encode()], 400, TEXT)
        value, in_query = request.headers.get("Last-Event-ID"), False
        if value is None and self.query is not None and self.query in request.query:
            value, in_query = request.query[self.query], True
        start = 0
        if value is not None:
            answer = self.position(value, in_query)
            if isinstance(answer, Reply):
                return answer
            ids = [e.last_event_id for e in self.events]
            if isinstance(answer, int):
                start = answer
            elif value in ids:
                index = ids.index(value)
                if index == self.terminal % len(ids):
                    return Reply(status=204) if self.after_end == 204 else self.reply([])
                start = self.resume_at(index)
        return self.reply(self.steps(start))

    def reply(self, steps: list[Step]) -> Reply:
        return Reply(steps, self.status, self.headers, self.then)


# -- tokens: kinds mode, POST, ${TEETH_TOKEN} ---------------------------------------------

TOKENS_EVENTS = (
    Event("start", '{"model": "teeth-1", "n": 3}', "0"),
    Event("message", "alpha", "1"),
    Event("ping", '{"type": "ping"}', "2"),
    Event("message", "beta", "3"),
    Event("message", "gamma", "4"),
    Event("done", "[DONE]", "5"),
)


def tokens_request(request: web.Request, body: bytes) -> str | None:
    """Why a request is not the one tokens.toml describes (method, headers, JSON body)."""
    wanted = {
        "Authorization": f"Bearer {TOKEN}",
        "X-Client": "teeth",
        "Content-Type": "application/json",
    }
    for name, value in wanted.items():
        if request.headers.get(name) != value:
            return f"{name}: expected {value!r}, got {request.headers.get(name)!r}"
    if request.method != "POST":
        return f"method {request.method}"
    try:
        sent = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    return None if sent == TOKENS_BODY else f"body {sent!r}"


TOKENS = Server(TOKENS_EVENTS, frozenset({1, 3, 4, 5}), query="last_event_id", check=tokens_request)


# -- script: exact mode, GET, after_end = "empty" -----------------------------------------

SCRIPT_EVENTS = (
    Event("begin", "job 7", "1"),
    Event("step", "fetch", "2"),
    Event("step", "parse\nline two", "3"),
    Event("step", "store", "4"),
    Event("finish", "ok", "5"),
)
SCRIPT = Server(SCRIPT_EVENTS, frozenset({1, 2, 3}), after_end="empty")


# -- feed: never ends, ms-seq ids, keep-alive comments ------------------------------------


def feed_id(index: int) -> str:
    """``hello`` is 0, tick k is k + 1: ms-seq pairs, two per millisecond."""
    return f"{1_700_000_000_000 + index // 2}-{index % 2}"


@dataclass(frozen=True)
class Feed:
    """``hello``, then a tick every ``INTERVAL`` with a comment before each, never ending."""

    ticks: int | None = None
    """Ticks before the body ends (a mutant); ``None``: until the client leaves."""
    comments: bool = True
    stall_after: int | None = None
    """Ticks after which the server goes silent."""

    def events(self, start: int) -> Iterator[Step]:
        if start == 0:
            yield encode([Event("hello", "subscribed", feed_id(0))])
        tick = max(start - 1, 0)
        while self.ticks is None or tick < self.ticks:
            if tick > HANG_LIMIT / INTERVAL:
                return
            if self.stall_after is not None and tick >= self.stall_after:
                yield HANG_LIMIT
            if self.comments:
                yield b": keep-alive\n\n"
            yield INTERVAL
            yield encode([Event("tick", str(tick), feed_id(tick + 1))])
            tick += 1

    def answer(self, request: web.Request, body: bytes) -> Reply:
        value = request.headers.get("Last-Event-ID")
        start = 0
        for index in range(int(HANG_LIMIT / INTERVAL) + 2):
            if value == feed_id(index):
                start = index + 1
                break
        return Reply(self.events(start), headers=SSE)


FEED = Feed()


# -- serving -----------------------------------------------------------------------------


def _route(
    handler: Handler, log: list[Seen]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        log.append(
            Seen(request.method, request.path, dict(request.query), dict(request.headers), body)
        )
        return await send(request, handler(request, body))

    return handle


@contextlib.asynccontextmanager
async def serve(routes: Mapping[str, Handler], log: list[Seen] | None = None) -> AsyncIterator[str]:
    """Serve each path's handler for every method on 127.0.0.1:0; yield the base URL."""
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, _route(handler, [] if log is None else log))
    async with serve_app(app, handler_cancellation=True, shutdown_timeout=0.5) as running:
        yield running.url


PATHS = {"tokens": "/v1/tokens", "script": "/script", "feed": "/feed"}


def routes(contract: str, server: Server | Feed) -> dict[str, Handler]:
    """The route a contract's request goes to, served by ``server``."""
    return {PATHS[contract]: server.answer}
