"""The values the contract suite passes around: frozen, slotted dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ._framing import Framing


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
    """The client stopped reading at a limit: a line, an event, the body or the event count."""
    ERROR = "error"
    """No usable response: a redirect loop or a malformed response head."""
    UNREACHABLE = "unreachable"
    """Nothing answered: no server listening, an unknown host, a bad URL."""
    DROPPED = "dropped"
    """The client dropped the connection where the resume fuzzer's plan said."""


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """A parsed event and when the chunk that completed it arrived (seconds after the request)."""

    at: float
    event: Event


@dataclass(frozen=True, slots=True)
class Recording:
    """Everything observed on one response; times are seconds after the request was sent."""

    url: str
    method: str = "GET"
    request_headers: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    events: tuple[TimedEvent, ...] = ()
    ending: Ending = Ending.EOF
    detail: str = ""
    """Why the response ended unless at EOF: the limit, the timeout or the transport error."""
    ended_at: float = 0.0
    framing: Framing = field(default_factory=Framing)
    """How the body was framed, in counts (the bytes are not kept)."""

    def header(self, name: str) -> str | None:
        """The first response header called ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        """Every response header called ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def event_list(self) -> list[Event]:
        """The events without their times."""
        return [timed.event for timed in self.events]

    def media_type(self) -> str:
        """The Content-Type without parameters, lowercased ("" when absent)."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def ending_text(self) -> str:
        """How the response ended, for a message."""
        if self.ending is Ending.EOF:
            return "ended"
        return f"{self.ending.value}: {self.detail}"


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
    details: tuple[str, ...] = ()
    """Lines shown below the result: the resume fuzzer's shrunk plan and how to replay it."""

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
    contract: str = ""
    """The name of the contract checked."""

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
NOTHING_TO_JUDGE = "nothing to judge"


@dataclass(frozen=True, slots=True)
class Options:
    """How the suite runs, beyond the contract: parallel recordings, extra request headers."""

    concurrency: int = 24
    """Responses recorded at once: the probes run side by side."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra request headers sent on every request (authentication, for example)."""
    fuzz_resume: int = 0
    """Plans of drops and reconnections the resume fuzzer draws (0: no fuzzing)."""
    seed: int | None = None
    """The fuzzer's seed (``None``: a random one, shown in the report)."""

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.fuzz_resume < 0:
            raise ValueError(f"fuzz_resume must be 0 or more, got {self.fuzz_resume}")


@dataclass(frozen=True, slots=True)
class Probe:
    """A request sent with a position to resume from, and its response."""

    purpose: str
    """``resume`` (a recorded id), ``done`` (the terminal id or past it) or ``tolerant``."""
    value: str
    """The ``Last-Event-ID`` value (or query parameter value) sent."""
    recording: Recording
    query: str | None = None
    """The query parameter the value went in, instead of the ``Last-Event-ID`` header."""

    @property
    def shown_value(self) -> str:
        """The value, shortened and quoted unless it is a plain integer."""
        plain = self.value.isascii() and self.value.isdigit()
        if len(self.value) > 12:
            unit = "digits" if plain else "chars"
            return f"{self.value[:6]}...({len(self.value)} {unit})"
        return self.value if plain else repr(self.value)

    @property
    def label(self) -> str:
        """How the probe's request is shown in messages."""
        text = self.shown_value
        return f"?{self.query}={text}" if self.query else f"Last-Event-ID: {text}"


@dataclass(frozen=True, slots=True)
class Recordings:
    """The main stream, recorded without a position, and every probe."""

    main: Recording
    probes: tuple[Probe, ...] = ()

    def of(self, purpose: str) -> list[Probe]:
        """The probes sent for ``purpose``, in the order they were planned."""
        return [probe for probe in self.probes if probe.purpose == purpose]
