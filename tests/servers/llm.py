"""OpenAI- and Anthropic-style streaming servers for the shipped example contracts, and mutants.

Each server checks the request as the real API would (key, JSON body, ``"stream": true``)
and answers with a scripted token stream: a pause before every event, so the answer
arrives in pieces. A mutant is a function from the correct ``Stream`` to a wrong one:
one realistic mistake each, named after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiohttp import web

from contract import encode_event

INTERVAL = 0.03
"""Seconds before each event: above the contracts' 0.02 s burst gap."""
SSE = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
HANG_LIMIT = 30.0
"""Seconds a response left open after its last event stays open at most."""


@dataclass(frozen=True)
class Sent:
    """One event as the server writes it."""

    data: str
    type: str | None = None
    id: str | None = None

    @property
    def json(self) -> Any:
        """The data parsed as JSON."""
        return json.loads(self.data)


@dataclass(frozen=True)
class Stream:
    """A whole response: head, events (a pause before each), and what follows the last one."""

    events: tuple[Sent, ...]
    headers: Mapping[str, str] = field(default_factory=lambda: dict(SSE))
    interval: float = INTERVAL
    buffered: bool = False
    """Write everything at once after the last pause, as a buffering proxy delivers it."""
    then: Literal["end", "hang"] = "end"
    comments: tuple[int, ...] = ()
    """Positions before which a ``: ping`` comment line is written."""


Mutant = Callable[[Stream], Stream]


def edit(stream: Stream, index: int, change: Callable[[Sent], Sent]) -> Stream:
    """The stream with event ``index`` changed."""
    events = list(stream.events)
    events[index] = change(events[index])
    return replace(stream, events=tuple(events))


def edit_json(stream: Stream, index: int, change: Callable[[dict[str, Any]], None]) -> Stream:
    """The stream with event ``index``'s JSON data changed in place by ``change``."""

    def one(sent: Sent) -> Sent:
        value = sent.json
        change(value)
        return replace(sent, data=json.dumps(value))

    return edit(stream, index, one)


async def write_stream(request: web.Request, stream: Stream) -> web.StreamResponse:
    """Send ``stream``; a client that leaves ends it quietly."""
    response = web.StreamResponse(headers=stream.headers)
    await response.prepare(request)
    pending = b""
    with contextlib.suppress(ConnectionResetError):
        for index, sent in enumerate(stream.events):
            await asyncio.sleep(stream.interval)
            frame = b": ping\n\n" if index in stream.comments else b""
            frame += encode_event(sent.data, type=sent.type, id=sent.id)
            if stream.buffered:
                pending += frame
            else:
                await response.write(frame)
        if pending:
            await response.write(pending)
        if stream.then == "hang":
            await asyncio.sleep(HANG_LIMIT)
        await response.write_eof()
    return response


def _error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)


async def _streaming_body(request: web.Request, *required: str) -> dict[str, Any] | web.Response:
    """The JSON request body, or the 400 a real API gives when it is not a streaming request."""
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "invalid_request_error", "the body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "invalid_request_error", "the body is not a JSON object")
    missing = [key for key in ("model", "messages", *required) if key not in body]
    if missing:
        return _error(400, "invalid_request_error", f"missing {', '.join(missing)}")
    if body.get("stream") is not True or not body["messages"]:
        return _error(400, "invalid_request_error", "expected stream: true and some messages")
    return body


# -- OpenAI-style chat completions --------------------------------------------------------

CHAT_PIECES = ("Steam", " squeezes", " through", " the", " narrow", " spout", " and", " hums", ".")


