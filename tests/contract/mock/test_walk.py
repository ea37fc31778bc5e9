"""Walks of a pattern: every word drawn is one the pattern accepts, a terminal name comes only
last, and a feed's endless walk stays a prefix of an accepted word."""

from __future__ import annotations

from itertools import islice
from random import Random

import pytest

from contract import Pattern
from contract.mock.breaks import terminal_names
from contract.mock.errors import MockError
from contract.mock.walk import Walker
from tests.contract.mock.contracts import all_contracts

MADE_UP = [
    ("a", frozenset()),
    ("x{2,3} y?", frozenset()),
    ("(a | b)* c", frozenset({"c"})),
    ("a (b c)+ d", frozenset({"d"})),
    ("start (a | b{2}){1,3} (stop | halt)", frozenset({"stop", "halt"})),
    ("a* (b | c)? a*", frozenset()),
    ("(done | a) b* done", frozenset({"done"})),
]
"""Patterns, with the names that end a stream (``[end] after``)."""


def _patterns() -> list[tuple[str, frozenset[str]]]:
    found = list(MADE_UP)
    for load in all_contracts().values():
        contract = load()
        if contract.sequence is not None and not contract.end.never:
            found.append((contract.sequence.pattern, terminal_names(contract)))
    return list(dict.fromkeys(found))


def _accepted(pattern: Pattern, word: list[str], prefix: bool = False) -> bool:
    labels = [(i, frozenset((name,))) for i, name in enumerate(word)]
    return pattern.match(labels, prefix=prefix) is None


@pytest.mark.parametrize(("text", "final"), _patterns())
def test_every_word_drawn_is_accepted_and_ends_at_its_first_terminal(
    text: str, final: frozenset[str]
) -> None:
    pattern = Pattern(text)
    walker = Walker(pattern.positions(), final)
    lengths = set()
    for seed in range(60):
        rng = Random(seed)
        target = walker.shortest() + rng.randrange(8)
        word = walker.word(rng, target)
        assert _accepted(pattern, word), word
        assert not [name for name in word[:-1] if name in final], word
        if final:
            assert word[-1] in final
        lengths.add(len(word))
    assert min(lengths) == walker.shortest()
    assert len(lengths) > 1 or not any(sign in text for sign in "*+?,")


@pytest.mark.parametrize("text", ["tick+", "hello tick+", "(a | b c)* d?", "a{2} b*"])
def test_an_endless_walk_is_a_prefix_of_an_accepted_word(text: str) -> None:
    pattern = Pattern(text)
    walker = Walker(pattern.positions())
    for seed in range(20):
        word = list(islice(walker.endless(Random(seed)), 200))
        assert _accepted(pattern, word, prefix=True), word
        assert len(word) == 200  # each of these patterns can go on for ever


def test_an_endless_walk_of_a_finite_pattern_stops_where_the_pattern_does() -> None:
    walker = Walker(Pattern("hello tick{3}").positions())
    assert list(walker.endless(Random(0))) == ["hello", "tick", "tick", "tick"]


def test_a_pattern_that_cannot_end_with_its_terminal_is_an_error() -> None:
    walker = Walker(Pattern("done more").positions(), frozenset({"done"}))
    with pytest.raises(MockError, match="the pattern accepts no stream that ends with done"):
        walker.shortest()


def test_the_positions_spell_the_pattern() -> None:
    positions = Pattern("a (b | c)* d?").positions()
    assert positions.names == ("a", "b", "c", "d")
    assert positions.first == frozenset({0})
    assert positions.last == frozenset({0, 1, 2, 3})
    assert positions.follow[0] == frozenset({1, 2, 3})
    assert positions.follow[3] == frozenset()
    assert not positions.nullable
