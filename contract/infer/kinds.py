"""Kinds of event from the samples: by event type, then by the shape of the data; pure.

Within a type, JSON objects are grouped by the keys they have (every key path, array items
merged), arrays and JSON scalars each form one group, and plain text another; a text that
comes once in every sample as the first or last of its type (``[DONE]``) is a literal kind
of its own. Each group becomes a kind with a data rule (``schema.py``, ``text.py``), put in
the file so that the suite's first-fit classifier gives every recorded event the kind it
came from: literals first, then objects with more keys before those with fewer. When it
does not (overlapping rules), the type's JSON groups are merged into one kind.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from contract.classify import Classifier
from contract.spec.model import Contract, Kind
from contract.wire.event import Event

from .schema import data_schema
from .text import text_rule, tokens

MAX_SHAPES = 6
"""Object shapes of one type kept apart; more are merged (keys that vary with the data)."""
MAX_DEPTH = 32
"""JSON nested deeper than this is treated as text."""
_NAME_CHARS = re.compile(r"[^\w.:-]")
PING = re.compile(r"\b(ping|heartbeat|keep[-_ ]?alive)\b", re.IGNORECASE)
"""What a keep-alive event is called: its type, or its constant data (``{"type": "ping"}``)."""


@dataclass
class _Group:
    """Events of one type with one shape of data: where they are and their data."""

    shape: str
    """``literal``, ``object``, ``array``, ``scalar`` or ``text``."""
    where: list[tuple[int, int]] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    keys: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True, slots=True)
class Drafted:
    """The kinds, in file order, each event's kind per sample, and what was seen."""

    kinds: tuple[Kind, ...]
    labels: tuple[tuple[str, ...], ...]
    notes: dict[str, list[str]]
    constant: frozenset[str]
    """Kinds whose every event carried the same data (pings, sentinels)."""
    pings: frozenset[str] = frozenset()
    """Kinds whose type, or constant data, says they keep the stream alive."""


def _parse(data: str) -> tuple[bool, Any]:
    """``(True, value)`` for JSON data (not nested too deeply), else ``(False, None)``."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return False, None
    pending, depth = [(value, 0)], 0
    while pending:
        item, level = pending.pop()
        depth = max(depth, level)
        if depth > MAX_DEPTH:
            return False, None
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            pending.extend((child, level + 1) for child in children)
    return True, value


def _paths(value: object) -> frozenset[tuple[str, ...]]:
    """Every key path of a JSON value (``("choices", "[]", "delta")``), array items merged."""
    found: set[tuple[str, ...]] = set()
    pending: list[tuple[object, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        if isinstance(item, dict):
            for name, child in item.items():
                found.add((*path, name))
                pending.append((child, (*path, name)))
        elif isinstance(item, list):
            pending.extend((child, (*path, "[]")) for child in item)
    return frozenset(found)


def _groups(
    events: Sequence[tuple[int, int, str]], samples: int, finals: set[tuple[int, int]]
) -> list[_Group]:
    """The type's events grouped by the shape of their data, in file order."""
    parsed = {data: _parse(data) for _, _, data in events}
    objects: dict[frozenset[tuple[str, ...]], _Group] = {}
    arrays, scalars, texts = _Group("array"), _Group("scalar"), _Group("text")
    all_json = all(ok for ok, _ in parsed.values())
    paths = {data: _paths(value) for data, (ok, value) in parsed.items() if isinstance(value, dict)}
    for sample, index, data in events:
        ok, value = parsed[data]
        if ok and isinstance(value, dict):
            keys = paths[data]
            group = objects.setdefault(keys, _Group("object", keys=keys))
        elif ok and isinstance(value, list):
            group = arrays
        else:
            group = scalars if all_json else texts
        group.where.append((sample, index))
        group.data.append(data)
    shapes = list(objects.values())
    if len(shapes) > MAX_SHAPES:
        shapes = [_merged(shapes, "object")]
    shapes.sort(key=lambda g: -len(g.keys))
    literals = _literals(texts, samples, bool(shapes or arrays.where or scalars.where), finals)
    return [*literals, *shapes, *(g for g in (arrays, scalars, texts) if g.where)]


def _merged(groups: Iterable[_Group], shape: str) -> _Group:
    out = _Group(shape)
    for group in groups:
        out.where += group.where
        out.data += group.data
    order = sorted(range(len(out.where)), key=lambda i: out.where[i])
    out.where = [out.where[i] for i in order]
    out.data = [out.data[i] for i in order]
    return out


def _literals(
    texts: _Group, samples: int, others: bool, finals: set[tuple[int, int]]
) -> list[_Group]:
    """Sentinels among the texts (``texts`` keeps the rest): a text that comes once in every
    sample, as the first or last of its type when the type also has JSON data, or else as
    the very last event of every sample, in a form no other text of the type has."""
    positions: dict[str, list[tuple[int, int]]] = {}
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for (sample, index), data in zip(texts.where, texts.data, strict=True):
        positions.setdefault(data, []).append((sample, index))
        firsts.setdefault(sample, index)
        lasts[sample] = index
    forms = Counter(tokens(value) for value in positions)
    found = []
    for value, at in sorted(positions.items()):
        if len(at) != samples or {s for s, _ in at} != set(range(samples)):
            continue
        if others:
            ends = all(i == firsts[s] for s, i in at) or all(i == lasts[s] for s, i in at)
        else:
            alone = forms[tokens(value)] == 1 and len(positions) > 1
            ends = alone and all(where in finals for where in at)
        if ends:
            found.append(_Group("literal", at, [value] * len(at)))
    taken = {where for group in found for where in group.where}
    keep = [(w, d) for w, d in zip(texts.where, texts.data, strict=True) if w not in taken]
    texts.where, texts.data = [w for w, _ in keep], [d for _, d in keep]
    return found


