"""A contract as data: what one SSE endpoint must do, loaded from a file (``loader.py``).

The format is described in docs/contract-files.md. Every table of the file has a
frozen dataclass here; a table the file leaves out is ``None`` (its rule has nothing
to judge) or its defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contract.match.pattern import Pattern

from .env import expand
from .errors import ContractError

IdScheme = Literal["sequential", "increasing", "unique", "none", "any"]
ID_SCHEMES: tuple[IdScheme, ...] = ("sequential", "increasing", "unique", "none", "any")
SUPPORTABLE = ("resume", "done", "tolerant")
"""The extensions ``[resume].required`` may name."""


def size_text(count: int) -> str:
    """A byte count in words: ``4 MiB``, ``256 KiB``, ``1000 bytes``."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


@dataclass(frozen=True, slots=True)
class Request:
    """How to open the stream: ``[request]``."""

    method: str = "GET"
    url: str = ""
    """Absolute, or resolved against the URL given on the command line ("" is that URL)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Values may hold ``${NAME}``, read from the environment when the suite runs."""
    body: bytes | None = None
    content_type: str | None = None
    """Set for a ``json`` body."""
    source: str = field(default="", compare=False)
    """The contract file, named in the error for an unset ``${NAME}``."""

    def resolved_headers(
        self, environ: Mapping[str, str] | None = None
    ) -> tuple[tuple[str, str], ...]:
        """The headers with ``${NAME}`` read from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        lead = f"{self.source}: " if self.source else ""
        out = [(n, expand(v, env, f"{lead}request.headers.{n}")) for n, v in self.headers]
        if self.content_type is not None and all(n.lower() != "content-type" for n, _ in out):
            out.append(("Content-Type", self.content_type))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Response:
    """What the head must say: ``[response]``."""

    status: int = 200
    media_type: str = "text/event-stream"
    headers: tuple[tuple[str, str], ...] = ()
    """Must be present; names case-insensitive, values exact."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How long and how much one recording may take: ``[limits]``; no server can exceed them."""

    seconds: float = 60.0
    """Seconds one response may take from request to end."""
    idle_seconds: float = 20.0
    """Seconds without a byte before the client gives up (the head included)."""
    max_bytes: int = 4 * 1024 * 1024
    """Bytes one body may reach before the client stops reading (``bytes``)."""
    max_event_bytes: int = 256 * 1024
    """Bytes one event or line may reach (``event_bytes``)."""
    max_events: int = 100_000
    """Events one recording keeps before the client stops reading (``events``)."""
    max_redirects: int = 10
    """Redirects followed, as a browser's EventSource would (not a file key)."""

    def __post_init__(self) -> None:
        for name in ("seconds", "idle_seconds"):
            value = getattr(self, name)
            if not 0 < value < float("inf"):
                raise ContractError(
                    f"{name} must be a finite number of seconds above 0, got {value}"
                )
        for name in ("max_bytes", "max_event_bytes", "max_events"):
            if getattr(self, name) < 1:
                raise ContractError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_redirects < 0:
            raise ContractError(f"max_redirects must not be negative, got {self.max_redirects}")


@dataclass(frozen=True, slots=True)
class ExpectedEvent:
    """One event of an exact list: ``[[events]]``."""

    type: str = "message"
    data: str = ""
    id: str | None = None
    """The lastEventId it must carry; ``None``: not checked."""
    pause_before: bool = False
    """The server works before this event (the incremental rule)."""


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of event: ``[kinds.NAME]``; at most one data rule."""

    name: str
    type: str = "message"
    data: str | None = None
    """The data must equal this."""
    data_match: str | None = None
    """A Python regular expression the whole data must match."""
    schema: Mapping[str, Any] | None = field(default=None, hash=False)
    """A JSON Schema (2020-12) the data, parsed as JSON, must validate against."""
    event_schema: Mapping[str, Any] | None = field(default=None, hash=False)
    """A JSON Schema the event as an object (``event``, ``data``, ``id``) must validate
    against: an OpenAPI ``itemSchema`` branch (``openapi/``); checked before ``schema``."""
    implicit: bool = False
    """A name used in the pattern but not declared: an event of that type, any data."""


@dataclass(frozen=True, slots=True)
class EventSequence:
    """``[sequence]``: a regular expression over kind names, and kinds allowed anywhere."""

    pattern: str
    anywhere: tuple[str, ...] = ()
    compiled: Pattern = field(init=False, repr=False, compare=False, hash=False)
    """The pattern's automaton, compiled once with the contract (``PatternError`` if bad)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", Pattern(self.pattern))


