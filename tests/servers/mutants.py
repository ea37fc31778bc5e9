"""Servers for the contracts in tests/contracts/: a good one each, and mutants that break one rule.

``Server`` describes an endpoint that streams a fixed list of events (``tokens``,
``script``): how it frames and chunks them, where it pauses, and how it answers a
position to resume from (``Last-Event-ID`` or a query parameter). ``Feed`` is the
never-ending ``feed``. A mutant is the good server with one thing changed; ``BROKEN``
lists each with the rules it must fail, and the words its report must contain.
``serve`` runs endpoints on 127.0.0.1 port 0 for any method, and logs each request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from aiohttp import web

from contract import Event, encode, encode_event
from tests.support.serving import serve_app

from .scripted import Reply, Step, send, split_bytes

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


def _tokens(*events: Event) -> tuple[Event, ...]:
    """Events numbered 0, 1, ... as the tokens contract wants."""
    return tuple(replace(e, last_event_id=str(i)) for i, e in enumerate(events))


def _with_ids(events: Sequence[Event], ids: str) -> tuple[Event, ...]:
    """The events with these ids (as a browser sees them), in order."""
    return tuple(replace(e, last_event_id=i) for e, i in zip(events, ids.split(), strict=True))


def _no_id_for_pings(event: Event) -> bytes:
    if event.type == "ping":
        return encode_event(event.data, type="ping")
    return lf(event)


def _latin1_model(event: Event) -> bytes:
    """The start event's JSON with a model name in Latin-1: invalid UTF-8, valid JSON after."""
    if event.type == "start":
        return b'id: 0\nevent: start\ndata: {"model": "caf\xe9", "n": 3}\n\n'
    return lf(event)


def _nul_id_line_first(event: Event) -> bytes:
    """An id line with NUL (which a browser ignores) before the real one."""
    return f"id: {event.last_event_id}\0x\n".encode() + lf(event)


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


# -- the mutants -------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """A broken server, the contract it breaks, the rules it must fail, and what they say."""

    contract: str
    server: Server | Feed
    fails: frozenset[str]
    says: str
    """Words the failing rules' violations must contain."""


def _mutant(contract: str, server: Server | Feed, fails: str, says: str) -> Mutant:
    return Mutant(contract, server, frozenset(fails.split()), says)


def _refuse(status: int) -> Callable[[str, bool], Answer]:
    """A server that answers ``status`` to any position that is not one of its ids."""

    def position(value: str, in_query: bool) -> Answer:
        if value.isdigit() and int(value) < 6:
            return None
        return Reply([b"bad position"], status, TEXT)

    return position


_LATE_PING = Event("ping", '{"type": "ping"}', "6")
_EXTRA_TYPE = Event("thinking", "hmm", "")

