"""Which kind each event is: its type, then the kind's rules (equal, regex, JSON Schema); pure.

An event takes the first kind, in file order, whose type and data rule fit it. Data
rules are compiled once per contract: the regex, and a ``jsonschema`` validator built
for each schema (JSON Schema 2020-12, formats checked). A kind from an OpenAPI document
also has an event schema, applied to the event as an object before its data rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jsonschema

from ._contract import Contract, Kind
from ._models import Event
from ._openapi_id import reads_id_value
from ._schema import compile_schema

_SHOWN_DATA = 60


def _shorten(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN_DATA else repr(text[: _SHOWN_DATA - 3]) + "..."


Fit = Callable[[Event], bool]
Why = Callable[[Event], str | None]


def _parse_json(data: str) -> tuple[object, str | None]:
    """The JSON value of ``data``, or why it is none."""
    try:
        return json.loads(data), None
    except ValueError as exc:  # JSONDecodeError, or an integer past int()'s limit
        return None, f"data is not JSON ({exc}): {_shorten(data)}"
    except RecursionError:
        return None, "data is not JSON a validator can read: nested too deeply"


def _data_rule(kind: Kind) -> tuple[Callable[[str], bool], Callable[[str], str | None]]:
    """Two functions of an event's data: whether it fits ``kind``'s data rule (fast, for
    every event), and why not (``None`` when it fits; only for the misfits a report shows)."""
    if kind.data is not None:
        wanted = kind.data
        return (
            lambda data: data == wanted,
            lambda data: (
                None if data == wanted else f"data is {_shorten(data)}, not {_shorten(wanted)}"
            ),
        )
    if kind.data_match is not None:
        regex = re.compile(kind.data_match)
        shown = kind.data_match
        return (
            lambda data: regex.fullmatch(data) is not None,
            lambda data: (
                None if regex.fullmatch(data) else f"data {_shorten(data)} does not match /{shown}/"
            ),
        )
    if kind.schema is not None:
        validator = compile_schema(kind.schema)

        def fits(data: str) -> bool:
            value, problem = _parse_json(data)
            return problem is None and validator.is_valid(value)

        def why(data: str) -> str | None:
            value, problem = _parse_json(data)
            if problem is not None:
                return problem
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
            return None if error is None else f"schema: at {error.json_path}: {error.message}"

        return fits, why
    return (lambda data: True), (lambda data: None)


def event_item(event: Event) -> dict[str, str]:
    """The event as OpenAPI's ``itemSchema`` sees it: ``event`` ("message" when the stream
    named none), ``data``, and ``id`` when the lastEventId is set (it persists, as in a browser)."""
    item = {"event": event.type, "data": event.data}
    if event.last_event_id:
        item["id"] = event.last_event_id
    return item


def _rule(kind: Kind) -> tuple[Fit, Why]:
    """Whether an event fits ``kind``'s rules, and why not (``None`` when it fits)."""
    data_fits, data_why = _data_rule(kind)
    if kind.event_schema is None:
        return (lambda event: data_fits(event.data)), (lambda event: data_why(event.data))
    validator = compile_schema(kind.event_schema)

    def fits(event: Event) -> bool:
        return validator.is_valid(event_item(event)) and data_fits(event.data)

    def why(event: Event) -> str | None:
        error = jsonschema.exceptions.best_match(validator.iter_errors(event_item(event)))
        if error is None:
            return data_why(event.data)
        keywords = "/".join(str(part) for part in error.relative_schema_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        return f"event schema: at {error.json_path}: {message} (schema path {keywords})"

    return fits, why


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
    sees of the id, ``_openapi_id.py``): the terminal event's search, every probe
    (which repeats the main stream's events) and repeated data (pings) cost a lookup,
    not another JSON Schema validation.
    """

    def __init__(self, contract: Contract) -> None:
        self._by_type: dict[str, list[tuple[Kind, Fit, Why]]] = {}
        for kind in contract.kinds:
            self._by_type.setdefault(kind.type, []).append((kind, *_rule(kind)))
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
        key = (event.type, event.data, self._id_key(event))
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
