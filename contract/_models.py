"""The values the contract suite passes around: frozen, slotted dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched event, as a browser's ``MessageEvent`` would carry it."""

    type: str
    data: str
    last_event_id: str = ""


class Ending(StrEnum):
    """How a recorded response ended."""

    EOF = "eof"
    """The server ended the body."""
    TIMEOUT = "timeout"
    """The client stopped waiting: total time, idle time or the grace after ``close`` ran out."""
    RESET = "reset"
    """The connection broke mid-response."""
    LIMIT = "limit"
    """The client stopped reading at a size limit (a line, an event or the whole body)."""
    ERROR = "error"
    """No usable response: a redirect loop or a malformed response head."""
    UNREACHABLE = "unreachable"
    """Nothing answered: no server listening, an unknown host, a bad URL."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes as one read returned them, ``at`` seconds after the request was sent."""

    at: float
    data: bytes


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """A parsed event and when the chunk that completed it arrived (seconds after the request)."""

    at: float
    event: Event


@dataclass(frozen=True, slots=True)
class Recording:
    """Everything observed on one response; times are seconds after the request was sent."""

    url: str
    request_headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    chunks: tuple[Chunk, ...] = ()
    events: tuple[TimedEvent, ...] = ()
    ending: Ending = Ending.EOF
    detail: str = ""
    """Why the response ended unless at EOF: the limit, the timeout or the transport error."""
    ended_at: float = 0.0

    def header(self, name: str) -> str | None:
        """The first response header called ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        """Every response header called ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a response breaks a rule: what the rule expects and what the server did."""

    rule: str
    expected: str
    actual: str
    message: str = ""

    def __str__(self) -> str:
        lead = f"{self.message}: " if self.message else ""
        return f"{lead}expected {self.expected}; actual {self.actual}"


class Verdict(StrEnum):
    """The outcome of one rule: core rules pass or fail, extensions get one of three."""

    PASS = "PASS"
    FAIL = "FAIL"
    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT SUPPORTED"
    BROKEN = "BROKEN"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A rule's verdict, a one-line summary, and every violation behind it."""

    rule: str
    extension: bool
    verdict: Verdict
    summary: str
    violations: tuple[Violation, ...] = ()
    required: bool = False

    @property
    def failed(self) -> bool:
        """Whether this result fails a run (a required extension must be supported)."""
        if self.verdict in (Verdict.FAIL, Verdict.BROKEN):
            return True
        return self.required and self.verdict is Verdict.NOT_SUPPORTED


@dataclass(frozen=True, slots=True)
class Report:
    """The suite's result for one URL; ``error`` is set when it could not run at all."""

    url: str
    results: tuple[RuleResult, ...] = ()
    error: str = ""
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        """True when the suite ran and no result fails the run."""
        return not self.error and not any(result.failed for result in self.results)

    @property
    def exit_code(self) -> int:
        """0 passed, 1 a violation, 2 could not run."""
        if self.error:
            return 2
        return 0 if self.passed else 1

    def result(self, rule: str) -> RuleResult:
        """The result of the rule called ``rule``; ``KeyError`` if there is none."""
        for result in self.results:
            if result.rule == rule:
                return result
        raise KeyError(rule)


EXTENSIONS = ("resume", "done", "tolerant", "keepalive")
"""The extension names, as ``--require`` takes them."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much the client reads and waits per response, so no server can hang or flood it."""

    total: float = 60.0
    """Seconds one response may take from request to end."""
    idle: float = 20.0
    """Seconds without a byte before the client gives up (the head included)."""
    close_grace: float = 2.0
    """Seconds the response may stay open after the ``close`` event."""
    max_event_bytes: int = 256 * 1024
    """Bytes one event (or one line) may reach before the client stops reading."""
    max_bytes: int = 4 * 1024 * 1024
    """Bytes one body may reach before the client stops reading."""
    max_redirects: int = 10
    """Redirects followed, as a browser's EventSource would, before giving up."""

    def __post_init__(self) -> None:
        for name in ("total", "idle", "close_grace"):
            value = getattr(self, name)
            if not value > 0 or value == float("inf"):
                raise ValueError(f"{name} must be a finite number of seconds above 0, got {value}")
        for name in ("max_event_bytes", "max_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects must not be negative, got {self.max_redirects}")


@dataclass(frozen=True, slots=True)
class Options:
    """What the suite checks and how: required extensions, resume points, limits, headers."""

    limits: Limits = Limits()
    require: frozenset[str] = frozenset()
    """Extensions that must be supported (names from ``EXTENSIONS``)."""
    resume_ids: tuple[int, ...] = tuple(range(10))
    """The ``Last-Event-ID`` values the resume probes send (each 0 to 9)."""
    keepalive: float = 15.0
    """The longest silence (seconds without a comment line) the keep-alive extension allows."""
    concurrency: int = 24
    """Responses recorded at once: the main stream and the probes run side by side."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra request headers sent on every request (authentication, for example)."""

    def __post_init__(self) -> None:
        unknown = sorted(self.require - set(EXTENSIONS))
        if unknown:
            raise ValueError(
                f"unknown extension {', '.join(unknown)}; choose from {', '.join(EXTENSIONS)}"
            )
        if not self.resume_ids or any(not 0 <= n <= 9 for n in self.resume_ids):
            raise ValueError(f"resume ids must be integers from 0 to 9, got {self.resume_ids}")
        if not self.keepalive > 0:
            raise ValueError(f"keepalive must be above 0 seconds, got {self.keepalive}")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")


@dataclass(frozen=True, slots=True)
class Recordings:
    """The main stream and every probe: resume points, done ids and tolerated ids, by header."""

    main: Recording
    resume: tuple[tuple[int, Recording], ...] = ()
    done: tuple[tuple[str, Recording], ...] = ()
    tolerant: tuple[tuple[str, Recording], ...] = ()
