"""Which kind each event is: its type, then the kind's rules (``fits.py``); pure.

An event takes the first kind, in file order, whose type and rules fit it. One
``Classifier`` is built per run and shared by the recorder (which keeps each event's
kind with the recording), the planner, the rules and the fuzzer.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.spec.model import Contract, Kind
from contract.spec.openapi.ids import reads_id_value
from contract.wire.event import Event

from .fits import Fit, Why, kind_rule


@dataclass(frozen=True, slots=True)
class Classified:
    """An event's kind, and the names it can stand for in the pattern."""

    kind: str | None
    labels: frozenset[str]
    """Its kind; or, when its data fits no kind of its type, every kind of that type."""

    @property
    def misfit(self) -> bool:
        """Its type has kinds, but it fits none of them (``Classifier.reasons`` says why)."""
        return self.kind is None and bool(self.labels)


MAX_REMEMBERED = 1 << 18
"""Distinct (type, data) pairs (with the id for OpenAPI kinds) a classifier keeps the answer for."""


class Classifier:
    """Assigns kinds to events for one contract; built once, used for every event.

    Each distinct (type, data) is judged once (with what an OpenAPI kind's event schema
    sees of the id, ``spec/openapi/ids.py``): the terminal event's search, every probe
    (which repeats the main stream's events) and repeated data (pings) cost a lookup,
    not another JSON Schema validation.
    """

    def __init__(self, contract: Contract) -> None:
        self._by_type: dict[str, list[tuple[Kind, Fit, Why]]] = {}
        for kind in contract.kinds:
            self._by_type.setdefault(kind.type, []).append((kind, *kind_rule(kind)))
        self._misfits = {
            type_: Classified(None, frozenset(kind.name for kind, _, _ in kinds))
            for type_, kinds in self._by_type.items()
        }
        self._names = {kind.name: kind for kind in contract.kinds}
        self._fits = {
            kind.name: Classified(kind.name, frozenset((kind.name,))) for kind in contract.kinds
        }
        self._unknown = Classified(None, frozenset())
        self._seen: dict[tuple[str, str, str], Classified] = {}
        # An OpenAPI kind's event schema sees the id too: its value, or whether there is one.
        self._id_seen: dict[str, bool] = {}
        for kind in contract.kinds:
            if kind.event_schema is not None:
                value = reads_id_value(kind.event_schema)
                self._id_seen[kind.type] = self._id_seen.get(kind.type, False) or value

    def classify(self, event: Event) -> Classified:
        """The event's kind, or why it has none."""
        key = (event.type, event.data, self._id_key(event) if self._id_seen else "")
        found = self._seen.get(key)
        if found is None:
            found = self._judge(event)
            if len(self._seen) < MAX_REMEMBERED:
                self._seen[key] = found
        return found

    def _id_key(self, event: Event) -> str:
        """What the kinds of the event's type can see of its id: "" when nothing."""
        value = self._id_seen.get(event.type)
        if value is None or not event.last_event_id:
            return ""
        return "=" + event.last_event_id if value else "set"

    def _judge(self, event: Event) -> Classified:
        candidates = self._by_type.get(event.type)
        if not candidates:
            return self._unknown
        for kind, fits, _ in candidates:
            if fits(event):
                return self._fits[kind.name]
        return self._misfits[event.type]

    def reasons(self, event: Event) -> tuple[str, ...]:
        """Why the event fits no kind of its type, per kind (empty when it fits one)."""
        candidates = self._by_type.get(event.type, [])
        found = []
        for kind, _, why in candidates:
            reason = why(event)
            if reason is None:
                return ()
            found.append(f"{kind.name}: {reason}" if len(candidates) > 1 else reason)
        return tuple(found)

    def is_named(self, event: Event, name: str) -> bool:
        """Whether the event is of kind ``name``, or of type ``name`` when no kind is so called."""
        kind = self._names.get(name)
        if kind is None:
            return event.type == name
        if event.type != kind.type:
            return False
        return self.classify(event).kind == name
