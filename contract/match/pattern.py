"""Patterns over kind names, such as ``start delta* stop``: parsed once, matched in linear time.

The syntax (``syntax.py``) is that of regular expressions with names as symbols. A
pattern compiles to a position automaton (Glushkov's construction: one state per name
in the pattern, no empty moves), which is simulated on the stream's kinds one event at
a time, so a mismatch is reported at the first event that cannot follow, with the names
that could have come there. A counted repeat is built copy by copy, each copy leading
only to the next (``x(x(x)?)?``), so the automaton grows linearly with the count; each
position's followers are kept by name, so a step costs the current positions' entries
for the event's names. Sets of states are cached as they are met, so the work per event
is a dictionary lookup once the stream's shape has been seen. Pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .syntax import MAX_POSITIONS, Node, PatternError, parse

__all__ = ["MAX_POSITIONS", "MAX_TRANSITIONS", "Mismatch", "Pattern", "PatternError"]

MAX_TRANSITIONS = 1_000_000
"""Moves between positions once the pattern is expanded: beyond, an error (memory)."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Where a stream leaves the pattern."""

    index: int | None
    """The position (0-based, in the whole stream) of the first event that cannot follow;
    ``None`` when the events ran out before the pattern was complete."""
    expected: tuple[str, ...]
    """The names that could have come there (empty: nothing, the pattern was complete)."""
    can_end: bool
    """Whether the stream could have ended there instead."""


@dataclass(frozen=True, slots=True)
class Positions:
    """A pattern's position automaton as data: a word is accepted when a path of positions
    spells it, from one in ``first`` to one in ``last`` (or the empty word, when ``nullable``)."""

    names: tuple[str, ...]
    """The name at each position."""
    first: frozenset[int]
    follow: tuple[frozenset[int], ...]
    """The positions that can come right after each position."""
    last: frozenset[int]
    nullable: bool


class Pattern:
    """A compiled pattern: ``match`` runs it over the labels of each event."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._names: list[str] = []
        self._follow: list[set[int]] = []
        self._transitions = 0
        nullable, first, last = self._build(parse(text))
        start = len(self._names)  # a position before the first event, leading to the first
        self._follow.append(set(first))
        self._initial = frozenset((start,))
        self._final = frozenset(last) | (self._initial if nullable else frozenset())
        self._next: list[dict[str, frozenset[int]]] = []
        for follow in self._follow:
            by_name: dict[str, set[int]] = {}
            for position in follow:
                by_name.setdefault(self._names[position], set()).add(position)
            self._next.append({name: frozenset(found) for name, found in by_name.items()})
        del self._follow
        self._cache: dict[tuple[frozenset[int], frozenset[str]], frozenset[int]] = {}
        self.names = frozenset(self._names)
        """Every name the pattern uses."""

    @property
    def size(self) -> int:
        """The automaton's positions and the moves between them (from the start excluded)."""
        moves = sum(len(found) for by in self._next[:-1] for found in by.values())
        return len(self._names) + moves

    def _build(self, node: Node) -> tuple[bool, set[int], set[int]]:
        """Nullable, first and last positions of ``node``; fills the follow sets."""
        if node.op == "name":
            if len(self._names) >= MAX_POSITIONS:
                raise PatternError(f"the pattern has more than {MAX_POSITIONS} names once expanded")
            self._names.append(node.name)
            self._follow.append(set())
            position = len(self._names) - 1
            return False, {position}, {position}
        if node.op == "count":
            return self._count(node)
        parts = [self._build(child) for child in node.children]
        if node.op == "alt":
            return (
                any(p[0] for p in parts),
                set().union(*(p[1] for p in parts)),
                set().union(*(p[2] for p in parts)),
            )
        if node.op == "cat":
            nullable, first, last = parts[0]
            for n, f, lst in parts[1:]:
                self._link(last, f)
                first = first | f if nullable else first
                last = lst | last if n else lst
                nullable = nullable and n
            return nullable, first, last
        nullable, first, last = parts[0]
        if node.op in ("star", "plus"):
            self._link(last, first)
        return (nullable or node.op in ("star", "opt")), first, last

    def _count(self, node: Node) -> tuple[bool, set[int], set[int]]:
        """``child{low,high}`` as copies in a row, each leading to the next only, and the
        stream may end after any copy from the ``low``-th on; without ``high``, the copy
        after the ``low``-th repeats itself. The child cannot match nothing (``syntax.py``)."""
        child = node.children[0]
        copies = node.low + 1 if node.high is None else node.high
        first: set[int] = set()
        last: set[int] = set()
        previous: set[int] = set()
        for number in range(1, copies + 1):
            _, entry, leaving = self._build(child)
            if number == 1:
                first = entry
            self._link(previous, entry)
            if node.high is None and number == copies:
                self._link(leaving, entry)
            if number >= node.low:
                last |= leaving
            previous = leaving
        return node.low == 0, first, last

    def _link(self, sources: set[int], targets: set[int]) -> None:
        self._transitions += len(sources) * len(targets)
        if self._transitions > MAX_TRANSITIONS:
            raise PatternError(
                f"the pattern has more than {MAX_TRANSITIONS} moves between names once expanded"
            )
        for position in sources:
            self._follow[position].update(targets)

    def _accepts(self, state: frozenset[int]) -> bool:
        return not state.isdisjoint(self._final)

    def _expected(self, state: frozenset[int]) -> tuple[str, ...]:
        following = sorted({p for s in state for found in self._next[s].values() for p in found})
        return tuple(dict.fromkeys(self._names[p] for p in following))

    def _step(self, state: frozenset[int], names: frozenset[str]) -> frozenset[int]:
        found: set[int] = set()
        for position in state:
            by_name = self._next[position]
            if len(names) <= len(by_name):
                for name in names:
                    if (targets := by_name.get(name)) is not None:
                        found |= targets
            else:
                for name, targets in by_name.items():
                    if name in names:
                        found |= targets
        return frozenset(found)

    def match(
        self, labels: Iterable[tuple[int, frozenset[str]]], *, prefix: bool = False
    ) -> Mismatch | None:
        """Run the events' labels through the pattern; ``None`` if they match it.

        ``labels`` gives each event's position in the stream and the names it can
        stand for (its kind, or its type's kinds when its data fits none of them).
        With ``prefix``, the events need only be the start of a match.
        """
        state = self._initial
        cache = self._cache
        for index, names in labels:
            key = (state, names)
            following = cache.get(key)
            if following is None:
                following = self._step(state, names)
                if len(cache) < 4096:
                    cache[key] = following
            if not following:
                return Mismatch(index, self._expected(state), self._accepts(state))
            state = following
        if prefix or self._accepts(state):
            return None
        return Mismatch(None, self._expected(state), False)

    def positions(self) -> Positions:
        """The automaton as data, to walk it (the mock server draws its streams from it)."""
        start = len(self._names)

        def following(position: int) -> frozenset[int]:
            return frozenset(p for found in self._next[position].values() for p in found)

        return Positions(
            names=tuple(self._names),
            first=following(start),
            follow=tuple(following(position) for position in range(start)),
            last=self._final - self._initial,
            nullable=not self._final.isdisjoint(self._initial),
        )