def chat_stream(model: str) -> Stream:
    """The correct answer: the role, the text in pieces, finish_reason "stop", then [DONE]."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> Sent:
        body = {
            "id": "chatcmpl-Ex4mpleK3ttle",
            "object": "chat.completion.chunk",
            "created": 1718000000,
            "model": model,
            "system_fingerprint": "fp_0example",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return Sent(json.dumps(body))

    return Stream(
        (
            chunk({"role": "assistant", "content": ""}),
            *(chunk({"content": piece}) for piece in CHAT_PIECES),
            chunk({}, "stop"),
            Sent("[DONE]"),
        )
    )


def _without_created(body: dict[str, Any]) -> None:
    del body["created"]


CHAT_MUTANTS: dict[str, tuple[Mutant, frozenset[str]]] = {
    # Each mutant, and the rules it must fail (exactly these).
    "no-done": (lambda s: replace(s, events=s.events[:-1]), frozenset({"events", "end"})),
    "chunk-without-created": (lambda s: edit_json(s, 3, _without_created), frozenset({"data"})),
    "python-repr": (
        lambda s: edit(s, 2, lambda e: replace(e, data=repr(e.json))),
        frozenset({"data"}),
    ),
    "no-finish-chunk": (
        lambda s: replace(s, events=s.events[:-2] + s.events[-1:]),
        frozenset({"events"}),
    ),
    "numbered-chunks": (
        lambda s: replace(s, events=tuple(replace(e, id=str(i)) for i, e in enumerate(s.events))),
        frozenset({"ids"}),
    ),
    "named-chunks": (
        lambda s: replace(s, events=tuple(replace(e, type="chunk") for e in s.events)),
        frozenset({"events", "end"}),
    ),
    "buffered": (lambda s: replace(s, buffered=True), frozenset({"incremental"})),
    "open-after-done": (lambda s: replace(s, then="hang"), frozenset({"end"})),
    "ndjson-media-type": (
        lambda s: replace(s, headers={"Content-Type": "application/x-ndjson"}),
        frozenset({"head"}),
    ),
}


def chat_app(mutant: Mutant = lambda s: s) -> web.Application:
    """``POST /v1/chat/completions`` answering a streaming request as ``mutant`` says."""

    async def completions(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            return _error(401, "invalid_api_key", "no API key: send Authorization: Bearer KEY")
        body = await _streaming_body(request)
        if isinstance(body, web.Response):
            return body
        return await write_stream(request, mutant(chat_stream(str(body["model"]))))

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    return app


# -- Anthropic-style messages ---------------------------------------------------------------

MESSAGE_PIECES = ("Gardeners", " use", " sundials", " as", " ornaments", " that", " tell", " noon.")


def _named(kind: str, **fields: Any) -> Sent:
    return Sent(json.dumps({"type": kind, **fields}), type=kind)


def message_stream(model: str) -> Stream:
    """The correct answer: message_start, one text block in pieces, message_delta, message_stop."""
    message: dict[str, Any] = {
        "id": "msg_01ExampleSundial",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 19, "output_tokens": 1},
    }
    return Stream(
        (
            _named("message_start", message=message),
            _named("content_block_start", index=0, content_block={"type": "text", "text": ""}),
            _named("ping"),
            *(
                _named("content_block_delta", index=0, delta={"type": "text_delta", "text": piece})
                for piece in MESSAGE_PIECES
            ),
            _named("content_block_stop", index=0),
            _named(
                "message_delta",
                delta={"stop_reason": "end_turn", "stop_sequence": None},
                usage={"output_tokens": 12},
            ),
            _named("message_stop"),
        )
    )


def _typed(kind: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.update(type=kind)


MESSAGE_VALID: dict[str, Mutant] = {
    # Valid variations: each passes the contract.
    "no-ping": lambda s: replace(s, events=tuple(e for e in s.events if e.type != "ping")),
    "pings-everywhere": lambda s: replace(
        s, events=tuple(x for e in s.events for x in (_named("ping"), e))
    ),
    "comment-pings": lambda s: replace(
        s, events=tuple(e for e in s.events if e.type != "ping"), comments=(1, 4, 7)
    ),
}
MESSAGE_MUTANTS: dict[str, tuple[Mutant, frozenset[str]]] = {
    "no-message-stop": (lambda s: replace(s, events=s.events[:-1]), frozenset({"events", "end"})),
    "type-differs-from-name": (
        lambda s: edit_json(s, 4, _typed("content_block_start")),
        frozenset({"data"}),
    ),
    "delta-before-block-start": (
        lambda s: replace(s, events=(s.events[0], s.events[3], *s.events[1:3], *s.events[4:])),
        frozenset({"events"}),
    ),
    "ping-after-stop": (
        lambda s: replace(s, events=(*s.events, _named("ping"))),
        frozenset({"end"}),
    ),
    "unnamed-events": (
        lambda s: replace(s, events=tuple(replace(e, type=None) for e in s.events)),
        frozenset({"events", "end"}),
    ),
    "error-mid-stream": (
        lambda s: replace(
            s,
            events=(
                *s.events[:5],
                _named("error", error={"type": "overloaded_error", "message": "Overloaded"}),
            ),
        ),
        frozenset({"events", "end"}),
    ),
    "ping-without-type": (
        lambda s: edit(s, 2, lambda e: replace(e, data="{}")),
        frozenset({"data"}),
    ),
}


def message_app(mutant: Mutant = lambda s: s) -> web.Application:
    """``POST /v1/messages`` answering a streaming request as ``mutant`` says."""

    async def messages(request: web.Request) -> web.StreamResponse:
        if not request.headers.get("x-api-key"):
            return _error(401, "authentication_error", "x-api-key header is required")
        if not request.headers.get("anthropic-version"):
            return _error(400, "invalid_request_error", "anthropic-version header is required")
        body = await _streaming_body(request, "max_tokens")
        if isinstance(body, web.Response):
            return body
        return await write_stream(request, mutant(message_stream(str(body["model"]))))

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    return app
