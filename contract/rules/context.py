"""What every rule reads: the contract, the recordings, and facts derived from them once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from contract.classify import Classified, Classifier, terminal_index
from contract.run.recording import Recordings
from contract.spec.model import Contract
from contract.wire.event import Event


class Context:
    """The contract and the recordings being judged; derived facts are computed on first use."""

    def __init__(
        self, contract: Contract, recordings: Recordings, classifier: Classifier | None = None
    ) -> None:
        self.contract = contract
        self.recordings = recordings
        self.main = recordings.main
        if classifier is not None:
            self.classifier = classifier

    @cached_property
    def classifier(self) -> Classifier:
        """The contract's kinds, compiled: the run's, or one of its own (hand-made recordings)."""
        return Classifier(self.contract)

    @cached_property
    def events(self) -> list[Event]:
        """The main recording's events."""
        return self.main.event_list()

    @cached_property
    def classes(self) -> Sequence[Classified]:
        """The kind of each of the main recording's events (kinds mode): as the recorder
        decided them, or decided here for a recording made without a classifier."""
        if self.main.classes is not None:
            return self.main.classes
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
