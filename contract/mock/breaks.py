"""``--break RULE``: which rules a mock can break alone for a contract, and the events that
break ``events``, ``data`` and ``ids``; the other rules are broken where replies are made
(``replies.py``). Each break is one mistake a real server makes, chosen to touch no other rule.

| rule | the mistake |
|---|---|
| head | a required header left out, else ``Content-Type: text/plain`` |
| events | an event of a type no kind has (kinds), or a listed event's data changed (exact) |
| data | one event's data fits no kind of its type: a number of its JSON as ``NaN`` (what |
|      | Python's ``json.dumps`` writes for a float that is none), else data of another shape |
| ids | one event's id breaks the scheme (a jump, a repeat, or an id where none belongs) |
| end | open past the grace after the terminal event; a stream that never ends: it ends |
| incremental | a wait, then every event in one burst (a buffering proxy) |
| framing | the body ends inside an event; a stream that never ends: a Latin-1 event name |
| resume | the event right after the position is skipped |
| done | the terminal id gets the other answer (200 with no event for 204, and back) |
| tolerant | a value that is no id gets 400 |
| keepalive | one comment, then a silence longer than ``max_silence`` |
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from contract.rules import CORE_RULES, EXTENSIONS
from contract.rules.keepalive import TOLERANCE
from contract.spec.model import Contract, Kind

from .errors import MockError
from .event import MockEvent
from .kinds import Oracle, parse_json

RULES = (*CORE_RULES, *EXTENSIONS)
"""Every rule ``--break`` takes, in report order."""
STRANGER = "mock-unexpected"
CHANGED = " (changed by the mock)"
MISFITS = ("mock: data no kind of this type accepts", "{}", "[]", "null", "0", '{"mock": 1}', "")
"""Data tried, in turn, for an event that must fit no kind of its type."""
SEARCHED = 1000
"""Events of a stream that never ends searched for one a break can change."""
SEARCHED_IDS = 16
"""The wrong id of ``--break ids`` is on one of the first events, or none."""


def terminal_names(contract: Contract) -> frozenset[str]:
    """The kinds whose first event ends the stream (``[end] after``: a kind, or a type)."""
    after = contract.end.after
    if contract.exact or after is None:
        return frozenset()
    if contract.kind(after) is not None:
        return frozenset((after,))
    return frozenset(kind.name for kind in contract.kinds if kind.type == after)


def has_rule(kind: Kind) -> bool:
    """Whether the kind says anything of its data (or of the event, for an OpenAPI kind)."""
    rules = (kind.data, kind.data_match, kind.schema, kind.event_schema)
    return any(rule is not None for rule in rules)


def keepalive_silence(contract: Contract) -> float | None:
    """Seconds of silence that break ``keepalive`` but no limit; ``None`` if none fits."""
    if contract.keepalive is None:
        return None
    bound = contract.keepalive.max_silence * (1 + TOLERANCE)
    room = contract.limits.idle_seconds - bound
    if room < 0.1:
        return None
    silence = contract.keepalive.max_silence
    return min(2 * silence, bound + room / 2, bound + max(1.0, silence / 2))


def unbreakable(contract: Contract, rule: str) -> str | None:
    """Why ``rule`` cannot be broken alone for ``contract`` (it has nothing to judge, or the
    contract ties it to another rule); ``None`` when it can."""
    if rule not in RULES:
        return f"no rule {rule!r} (rules: {', '.join(RULES)})"
    resume = contract.resume
    reasons = {
        "events": contract.exact
        and len(contract.events) < 2
        and "the list has one event: changing it would also change how the stream ends",
        "data": (contract.exact and "exact mode compares data in the events rule")
        or (not any(has_rule(kind) for kind in contract.kinds) and "no kind has a data rule"),
        "ids": (contract.ids.scheme == "any" and "[ids] checks nothing (scheme any)")
        or (
            contract.exact
            and all(e.id is not None for e in contract.events)
            and "every listed event names its id, so a wrong id fails events too"
        ),
        "incremental": contract.incremental is None
        and not any(e.pause_before for e in contract.events[1:])
        and "no pause to miss: no [incremental] and no pause_before",
        "resume": (resume is None and "no [resume]")
        or (contract.ids.scheme == "none" and "no ids to resume from ([ids] scheme none)"),
        "done": (resume is None and "no [resume]")
        or (contract.end.never and "the stream never ends")
        or (contract.ids.scheme == "none" and "the terminal event has no id ([ids] scheme none)"),
        "tolerant": (resume is None and "no [resume]")
        or (resume is not None and not resume.tolerate and "[resume] lists no values to tolerate"),
        "keepalive": (contract.keepalive is None and "no [keepalive]")
        or (
            keepalive_silence(contract) is None
            and "a silence longer than max_silence would also reach [limits] idle_seconds"
        ),
    }
    return reasons.get(rule) or None


# -- the events that break a rule ------------------------------------------------------------


def changed_listed(drafts: list[MockEvent]) -> Iterator[MockEvent]:
    """Exact mode, ``events``: the first listed event's data changed (never the last one's)."""
    first = drafts[0]
    yield replace(first, data=first.data + CHANGED)
    yield from drafts[1:]


def with_stranger(contract: Contract, drafts: Iterable[MockEvent]) -> Iterator[MockEvent]:
    """Kinds mode, ``events``: an event of a type no kind has, early and before the terminal."""
    types = {kind.type for kind in contract.kinds}
    name = STRANGER
    while name in types:
        name += "-"
    stranger = MockEvent(name, "mock: an event no kind describes")
    if contract.end.never:
        found = iter(drafts)
        yield from islice(found, 1)
        yield stranger
        yield from found
        return
    listed = list(drafts)
    place = 1 if len(listed) > 1 else 0
    yield from [*listed[:place], stranger, *listed[place:]]


def event_break(
    contract: Contract, oracle: Oracle, events: Iterator[MockEvent], rule: str
) -> Iterator[MockEvent]:
    """``data`` or ``ids``: the first event that can carry the mistake, changed; the rest as is."""
    source: Iterable[MockEvent] = events
    last: int | None = None
    if not contract.end.never:
        source = list(events)
        last = len(source) - 1
    change = _misfit if rule == "data" else _wrong_id
    # A wrong id may go on the terminal event when no other event has it (sequential, none).
    alone = rule == "ids" and contract.ids.scheme in ("sequential", "none")
    previous: MockEvent | None = None
    done = False
    for index, event in enumerate(source):
        if not done and index >= SEARCHED:
            break
        changed = None
        if not done and (index != last or alone):
            changed = change(contract, oracle, event, previous, index)
        done = done or changed is not None
        previous = event
        yield changed or event
    if not done:
        raise MockError(f"{contract.source}: cannot break {rule}: {_none_for(rule)}")


def _none_for(rule: str) -> str:
    if rule == "data":
        return "no event before the terminal one has a type whose kinds all have data rules"
    return "no event before the terminal one can take a wrong id"


def _misfit(
    contract: Contract, oracle: Oracle, event: MockEvent, _: MockEvent | None, index: int
) -> MockEvent | None:
    kinds = [k for k in contract.kinds if k.type == event.type]
    if event.kind is None or not all(has_rule(kind) for kind in kinds):
        return None
    for data in (*_with_nan(event.data), *MISFITS):
        if oracle.kind_of(event.type, data, event.id) is None:
            return replace(event, data=data)
    return None


def _with_nan(data: str) -> tuple[str, ...]:
    """``data`` with the first number of its JSON made NaN, as Python's ``json.dumps`` writes a
    float that is not a number: no browser's ``JSON.parse`` reads it."""
    return _replaced(
        data,
        lambda node: isinstance(node, int | float) and not isinstance(node, bool),
        lambda _: float("nan"),
    )


