"""One client's stream judged by the core rules, kept as a few numbers and its failures.

The recording itself is dropped once judged: what a load report needs of each client
(when it started, got its head, its first event and its end, how many events, how it
ended, which rules it failed and the first violation of each) is small and the same
whichever process ran it, so outcomes from several processes merge by concatenation.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.classify import Classifier
from contract.rules import check_core
from contract.rules.context import Context
from contract.run.recording import Ending, Recording, Recordings
from contract.spec.model import Contract


@dataclass(frozen=True, slots=True)
class Failure:
    """The first violation of one rule on one client's stream."""

    rule: str
    expected: str
    actual: str
    message: str = ""

    def __str__(self) -> str:
        lead = f"{self.message}: " if self.message else ""
        return f"{lead}expected {self.expected}; actual {self.actual}"


@dataclass(frozen=True, slots=True)
class ClientOutcome:
    """What one client saw and how its stream was judged; times in seconds."""

    number: int
    """1 to N, in the order the clients were started."""
    started: float
    """When it began (connecting, then its request), after the load began."""
    connected_at: float | None
    """After it began: its connection made (``None``: none was)."""
    head_at: float | None
    """After its request: the response head (``None``: none came)."""
    first_event_at: float | None
    ended_at: float
    """After its request: when the recording stopped (the end, a limit, an error)."""
    ending: Ending
    events: int
    error: str | None
    """A connection error by kind: ``refused``, ``reset``, ``timeout``, ``status 503``..."""
    retry_after: str | None
    """The ``Retry-After`` of an error status."""
    summaries: tuple[str, ...]
    """Each core rule's one-line summary, in report order."""
    failures: tuple[Failure, ...]
    """The first violation of each core rule it failed, in report order."""

    @property
    def passed(self) -> bool:
        """Whether its stream passed every core rule."""
        return not self.failures

    @property
    def ended_cleanly(self) -> bool:
        """Whether the server ended the body (a stream that ends)."""
        return self.ending is Ending.EOF


def error_kind(recording: Recording, status: int) -> str | None:
    """How a connection failed, as a kind to count; ``None`` when it did not.

    No connection (``refused``, ``unreachable``), no head in time (``timeout``), a
    connection broken at any point (``reset``), a malformed response (``error``), or a
    status other than the contract's (``status 503``). A time limit after the head is the
    ``end`` rule's business, not a connection error.
    """
    ending = recording.ending
    if ending is Ending.UNREACHABLE:
        return "refused" if "refused" in recording.detail.lower() else "unreachable"
    if recording.status is None:
        return {Ending.TIMEOUT: "timeout", Ending.RESET: "reset"}.get(ending, "error")
    if recording.status != status:
        return f"status {recording.status}"
    if ending is Ending.RESET:
        return "reset"
    return "error" if ending is Ending.ERROR else None


def judge(
    contract: Contract,
    classifier: Classifier,
    recording: Recording,
    number: int,
    started: float,
    *,
    connected_at: float | None = None,
) -> ClientOutcome:
    """Client ``number``'s recording judged by the core rules, with the run's classifier;
    ``connected_at``: when its connection was made, if known."""
    results = check_core(Context(contract, Recordings(recording), classifier))
    failures = tuple(
        Failure(r.rule, v.expected, v.actual, v.message)
        for r in results
        if r.failed
        for v in r.violations[:1]
    )
    error = error_kind(recording, contract.response.status)
    retry = recording.header("Retry-After") if error and error.startswith("status") else None
    return ClientOutcome(
        number=number,
        started=started,
        connected_at=connected_at,
        head_at=recording.head_at,
        first_event_at=recording.events[0].at if recording.events else None,
        ended_at=recording.ended_at,
        ending=recording.ending,
        events=len(recording.events),
        error=error,
        retry_after=retry,
        summaries=tuple(r.summary for r in results),
        failures=failures,
    )
