"""Mutants: each a good server with one thing changed, the rules it must fail, and what they say."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from contract import Event, encode_event
from tests.servers.scripted import Reply

from .servers import (
    SCRIPT,
    SCRIPT_EVENTS,
    SSE,
    TEXT,
    TOKENS,
    TOKENS_EVENTS,
    Answer,
    Feed,
    Server,
    lf,
)


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