@dataclass(frozen=True, slots=True)
class End:
    """``[end]``: after which event the response must end, or that it must never end."""

    after: str | None = None
    """A kind or type; ``None``: exact mode's last event, or else any end of the body."""
    grace: float = 2.0
    never: bool = False


@dataclass(frozen=True, slots=True)
class Incremental:
    """``[incremental]``: events must arrive in at least ``bursts`` bursts."""

    bursts: int
    gap: float = 0.02


@dataclass(frozen=True, slots=True)
class Ids:
    """``[ids]``: the scheme every event's lastEventId follows."""

    scheme: IdScheme = "any"
    start: int = 0


@dataclass(frozen=True, slots=True)
class Resume:
    """``[resume]``: what ``Last-Event-ID`` (or a query parameter) must do."""

    from_ids: tuple[str, ...] | None = None
    """``None``: every recorded id (at most ``MAX_RESUME_POINTS``, spread evenly)."""
    after_end: int | Literal["empty"] = 204
    tolerate: tuple[str, ...] = ()
    query: str | None = None
    required: frozenset[str] = frozenset()
    past_end: bool = False
    """Integer ids after the terminal one (its successor, a 5,000-digit one) count as done too."""


MAX_RESUME_POINTS = 20


@dataclass(frozen=True, slots=True)
class Keepalive:
    """``[keepalive]``: bytes at least every ``max_silence`` seconds while the stream is open."""

    max_silence: float = 15.0
    required: bool = False


@dataclass(frozen=True, slots=True)
class OpenAPISource:
    """Where a contract's request and kinds came from: one operation of an OpenAPI document."""

    file: str
    operation: str
    """The operation as ``operationId (METHOD /path)``."""
    version: str
    """The document's ``openapi`` version."""
    shape: str = "itemSchema"
    """``itemSchema``, or ``schema`` for a 3.0/3.1 document read as Schemathesis reads it."""


@dataclass(frozen=True, slots=True)
class Contract:
    """One endpoint's contract: either an exact list of events, or kinds and a pattern."""

    name: str
    source: str
    """Where it was loaded from, for messages."""
    request: Request = Request()
    response: Response = Response()
    limits: Limits = Limits()
    events: tuple[ExpectedEvent, ...] = ()
    """Exact mode when not empty."""
    kinds: tuple[Kind, ...] = ()
    sequence: EventSequence | None = None
    end: End = End()
    incremental: Incremental | None = None
    ids: Ids = Ids()
    resume: Resume | None = None
    keepalive: Keepalive | None = None
    require: frozenset[str] = frozenset()
    """Extensions that must be supported, added by the command line or the plugin."""
    openapi: OpenAPISource | None = None
    """Set when the request and the kinds came from an OpenAPI document."""

    @property
    def exact(self) -> bool:
        """True for an exact list of events, False for kinds and a pattern."""
        return bool(self.events)

    @property
    def required(self) -> frozenset[str]:
        """Every extension that must be supported: the file's and the caller's."""
        names = set(self.require)
        if self.resume is not None:
            names |= self.resume.required
        if self.keepalive is not None and self.keepalive.required:
            names.add("keepalive")
        return frozenset(names)

    def kind(self, name: str) -> Kind | None:
        """The kind called ``name``, declared or implicit."""
        return next((kind for kind in self.kinds if kind.name == name), None)
