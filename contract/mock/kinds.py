"""Data for each kind of a contract: drawn from its JSON Schema, regex or literal, and checked
here, apart from the suite's classifier, so that the mock stays an oracle for it.

An event is of kind K when its type is K's, its data fits K's rule (equal, the regex on the
whole data, the JSON Schema on the parsed data) and, for an OpenAPI kind, the event as an
object (``event``, ``data``, ``id``) fits K's event schema; and when no kind declared before
K with the same type fits it too (an event takes the first kind that fits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from contract.spec.model import Contract, Kind

from . import ecma
from .draws import NothingDrawn, examples
from .values import characters, json_values, text

MAX_KNOWN = 4096
"""Events whose kind an oracle remembers (a pool's data, with each id an event schema reads)."""
POOL = 8
"""Distinct data drawn per kind, at most: a stream picks from them."""


def _validator(schema: Mapping[str, Any]) -> Any:
    return ecma.validator(schema)


def _item(type_: str, data: str, last_event_id: str) -> dict[str, str]:
    item = {"event": type_, "data": data}
    if last_event_id:
        item["id"] = last_event_id
    return item


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: str) -> tuple[Any, bool]:
    """The value of ``data`` as a browser's ``JSON.parse`` reads it, and whether it is JSON
    (``NaN`` and ``Infinity``, which Python's ``json`` reads and writes, are not)."""
    try:
        return json.loads(data, parse_constant=_no_constant), True
    except (ValueError, RecursionError):
        return None, False


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: Kind
    fits: Callable[[str, str], bool]
    """Whether data (and the event's id) fit the kind's rules."""


def _rule(kind: Kind) -> _Rule:
    checks: list[Callable[[str, str], bool]] = []
    if kind.data is not None:
        wanted = kind.data
        checks.append(lambda data, _: data == wanted)
    if kind.data_match is not None:
        regex = re.compile(kind.data_match)
        checks.append(lambda data, _: regex.fullmatch(data) is not None)
    if kind.schema is not None:
        schema = _validator(kind.schema)

        def json_fits(data: str, _: str) -> bool:
            value, ok = parse_json(data)
            return ok and bool(schema.is_valid(value))

        checks.append(json_fits)
    if kind.event_schema is not None:
        events = _validator(kind.event_schema)
        type_ = kind.type
        checks.append(lambda data, id_: bool(events.is_valid(_item(type_, data, id_))))
    return _Rule(kind, lambda data, id_: all(check(data, id_) for check in checks))


class Oracle:
    """Which kind an event is, decided from the contract alone."""

    def __init__(self, contract: Contract) -> None:
        self._rules = [_rule(kind) for kind in contract.kinds]
        self._events = [
            (kind.type, _validator(kind.event_schema))
            for kind in contract.kinds
            if kind.event_schema is not None
        ]
        self._reads_ids = {k.type for k in contract.kinds if k.event_schema is not None}
        self._known: dict[tuple[str, str, str], str | None] = {}

    def takes_id(self, last_event_id: str) -> bool:
        """Whether every OpenAPI kind's event schema accepts this id, whatever the data."""
        for type_, validator in self._events:
            errors = validator.iter_errors(_item(type_, "", last_event_id))
            if any(list(error.absolute_path)[:1] == ["id"] for error in errors):
                return False
        return True

    def kind_of(self, type_: str, data: str, last_event_id: str) -> str | None:
        """The first kind, in file order, whose type and rules fit the event."""
        key = (type_, data, last_event_id if type_ in self._reads_ids else "")
        if key not in self._known:
            if len(self._known) > MAX_KNOWN:
                self._known.clear()
            self._known[key] = next(
                (r.kind.name for r in self._rules if r.kind.type == type_ and r.fits(*key[1:])),
                None,
            )
        return self._known[key]


def _serialised(value: Any) -> st.SearchStrategy[str]:
    """``value`` as JSON text, compact, spaced or over several lines, escaped or not."""
    forms = [
        json.dumps(value, separators=(",", ":"), allow_nan=False),
        json.dumps(value, allow_nan=False),
        json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False),
    ]
    return st.sampled_from(forms)


def _json_text(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    valid = _validator(schema).is_valid
    return json_values(schema).filter(valid).filter(_serialisable).flatmap(_serialised)


def _serialisable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def data_strategy(kind: Kind) -> st.SearchStrategy[str]:
    """The data an event of ``kind`` may carry, before the check against the other kinds."""
    if kind.data is not None:
        return st.just(kind.data)
    if kind.data_match is not None:
        return st.from_regex(kind.data_match, fullmatch=True, alphabet=characters())
    if kind.schema is not None:
        return _json_text(kind.schema)
    if kind.event_schema is not None:
        type_ = kind.type
        items = json_values(kind.event_schema).filter(
            lambda item: (
                isinstance(item, dict)
                and isinstance(item.get("data"), str)
                and item.get("event", "message") == type_
            )
        )
        return items.map(lambda item: str(item["data"]))
    return text()


def _sendable(data: str) -> bool:
    """Data SSE carries as it is: UTF-8 text without CR (LF splits it into ``data:`` lines)."""
    try:
        data.encode()
    except UnicodeEncodeError:
        return False
    return "\r" not in data


@dataclass(frozen=True, slots=True)
class Pools:
    """The data drawn for each kind; a kind nothing could be drawn for has none, and a reason."""

    data: dict[str, tuple[str, ...]]
    unusable: dict[str, str]


def draw_pools(contract: Contract, seed: int, sample_id: str) -> Pools:
    """For each kind, up to ``POOL`` data that make an event of that kind (with the id
    ``sample_id``), or why none could be drawn."""
    oracle = Oracle(contract)
    data: dict[str, tuple[str, ...]] = {}
    unusable: dict[str, str] = {}
    for index, kind in enumerate(contract.kinds):
        name, type_ = kind.name, kind.type

        def own(text: str, name: str = name, type_: str = type_) -> bool:
            return _sendable(text) and oracle.kind_of(type_, text, sample_id) == name

        try:
            found = examples(data_strategy(kind).filter(own), seed + index, POOL)
        except NothingDrawn as exc:
            unusable[name] = f"{_why_none(kind)} ({exc})"
            found = []
        data[name] = tuple(dict.fromkeys(found))
    return Pools(data, unusable)


def _why_none(kind: Kind) -> str:
    rule = (
        "its schema"
        if kind.schema is not None
        else "its regex"
        if kind.data_match is not None
        else "its data"
        if kind.data is not None
        else "its event schema"
    )
    return (
        f"no data fits {rule} (and not an earlier kind of type {kind.type!r}), "
        "or nothing can satisfy it"
    )