BROKEN: dict[str, Mutant] = {
    # head
    "tokens-cache-control-no-store": _mutant(
        "tokens",
        replace(TOKENS, headers={**SSE, "Cache-Control": "no-store"}),
        "head",
        "Cache-Control: no-store",
    ),
    "tokens-no-cache-control": _mutant(
        "tokens",
        replace(TOKENS, headers={"Content-Type": "text/event-stream"}),
        "head",
        "no Cache-Control header",
    ),
    "script-text-plain": _mutant(
        "script", replace(SCRIPT, headers=TEXT), "head", "Content-Type text/plain"
    ),
    # events
    "tokens-unknown-type": _mutant(
        "tokens",
        replace(TOKENS, events=_tokens(*TOKENS_EVENTS[:2], _EXTRA_TYPE, *TOKENS_EVENTS[2:])),
        "events",
        "no kind has type 'thinking'",
    ),
    "tokens-one-token": _mutant(
        "tokens",
        replace(
            TOKENS, events=_tokens(*TOKENS_EVENTS[:3], TOKENS_EVENTS[5]), pauses=frozenset({1, 3})
        ),
        "events",
        "one of: token",
    ),
    "script-other-data": _mutant(
        "script",
        replace(
            SCRIPT, events=(*SCRIPT_EVENTS[:3], Event("step", "stored", "4"), SCRIPT_EVENTS[4])
        ),
        "events",
        "'stored'",
    ),
    "script-swapped": _mutant(
        "script",
        replace(
            SCRIPT,
            events=(
                SCRIPT_EVENTS[0],
                replace(SCRIPT_EVENTS[2], last_event_id="2"),
                replace(SCRIPT_EVENTS[1], last_event_id="3"),
                *SCRIPT_EVENTS[3:],
            ),
        ),
        "events",
        "'fetch'",
    ),
    # data
    "tokens-capital-token": _mutant(
        "tokens",
        replace(
            TOKENS, events=(*TOKENS_EVENTS[:3], Event("message", "Beta", "3"), *TOKENS_EVENTS[4:])
        ),
        "data",
        "does not match /[a-z]+/",
    ),
    "tokens-ping-other-data": _mutant(
        "tokens",
        replace(
            TOKENS, events=(*TOKENS_EVENTS[:2], Event("ping", "pong", "2"), *TOKENS_EVENTS[3:])
        ),
        "data",
        "data is 'pong', not '{\"type\": \"ping\"}'",
    ),
    "tokens-start-not-json": _mutant(
        "tokens",
        replace(TOKENS, events=(Event("start", "model=teeth-1", "0"), *TOKENS_EVENTS[1:])),
        "data",
        "data is not JSON",
    ),
    "tokens-start-breaks-schema": _mutant(
        "tokens",
        replace(
            TOKENS, events=(Event("start", '{"model": "teeth-1", "n": 0}', "0"), *TOKENS_EVENTS[1:])
        ),
        "data",
        "schema: at $.n: 0 is less than the minimum of 1",
    ),
    # ids
    "tokens-ids-from-one": _mutant(
        "tokens",
        replace(
            TOKENS,
            events=_with_ids(TOKENS_EVENTS, "1 2 3 4 5 6"),
        ),
        "ids",
        "expected id 0; actual id '1'",
    ),
    "tokens-repeated-id": _mutant(
        "tokens",
        replace(
            TOKENS,
            events=_with_ids(TOKENS_EVENTS, "0 1 2 3 3 4"),
        ),
        "ids",
        "expected id 4; actual id '3'",
    ),
    "tokens-pings-without-ids": _mutant(
        "tokens",
        replace(
            TOKENS,
            events=_with_ids(TOKENS_EVENTS, "0 1 1 3 4 5"),
            frame=_no_id_for_pings,
        ),
        "ids",
        "expected id 2; actual id '1'",
    ),
    # end
    "tokens-open-after-done": _mutant(
        "tokens", replace(TOKENS, then="hang"), "end", "still open 0.3 s after the terminal event"
    ),
    "tokens-ping-after-done": _mutant(
        "tokens",
        replace(TOKENS, events=(*TOKENS_EVENTS, _LATE_PING), terminal=5),
        "end",
        "1 event(s) after it",
    ),
    "tokens-reset-after-done": _mutant(
        "tokens", replace(TOKENS, then="reset"), "end", "expected the response to end within"
    ),
    "feed-ends": _mutant("feed", Feed(ticks=6), "end", "expected the stream to stay open"),
    # incremental
    "tokens-all-at-once": _mutant(
        "tokens", replace(TOKENS, chunks="once"), "incremental", "in 1 burst(s)"
    ),
    "tokens-two-bursts": _mutant(
        "tokens", replace(TOKENS, chunks="halves"), "incremental", "in 2 burst(s)"
    ),
    "script-all-at-once": _mutant(
        "script", replace(SCRIPT, chunks="once"), "incremental", "in 1 burst(s)"
    ),
    # framing
    "tokens-invalid-utf8-in-data": _mutant(
        "tokens", replace(TOKENS, frame=_latin1_model), "framing", "invalid UTF-8"
    ),
    "tokens-nul-in-an-id-line": _mutant(
        "tokens", replace(TOKENS, frame=_nul_id_line_first), "framing", "with NUL"
    ),
    "script-cut-off-trailing-event": _mutant(
        "script",
        replace(SCRIPT, trailer=b"event: step\ndata: extra"),
        "framing",
        "it ends inside an event",
    ),
    # resume
    "tokens-resume-repeats": _mutant(
        "tokens",
        replace(TOKENS, resume_at=lambda index: index),
        "resume",
        "sent again or unexpected",
    ),
    "tokens-resume-skips": _mutant(
        "tokens", replace(TOKENS, resume_at=lambda index: index + 2), "resume", "missing"
    ),
    "tokens-resume-query-ignored": _mutant(
        "tokens",
        replace(TOKENS, position=lambda value, in_query: 0 if in_query and value != "5" else None),
        "resume",
        "?last_event_id=",
    ),
    "script-resume-500": _mutant(
        "script",
        replace(
            SCRIPT,
            position=lambda value, in_query: (
                Reply([b"no"], 500, TEXT) if value in ("2", "3", "4") else None
            ),
        ),
        "resume",
        "status 500",
    ),
    # done
    "tokens-done-200-again": _mutant(
        "tokens",
        replace(
            TOKENS,
            position=lambda value, in_query: len(TOKENS_EVENTS) - 1 if value == "5" else None,
        ),
        "done",
        "status 200 with ids 5",
    ),
    "tokens-done-500": _mutant(
        "tokens",
        replace(
            TOKENS,
            position=lambda value, in_query: Reply([b"gone"], 500, TEXT) if value == "5" else None,
        ),
        "done",
        "status 500",
    ),
    "script-done-204": _mutant(
        "script",
        replace(SCRIPT, after_end=204),
        "done",
        "expected 200 with no event; actual status 204",
    ),
    # tolerant
    "tokens-400-on-malformed": _mutant(
        "tokens", replace(TOKENS, position=_refuse(400)), "tolerant", "status 400"
    ),
    "tokens-malformed-query-empty": _mutant(
        "tokens",
        replace(
            TOKENS, position=lambda value, in_query: 6 if in_query and not value.isdigit() else None
        ),
        "tolerant",
        "?last_event_id='abc'",
    ),
    "script-500-on-malformed": _mutant(
        "script", replace(SCRIPT, position=_refuse(500)), "tolerant", "status 500"
    ),
    # keepalive
    "tokens-comments-then-silent": _mutant(
        "tokens",
        replace(TOKENS, comments=True, stall=0.5),
        "keepalive",
        "expected some bytes at least every 0.2 s while open",
    ),
    "feed-silent-no-comments": _mutant(
        "feed", Feed(comments=False, stall_after=5), "keepalive", "0 comment line(s)"
    ),
    "feed-stalls": _mutant("feed", Feed(stall_after=5), "keepalive", "s of silence from"),
}
"""Broken servers: each fails exactly ``fails`` under its contract file."""


