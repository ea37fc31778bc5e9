"""Which event ends a stream: the one after which the response must end (its grace starts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from contract.spec.model import Contract
from contract.wire.event import Event

from .classifier import Classifier


def terminal_test(contract: Contract, classifier: Classifier) -> Callable[[Event], bool]:
    """Whether an event is the one after which the response must end, decided once per
    contract (every event of every stream is asked).

    Exact mode: the last listed event's type and data (a wrong id is the ids rule's
    business, not a reason to wait). Kinds mode: an event of the kind (or type)
    ``[end].after`` names; with no ``after``, none is.
    """
    if contract.exact:
        last = contract.events[-1]
        data, type_ = last.data, last.type
        return lambda event: event.data == data and event.type == type_
    after = contract.end.after
    if after is None:
        return lambda event: False
    return lambda event: classifier.is_named(event, after)


def is_terminal(contract: Contract, classifier: Classifier, event: Event) -> bool:
    """Whether an event is the one after which the response must end (``terminal_test``)."""
    return terminal_test(contract, classifier)(event)


def terminal_index(
    contract: Contract, classifier: Classifier, events: Sequence[Event]
) -> int | None:
    """Where ``events`` reach their terminal event: the first one ``is_terminal`` accepts.

    Without ``[end].after`` in kinds mode, the last event of a stream that must end,
    and none for a stream that never ends.
    """
    if contract.exact or contract.end.after is not None:
        test = terminal_test(contract, classifier)
        return next((i for i, e in enumerate(events) if test(e)), None)
    if contract.end.never or not events:
        return None
    return len(events) - 1
