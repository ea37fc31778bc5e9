"""A model of patterns built another way: Thompson's automaton (empty moves, every repeat copied
out), simulated on sets of states, and Hypothesis strategies for patterns over three names.

It answers full matches, prefixes and what could come next without backtracking, so no
drawn pattern can make the oracle itself hang (Python's ``re``, the model before,
backtracks exponentially on nested repeats of parts that may be empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from contract.match.pattern import Mismatch

NAMES = ("a", "b", "c")


@dataclass(frozen=True)
class Node:
    """A pattern built in the test: rendered as a pattern, a regex, and a regex of prefixes."""

    op: str
    children: tuple[Node, ...] = ()
    name: str = ""
    low: int = 0
    high: int | None = None

    def text(self) -> str:
        if self.op == "name":
            return self.name
        if self.op == "cat":
            return " ".join(f"({c.text()})" if c.op == "alt" else c.text() for c in self.children)
        if self.op == "alt":
            return " | ".join(c.text() for c in self.children)
        inner = f"({self.children[0].text()})"
        if self.op == "count":
            high = "" if self.high is None else str(self.high)
            return inner + (
                f"{{{self.low}}}" if self.high == self.low else f"{{{self.low},{high}}}"
            )
        return inner + {"star": "*", "plus": "+", "opt": "?"}[self.op]


class Model:
    """Thompson's automaton for a ``Node``: states with empty moves and named moves."""

    def __init__(self, node: Node) -> None:
        self.empty: list[list[int]] = []
        self.named: list[tuple[str, int] | None] = []
        self.start, self.accept = self.build(node)

    def state(self) -> int:
        self.empty.append([])
        self.named.append(None)
        return len(self.empty) - 1

    def build(self, node: Node) -> tuple[int, int]:
        start, end = self.state(), self.state()
        if node.op == "name":
            self.named[start] = (node.name, end)
            return start, end
        if node.op == "count":
            copies = [node.children[0]] * node.low
            if node.high is None:
                copies.append(Node("star", node.children))
            else:
                copies += [Node("opt", node.children)] * (node.high - node.low)
            node = Node("cat", tuple(copies))
        if node.op == "cat":
            here = start
            for child in node.children:
                inner, out = self.build(child)
                self.empty[here].append(inner)
                here = out
            self.empty[here].append(end)
            return start, end
        if node.op == "alt":
            for child in node.children:
                inner, out = self.build(child)
                self.empty[start].append(inner)
                self.empty[out].append(end)
            return start, end
        inner, out = self.build(node.children[0])
        self.empty[start].append(inner)
        self.empty[out].append(end)
        if node.op in ("star", "opt"):
            self.empty[start].append(end)
        if node.op in ("star", "plus"):
            self.empty[out].append(inner)
        return start, end

    def closure(self, states: set[int]) -> frozenset[int]:
        seen, pending = set(states), list(states)
        while pending:
            for following in self.empty[pending.pop()]:
                if following not in seen:
                    seen.add(following)
                    pending.append(following)
        return frozenset(seen)

    def step(self, states: frozenset[int], names: set[str]) -> frozenset[int]:
        moves = (self.named[s] for s in states)
        return self.closure({move[1] for move in moves if move is not None and move[0] in names})

    def run(self, labels: list[set[str]]) -> list[frozenset[int]]:
        """The sets of states before each event and after the last."""
        states = [self.closure({self.start})]
        for names in labels:
            states.append(self.step(states[-1], names))
        return states


def _grow(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    counted = st.tuples(children, st.integers(0, 2), st.integers(0, 2), st.booleans()).map(
        lambda t: Node("count", (t[0],), low=t[1], high=None if t[3] else max(1, t[1] + t[2]))
    )
    return st.one_of(
        many.map(lambda c: Node("cat", c)),
        many.map(lambda c: Node("alt", c)),
        children.map(lambda c: Node("star", (c,))),
        children.map(lambda c: Node("plus", (c,))),
        children.map(lambda c: Node("opt", (c,))),
        counted,
    )


NULLABLE_PAIR = Node(
    "cat", (Node("opt", (Node("name", name="a"),)), Node("opt", (Node("name", name="b"),)))
)
LEAVES = st.sampled_from(NAMES).map(lambda n: Node("name", name=n))
PATTERNS = st.recursive(LEAVES, _grow, max_leaves=12)
STREAMS = st.lists(st.sampled_from(NAMES), max_size=10)


def expected_mismatch(node: Node, names: list[str], *, prefix: bool) -> Mismatch | None:
    """What ``Pattern.match`` must say, worked out on the model (every state of a Thompson
    automaton can still reach the end, so a non-empty set means a viable prefix)."""
    model = Model(node)
    states = model.run([{name} for name in names])

    def viable(before: frozenset[int]) -> tuple[str, ...]:
        return tuple(c for c in NAMES if model.step(before, {c}))

    for index in range(len(names)):
        if not states[index + 1]:
            before = states[index]
            return Mismatch(index, viable(before), model.accept in before)
    if prefix or model.accept in states[-1]:
        return None
    return Mismatch(None, viable(states[-1]), False)


def normal(found: Mismatch | None) -> tuple[int | None, frozenset[str], bool] | None:
    return None if found is None else (found.index, frozenset(found.expected), found.can_end)
