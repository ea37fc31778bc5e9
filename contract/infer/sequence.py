"""``[sequence]`` from the samples' kinds: a pattern that generalises every recorded order; pure.

Kinds that interrupt runs of other kinds, or whose constant data comes a varying number
of times (pings), go to ``anywhere``. In each sample the rest is read as runs (a run of
one kind becomes ``kind+``) and repeated groups of runs (``(start progress+ end)+``);
the samples are then aligned on what they share, and what only some have becomes
optional (``?``, ``*``). The pattern is checked against every sample with the suite's own
automaton; if the generalisation misses one, the samples' own forms are offered as
alternatives, and failing that any order of the kinds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby, pairwise

from contract.match.pattern import Pattern, PatternError

MAX_ITEMS = 600
"""Items of a sample's form beyond which no alignment is tried (the fallback is used)."""
MAX_UNIT = 12
"""Items a repeated group may have."""
SHOWN = 24
"""Runs of a sample shown in the notes."""


@dataclass(frozen=True, slots=True)
class Item:
    """A kind, or a group of items, with how often it may come."""

    name: str = ""
    """The kind's name; "" for a group."""
    body: tuple[Item, ...] = ()
    many: bool = False
    optional: bool = False
    key: tuple[object, ...] = field(init=False, repr=False, compare=False)
    """What the item is, whatever its count."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.name, tuple(item.key for item in self.body)))

    def text(self) -> str:
        """The item in the pattern language."""
        inner = self.name or "(" + " ".join(item.text() for item in self.body) + ")"
        if self.many:
            return inner + ("*" if self.optional else "+")
        return inner + ("?" if self.optional else "")


def _keys(items: Sequence[Item]) -> list[tuple[object, ...]]:
    return [item.key for item in items]


def _merge(a: Item, b: Item, *, across: bool) -> Item:
    """Two items of the same key as one: ``across`` samples an item is optional when it is
    optional in either; within a run, only when it is optional in both."""
    optional = (a.optional or b.optional) if across else (a.optional and b.optional)
    body = tuple(_merge(x, y, across=True) for x, y in zip(a.body, b.body, strict=True))
    return Item(a.name, body, a.many or b.many, optional)


def runs(names: Sequence[str]) -> list[Item]:
    """Consecutive events of one kind as one item (``many`` when more than one)."""
    return [Item(name, many=len(list(group)) > 1) for name, group in groupby(names)]


def _folded(blocks: Sequence[Sequence[Item]]) -> Item:
    """Consecutive repetitions of one unit as one item that may repeat."""
    if len(blocks[0]) == 1:
        one = blocks[0][0]
        for block in blocks[1:]:
            one = _merge(one, block[0], across=False)
        return replace(one, many=True)
    body = list(blocks[0])
    for block in blocks[1:]:
        body = [_merge(x, y, across=True) for x, y in zip(body, block, strict=True)]
    return Item(body=tuple(body), many=True)


def fold(items: list[Item], cut: bool = False) -> list[Item]:
    """Repeated neighbours as one item: ``x x`` -> ``x+``, ``a b a b`` -> ``(a b)+`` (units
    of at most ``MAX_UNIT`` items, the shortest first); with ``cut`` (the sample stopped
    anywhere), a trailing start of the last group is dropped."""
    changed = True
    while changed:
        changed = False
        for size in range(1, min(MAX_UNIT, len(items) // 2) + 1):
            out: list[Item] = []
            start = 0
            while start < len(items):
                unit = _keys(items[start : start + size])
                stop = start + size
                while len(unit) == size and _keys(items[stop : stop + size]) == unit:
                    stop += size
                if stop - start > size:
                    out.append(_folded([items[i : i + size] for i in range(start, stop, size)]))
                    start, changed = stop, True
                else:
                    out.append(items[start])
                    start += 1
            items = out
    if cut:
        for index in range(len(items) - 1, max(0, len(items) - MAX_UNIT), -1):
            group, tail = items[index - 1], items[index:]
            if group.body and _keys(group.body[: len(tail)]) == _keys(tail):
                return items[:index]
    return items


def _groups_of(items: Sequence[Item]) -> list[Item]:
    found = []
    for item in items:
        if item.body:
            found += [item, *_groups_of(item.body)]
    return found


def with_units(items: list[Item], units: Sequence[Item]) -> list[Item]:
    """``items`` with each stretch that is one repetition of a group found in another sample
    replaced by that group, so that ``s p e`` lines up with ``(s p+ e)+``."""
    for unit in sorted(units, key=lambda u: -len(u.body)):
        wanted = _keys(unit.body)
        size = len(wanted)
        start = 0
        while start + size <= len(items):
            if _keys(items[start : start + size]) == wanted:
                body = tuple(
                    _merge(x, y, across=True)
                    for x, y in zip(unit.body, items[start : start + size], strict=True)
                )
                items = [*items[:start], Item(body=body, many=True), *items[start + size :]]
            start += 1
    return items


def align(a: list[Item], b: list[Item], a_cut: bool, b_cut: bool) -> list[Item]:
    """One list for two samples' forms: what both have in order, the rest optional (except
    what one has past the point where the other was cut short)."""
    rows, cols = len(a), len(b)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1
                if a[i].key == b[j].key
                else max(table[i + 1][j], table[i][j + 1])
            )
    out: list[Item] = []
    i = j = 0
    while i < rows or j < cols:
        if i < rows and j < cols and a[i].key == b[j].key:
            out.append(_merge(a[i], b[j], across=True))
            i, j = i + 1, j + 1
        elif j >= cols or (i < rows and table[i + 1][j] >= table[i][j + 1]):
            out.append(a[i] if j >= cols and b_cut else replace(a[i], optional=True))
            i += 1
        else:
            out.append(b[j] if i >= rows and a_cut else replace(b[j], optional=True))
            j += 1
    return out


def text(items: Sequence[Item]) -> str:
    """Items as a pattern."""
    return " ".join(item.text() for item in items)


def _matches(pattern: str, labels: Sequence[Sequence[str]], cut: bool) -> bool:
    try:
        compiled = Pattern(pattern)
    except PatternError:
        return False
    return all(
        compiled.match(((i, frozenset((n,))) for i, n in enumerate(names)), prefix=cut) is None
        for names in labels
    )


def anywhere_kinds(
    labels: Sequence[Sequence[str]],
    constant: frozenset[str],
    cut: bool,
    pings: frozenset[str] = frozenset(),
) -> list[str]:
    """Pings: kinds so named, rare kinds that interrupt a run of another kind, and rare kinds
    with constant data that come a varying number of times (rare: at most half as many as
    some other kind). Never one that a sample has alone, nor the last of every sample."""
    found: list[str] = []
    runners = {a for names in labels for a, b in pairwise(names) if a == b}
    counts = [Counter(names) for names in labels]
    interrupting = {
        name
        for names, counted in zip(labels, counts, strict=True)
        for before, name, after in zip(names, names[1:], names[2:], strict=False)
        if before == after != name and before in runners and 2 * counted[name] <= counted[before]
    }
    for name in dict.fromkeys(n for names in labels for n in names):
        interrupts = name in interrupting
        # a minority beside some other kind, so that kinds of a random order stay in it
        minor = all(
            2 * c[name] <= max(n for k, n in c.items() if k != name) for c in counts if len(c) > 1
        )
        varies = name in constant and len({c[name] for c in counts}) > 1 and minor
        alone = any(all(n in (name, *found) for n in names) for names in labels)
        last = not cut and all(names[-1] == name for names in labels)
        if (interrupts or varies or name in pings) and not alone and not last:
            found.append(name)
    return found


def _shown(names: Sequence[str]) -> str:
    parts = [f"{name}x{count}" if count > 1 else name for name, count in _counted(names)]
    return " ".join(parts[:SHOWN]) + (
        f" ... ({len(parts) - SHOWN} more runs)" * (len(parts) > SHOWN)
    )


def _counted(names: Sequence[str]) -> list[tuple[str, int]]:
    return [(name, len(list(group))) for name, group in groupby(names)]


def infer_sequence(
    labels: Sequence[Sequence[str]],
    constant: frozenset[str],
    cut: bool,
    pings: frozenset[str] = frozenset(),
) -> tuple[str, tuple[str, ...], list[str]]:
    """The pattern, the kinds allowed anywhere, and what was seen."""
    anywhere = anywhere_kinds(labels, constant, cut, pings)
    rest = [[n for n in names if n not in anywhere] for names in labels]
    forms = [fold(runs(names), cut) for names in rest]
    units = list({g.key: g for form in forms for g in _groups_of(form)}.values())
    forms = [fold(with_units(form, units), cut) for form in forms]
    shown = [_shown(names) for names in rest]
    notes = (
        [f"every sample: {shown[0]}"]
        if len(set(shown)) == 1
        else [f"sample {n}: {line}" for n, line in enumerate(shown, 1)]
    )
    if anywhere:
        notes.append(
            f"anywhere: {', '.join(anywhere)} (pings: so named, between the events of a run, "
            "or in varying numbers)"
        )
    candidates = []
    if all(len(form) <= MAX_ITEMS for form in forms):
        merged = forms[0]
        for form in forms[1:]:
            merged = fold(align(merged, form, cut, cut), cut)
        candidates.append(text(merged))
        alternatives = list(dict.fromkeys(text(form) for form in forms))
        candidates.append(
            alternatives[0]
            if len(alternatives) == 1
            else " | ".join(f"({a})" for a in alternatives)
        )
    names = list(dict.fromkeys(n for form in rest for n in form))
    candidates.append("(" + " | ".join(names) + ")+")
    for pattern in candidates:
        if _matches(pattern, rest, cut):
            if pattern != candidates[0]:
                notes.append("the samples' orders have no simpler common form")
            return pattern, tuple(anywhere), notes
    raise AssertionError("any order of the kinds matches every sample")  # pragma: no cover
