"""Patterns agree with a model built another way (``model.py``), on random patterns and streams."""

from __future__ import annotations

from itertools import product

from hypothesis import example, given
from hypothesis import strategies as st

from contract import Pattern
from tests.contract.match.model import (
    NAMES,
    NULLABLE_PAIR,
    PATTERNS,
    STREAMS,
    Model,
    Node,
    expected_mismatch,
    normal,
)
from tests.contract.match.test_pattern import run


@given(PATTERNS, STREAMS)
@example(Node("count", (Node("name", name="a"),), low=2, high=None), ["a"])
@example(Node("opt", (Node("star", (Node("name", name="a"),)),)), [])
@example(Node("count", (NULLABLE_PAIR,), low=2, high=3), ["b", "a", "b", "a"])
@example(Node("count", (NULLABLE_PAIR,), low=1, high=2), ["a", "b", "a", "b", "a"])
@example(Node("count", (Node("plus", (Node("name", name="a"),)),), low=2, high=3), ["a"] * 7)
@example(Node("count", (Node("star", (Node("name", name="a"),)),), low=2, high=None), ["a"])
def test_full_matches_agree_with_re(node: Node, names: list[str]) -> None:
    pattern = Pattern(node.text())
    model = Model(node)
    assert (run(pattern, names) is None) == (model.accept in model.run([{n} for n in names])[-1])
    assert normal(run(pattern, names)) == normal(expected_mismatch(node, names, prefix=False))


@given(PATTERNS, STREAMS)
def test_prefix_matches_and_mismatches_agree_with_re(node: Node, names: list[str]) -> None:
    pattern = Pattern(node.text())
    found = run(pattern, names, prefix=True)
    assert normal(found) == normal(expected_mismatch(node, names, prefix=True))


@given(PATTERNS, st.lists(st.sets(st.sampled_from(NAMES), min_size=1, max_size=2), max_size=5))
def test_events_with_several_names_match_if_any_choice_does(
    node: Node, labels: list[set[str]]
) -> None:
    found = Pattern(node.text()).match([(i, frozenset(s)) for i, s in enumerate(labels)])
    model = Model(node)
    any_choice = any(model.accept in model.run([{n} for n in c])[-1] for c in product(*labels))
    assert (found is None) == any_choice
    assert (found is None) == (model.accept in model.run(labels)[-1])