def _replaced(
    data: str, wanted: Callable[[Any], bool], new: Callable[[Any], Any]
) -> tuple[str, ...]:
    """``data`` with the first value of its JSON (breadth first) that ``wanted`` picks made
    ``new`` of it; empty when the data is not JSON or holds no such value."""
    value, ok = parse_json(data)
    pending: list[tuple[Any, Any]] = [(None, value)] if ok else []
    while pending:
        holder, node = pending.pop(0)
        if wanted(node):
            if holder is None:
                return (json.dumps(new(node)),)
            container, key = holder
            container[key] = new(node)
            return (json.dumps(value),)
        if isinstance(node, dict):
            pending += [((node, key), item) for key, item in node.items()]
        elif isinstance(node, list):
            pending += [((node, index), item) for index, item in enumerate(node)]
    return ()


def _wrong_id(
    contract: Contract, oracle: Oracle, event: MockEvent, previous: MockEvent | None, index: int
) -> MockEvent | None:
    scheme = contract.ids.scheme
    if index > SEARCHED_IDS or (index == 0 and scheme not in ("sequential", "none")):
        return None
    if contract.exact and contract.events[index].id is not None:
        return None
    if scheme == "sequential":
        wrong = str(10**12 + contract.ids.start + index)
    elif scheme == "none":
        wrong = "1"
    else:  # increasing, unique: the id before it again
        assert previous is not None
        wrong = previous.id
    fits = oracle.kind_of(event.type, event.data, wrong)
    if event.kind is not None and fits != event.kind:
        return None
    return replace(event, id=wrong)
