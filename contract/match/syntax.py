"""The syntax of patterns over kind names: text to a tree (``Node``); pure, no I/O.

Names separated by spaces, ``( )``, ``|``, and the postfix ``* + ? {m} {m,n} {m,}``. A
counted repeat stays one node (``count``, with its bounds) for the automaton to build
copy by copy; a child that can match nothing is first replaced by the part of it that
cannot (``(a?){3}`` is ``a{0,3}``), so that each copy leads only to the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .names import KIND_NAME_TEXT

MAX_POSITIONS = 10_000
"""Names in a pattern once counted repetitions are expanded: beyond, an error."""
MAX_DEPTH = 100
"""Levels of parentheses and of operators applied to one another: beyond, an error
(parsing and compiling recurse once per level)."""
_TOKEN = re.compile(rf"\s*(?:(?P<name>{KIND_NAME_TEXT})|(?P<op>[()|*+?])|(?P<count>\{{[^}}]*\}}))")
_COUNT = re.compile(r"\{\s*(\d+)\s*(?:(,)\s*(\d*)\s*)?\}")


class PatternError(ValueError):
    """A pattern that does not parse; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a parsed pattern."""

    op: str
    """``name``, ``cat``, ``alt``, ``star``, ``plus``, ``opt`` or ``count``."""
    children: tuple[Node, ...] = ()
    name: str = ""
    low: int = 0
    high: int | None = None
    """A ``count``'s bounds: ``{low,high}``, ``None`` for no upper bound."""
    depth: int = field(init=False, compare=False)
    nullable: bool = field(init=False, compare=False)
    """Whether the node matches the empty sequence."""

    def __post_init__(self) -> None:
        depth = 1 + max((child.depth for child in self.children), default=0)
        if depth > MAX_DEPTH:
            raise PatternError(f"the pattern is nested more than {MAX_DEPTH} levels deep")
        object.__setattr__(self, "depth", depth)
        kids = [child.nullable for child in self.children]
        nullable = {
            "name": False,
            "cat": all(kids),
            "alt": any(kids),
            "star": True,
            "opt": True,
            "plus": bool(kids) and kids[0],
            "count": self.low == 0 or (bool(kids) and kids[0]),
        }[self.op]
        object.__setattr__(self, "nullable", nullable)


def parse(text: str) -> Node:
    """The tree of ``text``; a ``PatternError`` says where it does not parse."""
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
        self.open = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def alternation(self) -> Node:
        branches = [self.concatenation()]
        while (token := self.peek()) is not None and token[1] == "|":
            self.index += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else Node("alt", tuple(branches))

    def concatenation(self) -> Node:
        items: list[Node] = []
        while (token := self.peek()) is not None and token[1] not in ("|", ")"):
            items.append(self.repetition())
        if not items:
            where = f"column {token[2]}" if token is not None else "the end"
            raise PatternError(f"an empty alternative before {where}")
        return items[0] if len(items) == 1 else Node("cat", tuple(items))

    def repetition(self) -> Node:
        node = self.atom()
        while (token := self.peek()) is not None and (token[1] in "*+?" or token[0] == "count"):
            self.index += 1
            if token[0] == "count":
                node = counted(node, token[1], token[2])
            else:
                node = Node({"*": "star", "+": "plus", "?": "opt"}[token[1]], (node,))
        return node

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise PatternError("the pattern ends where a name or '(' should come")
        kind, value, column = token
        self.index += 1
        if kind == "name":
            return Node("name", name=value)
        if value == "(":
            self.open += 1
            if self.open > MAX_DEPTH:
                raise PatternError(
                    f"parentheses nested more than {MAX_DEPTH} deep at column {column}"
                )
            node = self.alternation()
            self.open -= 1
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise PatternError(f"the '(' at column {column} is never closed")
            self.index += 1
            return node
        raise PatternError(f"unexpected {value!r} at column {column}")


def counted(node: Node, text: str, column: int) -> Node:
    """``node`` repeated as ``text`` (``{m}``, ``{m,n}``, ``{m,}``) says, in a form whose
    copies each lead only to the next."""
    match = _COUNT.fullmatch(text)
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
    if node.nullable:
        # c{m,n} = c{0,n} when c matches nothing too; and c{0,n} = (c without the empty
        # sequence){0,n}, whose copies cannot be skipped, so none leads past the next.
        node, low = non_empty(node), 0
        if high is None:
            return Node("star", (node,))
    if node.op == "plus":
        # (d+){m,n} = d{m,}: m copies of d+ hold any number of d from m on.
        node, high = node.children[0], None
    if high is None and low == 0:
        return Node("star", (node,))
    if (low, high) == (1, 1):
        return node
    if (low, high) == (1, None):
        return Node("plus", (node,))
    return Node("count", (node,), low=low, high=high)


def non_empty(node: Node) -> Node:
    """A node for the non-empty sequences ``node`` matches."""
    if not node.nullable:
        return node
    child = node.children[0] if node.children else node
    if node.op == "opt":
        return non_empty(child)
    if node.op in ("star", "plus"):
        return Node("plus", (non_empty(child),))
    if node.op == "count":  # nullable: a count of a nullable child was rewritten to low 0
        return Node("count", (child,), low=1, high=node.high)
    if node.op == "alt":
        return Node("alt", tuple(non_empty(branch) for branch in node.children))
    # a sequence of parts that may each be empty: the first non-empty part, then the rest
    parts = node.children
    branches = []
    for index, part in enumerate(parts):
        rest = parts[index + 1 :]
        first = non_empty(part)
        branches.append(first if not rest else Node("cat", (first, *rest)))
    return branches[0] if len(branches) == 1 else Node("alt", tuple(branches))
