"""Servers for the contract suite's tests: valid re-framings pass, broken ones fail.

Each factory takes the work interval and returns a ``Responder`` for ``serve_app``.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace

from aiohttp import web

from contract import Event, encode
from tests.contract.support import CORE_EVENTS

from .scripted import (
    SSE,
    Reply,
    Responder,
    Step,
    core_steps,
    frame_steps,
    last_event_id,
    resume_after,
    split_bytes,
)

Factory = Callable[[float], Responder]
BOM = b"\xef\xbb\xbf"
_TEXT = {"Content-Type": "text/plain"}
KEEPALIVE_HEADERS = {**SSE, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
KEEPALIVE_BOUND = 0.1
"""The keep-alive bound (seconds) the broken servers are checked with."""


def _constant(reply: Callable[[float], Reply]) -> Factory:
    """A server that answers every request alike, whatever its ``Last-Event-ID``."""
    return lambda interval: lambda request: reply(interval)


def _framed(
    frame: Callable[[Event], bytes], prefix: bytes = b"", one_byte: bool = False
) -> Factory:
    def reply(interval: float) -> Reply:
        steps: list[Step] = [prefix] if prefix else []
        steps += frame_steps(CORE_EVENTS, interval, frame)
        return Reply(split_bytes(steps) if one_byte else steps)

    return _constant(reply)


def _newline(newline: str) -> Callable[[Event], bytes]:
    return lambda event: encode([event], newline=newline)


def _extras(event: Event) -> bytes:
    """No space after colons, comments, ``retry`` and unknown fields around every event."""
    return (
        f": before {event.last_event_id}\n"
        f"retry: 2500\n"
        f"x-trace: {event.last_event_id}\n"
        f"id:{event.last_event_id}\n"
        f"event:{event.type}\n"
        f": between\n"
        f"data:{event.data}\n"
        f"\n"
    ).encode()


def _mixed(event: Event) -> bytes:
    """Each line with another line ending."""
    return (f"id: {event.last_event_id}\r\nevent: {event.type}\rdata: {event.data}\n\r\n").encode()


def _batched(interval: float) -> Reply:
    """Everything due at one moment in one write, as the aiohttp port does."""
    steps: list[Step] = []
    for step in core_steps(interval):
        if isinstance(step, bytes) and steps and isinstance(steps[-1], bytes):
            steps[-1] += step
        else:
            steps.append(step)
    return Reply(steps)


REFRAMINGS: dict[str, Factory] = {
    "lf": _framed(_newline("\n")),
    "cr": _framed(_newline("\r")),
    "crlf": _framed(_newline("\r\n")),
    "mixed-endings": _framed(_mixed),
    "bom": _framed(_newline("\n"), prefix=BOM),
    "comments-retry-unknown-fields": _framed(_extras, prefix=b": hello\n\n"),
    "one-byte-chunks-crlf-bom": _framed(_newline("\r\n"), prefix=BOM, one_byte=True),
    "one-byte-chunks-cr": _framed(_newline("\r"), one_byte=True),
    "batched-writes": _constant(_batched),
}
"""Valid ways to frame the contract's events: every one must pass the core."""


# -- broken servers ----------------------------------------------------------------------


def _events_reply(events: list[Event], **changes: object) -> Factory:
    def reply(interval: float) -> Reply:
        return replace(Reply(frame_steps(events, interval)), **changes)  # type: ignore[arg-type]

    return _constant(reply)


def _renumbered(events: list[Event], start: int = 0) -> list[Event]:
    return [replace(event, last_event_id=str(start + i)) for i, event in enumerate(events)]


def _skipped_id() -> list[Event]:
    return [replace(e, last_event_id=str(i if i < 3 else i + 1)) for i, e in enumerate(CORE_EVENTS)]


def _buffered(interval: float) -> Reply:
    return Reply([4 * interval, encode(CORE_EVENTS)])


def _no_final_blank_line(interval: float) -> Reply:
    steps = core_steps(interval)
    last = steps[-1]
    assert isinstance(last, bytes)
    return Reply([*steps[:-1], last.removesuffix(b"\n")])


def _resume(shift: int) -> Factory:
    """Resumes after ``n`` at ``n + 1 + shift``: -1 repeats id n, +1 skips id n+1."""

    def factory(interval: float) -> Responder:
        def respond(request: web.Request) -> Reply:
            after = resume_after(request)
            if after > 9:
                after = -1
            start = after + 1 + shift if after >= 0 else 0
            return Reply(frame_steps(CORE_EVENTS[start:], interval))

        return respond

    return factory


