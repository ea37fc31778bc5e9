"""One client's stream judged by the core rules, kept as a few numbers and its failures.

The recording itself is dropped once judged: what a load report needs of each client
(when it started, got its head, its first event and its end, how many events, how it
ended, which rules it failed and the first violation of each) is small and the same
whichever process ran it, so outcomes from several processes merge by concatenation.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from contract.classify import Classifier
from contract.rules.context import Context
from contract.rules.data import check_data
from contract.rules.end import check_end
from contract.rules.events import check_events
from contract.rules.framing import check_framing
from contract.rules.head import check_head
from contract.rules.ids import check_ids
from contract.rules.incremental import check_incremental
from contract.rules.result import RuleResult, Violation
from contract.run.recording import Ending, Recording, Recordings
from contract.spec.model import Contract

Failure = Violation
"""The first violation of one rule on one client's stream (what a client's outcome keeps)."""


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


_FIELDS = attrgetter("type", "data", "last_event_id")
_ByEvents = tuple[RuleResult, RuleResult, RuleResult]
"""The results of ``events``, ``data`` and ``ids``."""
REMEMBERED_EVENTS = 100_000
"""Events of the lists whose results ``Judge`` keeps, in all (a bound on its memory)."""


class Judge:
    """The core rules for every client of one run, with the run's classifier.

    The rules that read nothing but the events (``events``, ``data``, ``ids``: the kinds
    follow from the events) are pure functions of the list of events, so their results
    are remembered for each distinct list: a thousand clients that saw the same stream
    cost one judgment of those, as a repeated event costs one classification. The
    others (``head``, ``end``, ``incremental``, ``framing``) read each response's head,
    times and framing, and run for every client.
    """

    def __init__(self, contract: Contract, classifier: Classifier) -> None:
        self.contract = contract
        self.classifier = classifier
        self._by_events: dict[
            tuple[tuple[str, str, str], ...], tuple[RuleResult, RuleResult, RuleResult]
        ] = {}
        self._kept = 0

    def results(self, recording: Recording) -> tuple[RuleResult, ...]:
        """The core rules' results for ``recording``, in report order (as ``check_core``)."""
        ctx = Context(self.contract, Recordings(recording), self.classifier)
        key = tuple(map(_FIELDS, ctx.events))  # compared in C, not by Event.__eq__
        by_events = self._by_events.get(key)
        if by_events is None:
            by_events = (check_events(ctx), check_data(ctx), check_ids(ctx))
            if self._kept + len(key) <= REMEMBERED_EVENTS:
                self._by_events[key] = by_events
                self._kept += len(key)
        events, data, ids = by_events
        return (
            check_head(ctx),
            events,
            data,
            ids,
            check_end(ctx),
            check_incremental(ctx),
            check_framing(ctx),
        )

    def __call__(
        self,
        recording: Recording,
        number: int,
        started: float,
        *,
        connected_at: float | None = None,
    ) -> ClientOutcome:
        """Client ``number``'s recording judged; ``connected_at``: when its connection was
        made, if known."""
        results = self.results(recording)
        failures = tuple(v for r in results if r.failed for v in r.violations[:1])
        error = error_kind(recording, self.contract.response.status)
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
