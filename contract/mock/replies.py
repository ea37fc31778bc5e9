"""What each request to a mock gets: the head, then the body as writes and pauses; pure.

A request without a position (neither ``Last-Event-ID`` nor the contract's query parameter)
gets the whole stream. A position that is an id of the stream gets what followed it there,
or ``[resume] after_end`` for the terminal id (and, with ``past_end``, for integer ids past
it); any other value counts as absent: the whole stream again. A stream that never ends
stays open with comments once its pattern allows no more events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from random import Random

from contract.spec.model import Contract, Resume

from . import breaks
from .errors import MockError
from .event import MockEvent
from .frames import Framer, Pause, Step, Write, choose_style
from .ids import is_past
from .kinds import Pools, draw_pools
from .stream import Stream, first_id

PINGS = 6
"""Keep-alive comments per ``max_silence`` in a long pause: a busy machine may delay a few."""
MEDIA_PARAMETERS = ("", "", "; charset=utf-8", ";charset=UTF-8")
"""After the media type, by seed: parameters a browser ignores."""
CUT_SHORT = b"data: mock: an event cut short"
"""What the body ends with when ``framing`` is broken: a line of an event that never ends."""
LATIN1_NAME = b"event: caf\xe9"
"""An event name in Latin-1 (not UTF-8), in a block without data, when ``framing`` is broken
on a stream that never ends."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One response: its status, its headers, and its body as writes and pauses."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    steps: Iterable[Step] = ()


class Mock:
    """A contract served from data: its stream for a seed, and what each request gets.

    ``rule`` names the one rule to break (``breaks.py``); ``pools`` are the kinds' data when
    already drawn for this contract and seed (``draw_pools``, the slow part).
    """

    def __init__(
        self,
        contract: Contract,
        seed: int = 0,
        rule: str | None = None,
        pools: Pools | None = None,
    ) -> None:
        if rule is not None:
            why = breaks.unbreakable(contract, rule)
            if why:
                raise MockError(f"{contract.source}: cannot break {rule} alone: {why}")
        if pools is None:
            pools = draw_pools(contract, seed, first_id(contract, seed))
        self.contract = contract
        self.seed = seed
        self.rule = rule
        self.stream = Stream(contract, seed, pools, rule)
        self.style = choose_style(Random(f"{seed}:framing"))
        head = Random(f"{seed}:head")
        self.parameters = head.choice(MEDIA_PARAMETERS)
        self.lower_names = head.random() < 0.3
        self.upper = head.random() < 0.2
        """``TEXT/EVENT-STREAM``: a media type is case-insensitive."""
        keepalive = contract.keepalive
        self.ping = keepalive.max_silence / PINGS if keepalive is not None else None
        """Seconds between keep-alive comments in a long pause (``None``: no comments)."""

    def reply(self, position: str | None) -> Reply:
        """The response to a request that resumes from ``position`` (``None``: none given)."""
        stream, contract = self.stream, self.contract
        if position is None:
            return self._stream(0, "")
        found = stream.find(position)
        terminal = stream.terminal
        if found is not None and found != terminal:
            return self._stream(found + (2 if self.rule == "resume" else 1), position)
        resume = contract.resume or Resume()
        last = stream.events[terminal].id if stream.events and terminal is not None else ""
        if found is not None or (last and resume.past_end and is_past(position, last)):
            return self._done(resume)
        if self.rule == "tolerant":
            text = b"Last-Event-ID: not an id of this stream\n"
            return Reply(400, (("Content-Type", "text/plain; charset=utf-8"),), [Write(text)])
        return self._stream(0, "")

    def head(self) -> tuple[tuple[str, str], ...]:
        """The headers of a stream: the media type, no caching, the contract's own."""
        wanted = self.contract.response
        media = (wanted.media_type.upper() if self.upper else wanted.media_type) + self.parameters
        required = list(wanted.headers)
        if self.rule == "head" and required:
            required = required[1:]
        elif self.rule == "head":
            plain = wanted.media_type == "text/event-stream"
            media = "text/plain; charset=utf-8" if plain else "text/event-stream"
        named = {name.lower() for name, _ in wanted.headers}
        defaults = [
            (name, value)
            for name, value in (("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"))
            if name.lower() not in named
        ]
        headers = (("Content-Type", media), *defaults, *required)
        if self.lower_names:  # names are case-insensitive
            return tuple((name.lower(), value) for name, value in headers)
        return headers

    def _done(self, resume: Resume) -> Reply:
        empty = resume.after_end == "empty"
        if self.rule == "done":
            empty = not empty
        if empty:
            return Reply(self.contract.response.status, self.head())
        return Reply(204)

    def _stream(self, start: int, previous: str) -> Reply:
        contract = self.contract
        framer = Framer(self.style, Random(f"{self.seed}:framing:{start}:{previous}"), previous)
        events: Iterable[MockEvent] = self.stream.iterate(start)
        ping = None if self.rule == "keepalive" else self.ping
        opening: list[Step] = [Write(framer.opening())]
        if self.rule == "keepalive":
            opening.append(Write(self.style.comment()))
        if self.rule == "framing" and contract.end.never:
            opening.append(Write(LATIN1_NAME + self.style.eol * 2))
        tail: list[Step] = []
        every = ping or 1.0
        if contract.end.never:
            if self.rule == "end":
                wanted = contract.incremental.bursts if contract.incremental else 2
                events = _bursts(events, wanted + 1)
            else:
                tail.append(Pause(math.inf, self.style.comment(), every))
        elif self.rule == "end":
            hold = contract.limits.seconds + contract.end.grace + 1
            tail.append(Pause(hold, self.style.comment(), min(every, contract.end.grace / 2)))
        elif self.rule == "framing":
            tail.append(Write(CUT_SHORT))
        body = chain(opening, framer.steps(events, ping), tail)
        return Reply(contract.response.status, self.head(), body)


def _bursts(events: Iterable[MockEvent], count: int) -> Iterator[MockEvent]:
    """The events of the first ``count`` bursts (a burst starts at a pause)."""
    started = 0
    for event in events:
        if event.pause > 0 or started == 0:
            started += 1
            if started > count:
                return
        yield event