def _port_like(tolerant: bool = True, big_done: bool = True) -> Factory:
    """Resume and done as the port does them, with one of them done wrong."""

    def factory(interval: float) -> Responder:
        def respond(request: web.Request) -> Reply:
            value = last_event_id(request)
            if value is not None and value.isascii() and value.isdigit():
                try:
                    number = int(value)
                except ValueError:  # more digits than int() takes
                    if not big_done:
                        return Reply(
                            [b"Internal Server Error"], 500, {"Content-Type": "text/plain"}
                        )
                    number = 10
                if number >= 10:
                    return Reply(status=204)
                return Reply(core_steps(interval, number))
            if value is not None and not tolerant:
                return Reply([b"Bad Last-Event-ID"], 500, _TEXT)
            return Reply(core_steps(interval))

        return respond

    return factory


def _pings_then_silent(interval: float) -> Reply:
    """A keep-alive comment at first, then a silence of four keep-alive bounds before close."""
    steps = core_steps(interval)
    return Reply(
        [b": ping\n\n", *steps[:-1], 4 * KEEPALIVE_BOUND, steps[-1]], headers=KEEPALIVE_HEADERS
    )


def _gzip(interval: float) -> Reply:
    """The run's work done (its four pauses), every event held back, then all of them gzipped."""
    body = gzip.compress(encode(CORE_EVENTS))
    return Reply([4 * interval, body], headers={**SSE, "Content-Encoding": "gzip"})


_EXTRA = Event("progress", "function2 ended", "11")
_HALF_DONE = Event("progress", "function1 half done", "2")
_SWAPPED = [*CORE_EVENTS[5:10], *CORE_EVENTS[:5], CORE_EVENTS[10]]

BROKEN: dict[str, tuple[Factory, frozenset[str]]] = {
    "missing-close": (_events_reply(list(CORE_EVENTS[:-1])), frozenset({"events", "end"})),
    "wrong-order": (_events_reply(_renumbered(_SWAPPED)), frozenset({"events"})),
    "skipped-id": (_events_reply(_skipped_id()), frozenset({"events", "ids"})),
    "duplicate-event": (
        _events_reply([*CORE_EVENTS[:3], *CORE_EVENTS[2:]]),
        frozenset({"events", "ids"}),
    ),
    "ids-from-one": (
        _events_reply(_renumbered(list(CORE_EVENTS), 1)),
        frozenset({"events", "ids"}),
    ),
    "event-after-close": (_events_reply([*CORE_EVENTS, _EXTRA]), frozenset({"events", "end"})),
    "wrong-data": (
        _events_reply([*CORE_EVENTS[:2], _HALF_DONE, *CORE_EVENTS[3:]]),
        frozenset({"events"}),
    ),
    "never-ending": (_events_reply(list(CORE_EVENTS), then="hang"), frozenset({"end"})),
    "reset-mid-stream": (
        _events_reply(list(CORE_EVENTS[:6]), then="reset"),
        frozenset({"events", "end"}),
    ),
    "buffered-until-the-end": (_constant(_buffered), frozenset({"incremental"})),
    "wrong-content-type": (
        _events_reply(list(CORE_EVENTS), headers={"Content-Type": "text/plain"}),
        frozenset({"head"}),
    ),
    "wrong-status": (_events_reply(list(CORE_EVENTS), status=202), frozenset({"head"})),
    # Decoded as a browser decodes it, the body is right, but a compressor that holds every
    # event back until the end shows as one burst.
    "compressed-all-at-once": (_constant(_gzip), frozenset({"incremental"})),
    "missing-final-blank-line": (
        _constant(_no_final_blank_line),
        frozenset({"events", "end", "framing"}),
    ),
    "resume-repeats-an-event": (_resume(-1), frozenset({"resume"})),
    "resume-at-wrong-id": (_resume(+1), frozenset({"resume"})),
    "500-on-malformed-last-event-id": (_port_like(tolerant=False), frozenset({"tolerant"})),
    "500-on-a-5000-digit-id": (_port_like(big_done=False), frozenset({"done"})),
    "keepalive-pings-then-silent": (_constant(_pings_then_silent), frozenset({"keepalive"})),
}
"""Broken servers and exactly the rules each must fail (checked with keepalive at 0.1 s)."""
