"""Which event ends a stream: the one after which the response must end (its grace starts)."""

from __future__ import annotations

from collections.abc import Sequence

from contract.spec.model import Contract
from contract.wire.event import Event

from .classifier import Classifier


def is_terminal(contract: Contract, classifier: Classifier, event: Event) -> bool:
    """Whether an event is the one after which the response must end.

    Exact mode: the last listed event's type and data (a wrong id is the ids rule's
    business, not a reason to wait). Kinds mode: an event of the kind (or type)
    ``[end].after`` names; with no ``after``, none is.
    """
    if contract.exact:
        last = contract.events[-1]
        return event.type == last.type and event.data == last.data
    after = contract.end.after
    return after is not None and classifier.is_named(event, after)


def terminal_index(
    contract: Contract, classifier: Classifier, events: Sequence[Event]
) -> int | None:
    """Where ``events`` reach their terminal event: the first one ``is_terminal`` accepts.

    Without ``[end].after`` in kinds mode, the last event of a stream that must end,
    and none for a stream that never ends.
    """
    if contract.exact or contract.end.after is not None:
        return next((i for i, e in enumerate(events) if is_terminal(contract, classifier, e)), None)
    if contract.end.never or not events:
        return None
    return len(events) - 1
