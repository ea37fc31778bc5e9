"""What every rule reads: the contract, the recordings, and facts derived from them once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from contract._contract import Contract
from contract._kinds import Classified, Classifier, terminal_index
from contract._models import Event, Recordings


class Context:
    """The contract and the recordings being judged; derived facts are computed on first use."""

    def __init__(self, contract: Contract, recordings: Recordings) -> None:
        self.contract = contract
        self.recordings = recordings
        self.main = recordings.main

    @cached_property
    def classifier(self) -> Classifier:
        """The contract's kinds, compiled."""
        return Classifier(self.contract)

    @cached_property
    def events(self) -> list[Event]:
        """The main recording's events."""
        return self.main.event_list()

    @cached_property
    def classes(self) -> list[Classified]:
        """The kind of each of the main recording's events (kinds mode)."""
        classify = self.classifier.classify
        return [classify(event) for event in self.events]

    @cached_property
    def terminal(self) -> int | None:
        """The index of the main recording's terminal event, if the contract has one and it came."""
        after = self.contract.end.after
        if not self.contract.exact and after is not None and self.contract.kind(after):
            # The kinds are known already: no event is classified twice.
            return next((i for i, c in enumerate(self.classes) if c.kind == after), None)
        return terminal_index(self.contract, self.classifier, self.events)

    @cached_property
    def reference(self) -> list[Event]:
        """The main stream up to its terminal event (all of it when none came, or never ends):
        what a stream resumed from one of its ids must continue with."""
        terminal = self.terminal
        return self.events if terminal is None else self.events[: terminal + 1]

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each id of ``reference`` and the index of the first event that carries it."""
        found: dict[str, int] = {}
        for index, event in enumerate(self.reference):
            found.setdefault(event.last_event_id, index)
        return found


def show(event: Event) -> str:
    """One event in a violation message."""
    data = event.data if len(event.data) <= 60 else event.data[:57] + "..."
    return f"id={event.last_event_id!r} {event.type}: {data!r}"


def ids_text(events: Sequence[Event]) -> str:
    """Ids compactly: ``0..10``, ``4, 4..10``, ``none``."""
    if not events:
        return "none"
    parts: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}")
            run.clear()

    for event in events:
        value = event.last_event_id
        number = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
        if number is not None and run and number == run[-1] + 1:
            run.append(number)
            continue
        flush()
        if len(parts) >= 12:
            parts.append("...")
            return ", ".join(parts)
        if number is None:
            parts.append(repr(value))
        else:
            run.append(number)
    flush()
    return ", ".join(parts)