def _base(type_: str) -> str:
    name = _NAME_CHARS.sub("_", type_)
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def _literal_name(text: str) -> str | None:
    word = re.sub(r"\W+", "_", text).strip("_").lower()
    return word if re.fullmatch(r"[a-z][a-z0-9_]{0,23}", word) else None


def _per_sample(group: _Group, samples: int) -> str:
    counts = [sum(1 for s, _ in group.where if s == n) for n in range(samples)]
    if len(set(counts)) == 1:
        return f"{counts[0]} per sample"
    return f"{', '.join(map(str, counts))} in the samples"


def _rule(group: _Group, samples: int) -> tuple[dict[str, Any], str]:
    """The group's data rule and what was seen."""
    if group.shape in ("literal", "text"):
        return text_rule(group.data)
    values: list[list[Any]] = [[] for _ in range(samples)]
    for (sample, _), data in zip(group.where, group.data, strict=True):
        values[sample].append(json.loads(data))
    schema = data_schema(values)
    if group.shape == "object":
        tops = sorted({path[0] for path in group.keys if len(path) == 1})
        seen = f"a JSON object with keys {', '.join(tops) if tops else '(none)'}"
    else:
        types = sorted({type(json.loads(data)).__name__ for data in set(group.data)})
        what = {"array": "JSON arrays", "scalar": "JSON values"}.get(group.shape, "JSON data")
        seen = f"{what} ({', '.join(types)})"
    return {"schema": schema}, seen


def _draft_type(
    type_: str, groups: list[_Group], samples: int, used: set[str]
) -> list[tuple[Kind, _Group, list[str]]]:
    """A kind per group, named after the type (and the literal's text), unique among ``used``."""
    base = _base(type_)
    taken = set(used)
    plain = [g for g in groups if g.shape != "literal"]
    order = sorted(plain, key=lambda g: g.where[0])
    out = []
    for group in groups:
        if group.shape == "literal":
            name = _literal_name(group.data[0]) or f"{base}_literal"
        elif len(plain) == 1:
            name = base
        else:
            name = f"{base}_{order.index(group) + 1}"
        while name in taken:
            name += "_"
        taken.add(name)
        rule, seen = _rule(group, samples) if group.shape != "any" else ({}, "any data")
        sample, index = group.where[0]
        where = f"first as event #{index + 1}" + (f" of sample {sample + 1}" if sample else "")
        notes = [f"type {type_!r}, {_per_sample(group, samples)}, {where}", seen]
        if group.shape == "literal":
            notes[1] = f"the text {group.data[0]!r}, once per sample: a sentinel of its own"
        out.append((Kind(name, type_, **rule), group, notes))
    return out


def _fits_all(
    drafted: Sequence[tuple[Kind, _Group, list[str]]], events: Sequence[Sequence[Event]]
) -> bool:
    """Whether the suite's classifier gives every event the kind drafted from it."""
    kinds = tuple(kind for kind, _, _ in drafted)
    classifier = Classifier(Contract(name="kinds", source="infer", kinds=kinds))
    return all(
        classifier.classify(events[s][i]).kind == kind.name
        for kind, group, _ in drafted
        for s, i in group.where
    )


def _fallbacks(groups: list[_Group]) -> Iterable[list[_Group]]:
    """Coarser groupings of one type, tried in turn when the kinds overlap."""
    structured = [g for g in groups if g.shape in ("object", "array", "scalar")]
    literals = [g for g in groups if g.shape == "literal"]
    texts = [g for g in groups if g.shape == "text"]
    if len(structured) > 1:
        yield [*literals, _merged(structured, "json"), *texts]
    yield [_merged(groups, "any")]


def infer_kinds(events: Sequence[Sequence[Event]]) -> Drafted:
    """Kinds for the events of every sample (at least one event each)."""
    samples = len(events)
    finals = {(s, len(sample) - 1) for s, sample in enumerate(events)}
    by_type: dict[str, list[tuple[int, int, str]]] = {}
    for s, sample in enumerate(events):
        for i, event in enumerate(sample):
            by_type.setdefault(event.type, []).append((s, i, event.data))
    taken: set[str] = set()
    drafted: list[tuple[Kind, _Group, list[str]]] = []
    for type_, members in by_type.items():
        groups = _groups(members, samples, finals)
        mine = _draft_type(type_, groups, samples, taken)
        for coarser in _fallbacks(groups):
            if _fits_all(mine, events):
                break
            mine = _draft_type(type_, coarser, samples, taken)
            for _, _, notes in mine:
                notes.append("the data rules of its shapes overlapped, so they were merged")
        taken |= {kind.name for kind, _, _ in mine}
        drafted += mine
    labels = [[""] * len(sample) for sample in events]
    for kind, group, _ in drafted:
        for s, i in group.where:
            labels[s][i] = kind.name
    return Drafted(
        kinds=tuple(kind for kind, _, _ in drafted),
        labels=tuple(tuple(names) for names in labels),
        notes={f"kinds.{kind.name}": notes for kind, _, notes in drafted},
        constant=frozenset(kind.name for kind, group, _ in drafted if len(set(group.data)) == 1),
        pings=frozenset(
            kind.name
            for kind, group, _ in drafted
            if PING.search(kind.type.replace("_", " "))
            or (len(set(group.data)) == 1 and PING.search(group.data[0].replace("_", " ")))
        ),
    )
