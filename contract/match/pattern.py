"""Patterns over kind names, such as ``start delta* stop``: parsed once, matched in linear time.

The syntax is that of regular expressions with names as symbols: names separated by
spaces, ``( )``, ``|``, and the postfix ``* + ? {m} {m,n} {m,}``. A pattern compiles
to a position automaton (Glushkov's construction: one state per name in the pattern,
no empty moves), which is simulated on the stream's kinds one event at a time, so a
mismatch is reported at the first event that cannot follow, with the names that
could have come there. Sets of states are cached as they are met, so the work per
event is a dictionary lookup once the stream's shape has been seen. Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .names import KIND_NAME_TEXT

MAX_POSITIONS = 10_000
"""Names in a pattern once counted repetitions are expanded: beyond, an error."""
_TOKEN = re.compile(rf"\s*(?:(?P<name>{KIND_NAME_TEXT})|(?P<op>[()|*+?])|(?P<count>\{{[^}}]*\}}))")


class PatternError(ValueError):
    """A pattern that does not parse; the message says where and why."""


@dataclass(frozen=True, slots=True)
class _Node:
    op: str
    """``name``, ``cat``, ``alt``, ``star``, ``plus`` or ``opt``."""
    children: tuple[_Node, ...] = ()
    name: str = ""


def _parse(text: str) -> _Node:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].isspace():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            column = len(text) - len(text[position:].lstrip()) + 1
            raise PatternError(f"unexpected {text[column - 1]!r} at column {column}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    if not tokens:
        raise PatternError("the pattern is empty")
    parser = _Parser(tokens)
    node = parser.alternation()
    if parser.index < len(tokens):
        kind, value, column = tokens[parser.index]
        raise PatternError(f"unexpected {value!r} at column {column}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def alternation(self) -> _Node:
        branches = [self.concatenation()]
        while (token := self.peek()) is not None and token[1] == "|":
            self.index += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else _Node("alt", tuple(branches))

    def concatenation(self) -> _Node:
        items: list[_Node] = []
        while (token := self.peek()) is not None and token[1] not in ("|", ")"):
            items.append(self.repetition())
        if not items:
            where = f"column {token[2]}" if token is not None else "the end"
            raise PatternError(f"an empty alternative before {where}")
        return items[0] if len(items) == 1 else _Node("cat", tuple(items))

    def repetition(self) -> _Node:
        node = self.atom()
        while (token := self.peek()) is not None and (token[1] in "*+?" or token[0] == "count"):
            self.index += 1
            if token[0] == "count":
                node = _counted(node, token[1], token[2])
            else:
                node = _Node({"*": "star", "+": "plus", "?": "opt"}[token[1]], (node,))
        return node

    def atom(self) -> _Node:
        token = self.peek()
        if token is None:
            raise PatternError("the pattern ends where a name or '(' should come")
        kind, value, column = token
        self.index += 1
        if kind == "name":
            return _Node("name", name=value)
        if value == "(":
            node = self.alternation()
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise PatternError(f"the '(' at column {column} is never closed")
            self.index += 1
            return node
        raise PatternError(f"unexpected {value!r} at column {column}")


def _counted(node: _Node, text: str, column: int) -> _Node:
    match = re.fullmatch(r"\{\s*(\d+)\s*(?:(,)\s*(\d*)\s*)?\}", text)
    if match is None:
        raise PatternError(
            f"bad repetition {text!r} at column {column} (use {{m}}, {{m,n}} or {{m,}})"
        )
    low = int(match.group(1))
    high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
    if high is not None and high < low:
        raise PatternError(f"bad repetition {text!r} at column {column}: {high} < {low}")
    if high == 0:
        raise PatternError(f"repetition {text!r} at column {column} allows nothing")
    if max(low, high or 0) > MAX_POSITIONS:
        raise PatternError(f"repetition {text!r} at column {column} is too large")
    items = [node] * low
    if high is None:
        items.append(_Node("star", (node,)))
    else:
        items.extend([_Node("opt", (node,))] * (high - low))
    return items[0] if len(items) == 1 else _Node("cat", tuple(items))


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
        self._follow: list[frozenset[int]] = []
        root = _parse(text)
        nullable, first, last = self._build(root)
        self._start = frozenset(first)
        self._final = frozenset(last)
        self._nullable = nullable
        self._cache: dict[tuple[frozenset[int], frozenset[str]], frozenset[int]] = {}
        self.names = frozenset(self._names)
        """Every name the pattern uses."""

    def _build(self, node: _Node) -> tuple[bool, set[int], set[int]]:
        """Nullable, first and last positions of ``node``; fills the follow sets."""
        if node.op == "name":
            if len(self._names) >= MAX_POSITIONS:
                raise PatternError(f"the pattern has more than {MAX_POSITIONS} names once expanded")
            self._names.append(node.name)
            self._follow.append(frozenset())
            position = len(self._names) - 1
            return False, {position}, {position}
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

    def _link(self, sources: set[int], targets: set[int]) -> None:
        for position in sources:
            self._follow[position] = self._follow[position] | targets

    def _candidates(self, state: frozenset[int] | None) -> frozenset[int]:
        if state is None:
            return self._start
        return frozenset().union(*(self._follow[p] for p in state))

    def _accepts(self, state: frozenset[int] | None) -> bool:
        return self._nullable if state is None else bool(state & self._final)

    def _expected(self, state: frozenset[int] | None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self._names[p] for p in sorted(self._candidates(state))))

    def match(
        self, labels: Iterable[tuple[int, frozenset[str]]], *, prefix: bool = False
    ) -> Mismatch | None:
        """Run the events' labels through the pattern; ``None`` if they match it.

        ``labels`` gives each event's position in the stream and the names it can
        stand for (its kind, or its type's kinds when its data fits none of them).
        With ``prefix``, the events need only be the start of a match.
        """
        state: frozenset[int] | None = None
        cache = self._cache
        for index, names in labels:
            key = (frozenset((-1,)) if state is None else state, names)
            following = cache.get(key)
            if following is None:
                following = frozenset(p for p in self._candidates(state) if self._names[p] in names)
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
        return Positions(
            tuple(self._names), self._start, tuple(self._follow), self._final, self._nullable
        )
