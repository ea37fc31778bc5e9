"""What one response was, as recorded: its head, its events with their arrival times and
kinds, its framing in counts, and how it ended; and the probes recorded beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contract.classify import Classified
from contract.wire.event import Event
from contract.wire.framing import Framing


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
    classes: tuple[Classified, ...] | None = None
    """Each event's kind, decided as it arrived (the run's one ``Classifier``); ``None`` when
    the recording was made without one (a probe: it is compared event by event)."""

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

    def status_text(self) -> str:
        """``status N``, or how the response ended when no head came, for a message."""
        return f"status {self.status}" if self.status is not None else self.ending_text()


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
