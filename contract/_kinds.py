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


def _data_rule(kind: Kind) -> Callable[[str], str | None]:
    """A function of an event's data: ``None`` when it fits ``kind``'s data rule, else why not."""
    if kind.data is not None:
        wanted = kind.data
        return lambda data: (
            None if data == wanted else f"data is {_shorten(data)}, not {_shorten(wanted)}"
        )
    if kind.data_match is not None:
        regex = re.compile(kind.data_match)
        shown = kind.data_match
        return lambda data: (
            None if regex.fullmatch(data) else f"data {_shorten(data)} does not match /{shown}/"
        )
    if kind.schema is not None:
        validator = compile_schema(kind.schema)

        def check(data: str) -> str | None:
            try:
                value = json.loads(data)
            except ValueError as exc:  # JSONDecodeError, or an integer past int()'s limit
                return f"data is not JSON ({exc}): {_shorten(data)}"
            except RecursionError:
                return "data is not JSON a validator can read: nested too deeply"
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
            if error is None:
                return None
            return f"schema: at {error.json_path}: {error.message}"

        return check
    return lambda data: None


def event_item(event: Event) -> dict[str, str]:
    """The event as OpenAPI's ``itemSchema`` sees it: ``event`` ("message" when the stream
    named none), ``data``, and ``id`` when the lastEventId is set (it persists, as in a browser)."""
    item = {"event": event.type, "data": event.data}
    if event.last_event_id:
        item["id"] = event.last_event_id
    return item


def _rule(kind: Kind) -> Callable[[Event], str | None]:
    """A function of an event: ``None`` when it fits ``kind``'s rules, else why not."""
    data_rule = _data_rule(kind)
    if kind.event_schema is None:
        return lambda event: data_rule(event.data)
    validator = compile_schema(kind.event_schema)

    def check(event: Event) -> str | None:
        error = jsonschema.exceptions.best_match(validator.iter_errors(event_item(event)))
        if error is None:
            return data_rule(event.data)
        keywords = "/".join(str(part) for part in error.relative_schema_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        return f"event schema: at {error.json_path}: {message} (schema path {keywords})"

    return check


@dataclass(frozen=True, slots=True)
class Classified:
    """An event's kind, the names it can stand for in the pattern, and why it fits no kind."""

    kind: str | None
    labels: frozenset[str]
    """Its kind; or, when its data fits no kind of its type, every kind of that type."""
    reasons: tuple[str, ...] = ()
    """Per kind of its type, why the data does not fit (empty when it has a kind)."""


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
        self._by_type: dict[str, list[tuple[Kind, Callable[[Event], str | None]]]] = {}
        for kind in contract.kinds:
            self._by_type.setdefault(kind.type, []).append((kind, _rule(kind)))
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
        reasons = []
        for kind, rule in candidates:
            reason = rule(event)
            if reason is None:
                return self._fits[kind.name]
            reasons.append(f"{kind.name}: {reason}" if len(candidates) > 1 else reason)
        return Classified(None, frozenset(kind.name for kind, _ in candidates), tuple(reasons))

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