# -- valid variations ----------------------------------------------------------------------


def _newline(newline: str) -> Frame:
    return lambda event: encode([event], newline=newline, with_ids=bool(event.last_event_id))


def _lines(event: Event) -> list[bytes]:
    head = [f"id: {event.last_event_id}".encode()]
    if event.type != "message":
        head.append(f"event: {event.type}".encode())
    return head + [f"data: {line}".encode() for line in event.data.split("\n")]


def _mixed(event: Event) -> bytes:
    """Field lines ending in turn with LF, CR, CRLF; the blank line with CRLF (CR then LF
    would be one CRLF, no blank line)."""
    endings = (b"\n", b"\r", b"\r\n")
    lines = [line + endings[i % 3] for i, line in enumerate(_lines(event))]
    return b"".join(lines) + b"\r\n"


def _commented(event: Event) -> bytes:
    """Comments between all fields (one in Latin-1, invalid UTF-8), retry and unknown fields."""
    extras = [b": caf\xe9 au lait", b"retry: 100", b"x-trace: 1", b":"]
    out = [b": before"]
    for index, line in enumerate(_lines(event)):
        out += [line, extras[index % len(extras)]]
    return b"\n".join([*out, b"", b""])


VALID: dict[str, tuple[str, Server]] = {
    "tokens-lf": ("tokens", TOKENS),
    "tokens-cr": ("tokens", replace(TOKENS, frame=_newline("\r"))),
    "tokens-crlf": ("tokens", replace(TOKENS, frame=_newline("\r\n"))),
    "tokens-mixed-endings": ("tokens", replace(TOKENS, frame=_mixed)),
    "tokens-bom": ("tokens", replace(TOKENS, prefix=BOM)),
    "tokens-one-byte-chunks-bom-crlf": (
        "tokens",
        replace(TOKENS, prefix=BOM, frame=_newline("\r\n"), chunks="bytes"),
    ),
    "tokens-comments-everywhere": (
        "tokens",
        replace(
            TOKENS, frame=_commented, prefix=b": hello\n\n", trailer=b": bye\n\n", comments=True
        ),
    ),
    "script-lf": ("script", SCRIPT),
    "script-one-byte-chunks-cr": ("script", replace(SCRIPT, frame=_newline("\r"), chunks="bytes")),
}
"""Valid ways to frame and chunk the same events: each passes its contract."""
