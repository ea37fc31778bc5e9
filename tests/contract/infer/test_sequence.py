"""The pattern inferred from the samples' kinds (pure): it generalises runs, repeated groups
and parts some samples lack, and it always matches every sample."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract import Pattern
from contract.infer.sequence import fold, infer_sequence, runs, text


def matches(pattern: str, samples: list[list[str]], cut: bool = False) -> bool:
    compiled = Pattern(pattern)
    return all(
        compiled.match([(i, frozenset((n,))) for i, n in enumerate(s)], prefix=cut) is None
        for s in samples
    )


@pytest.mark.parametrize(
    ("samples", "pattern"),
    [
        (
            [["start", "p", "p", "p", "end", "start", "p", "end", "close"]] * 2,
            "(start p+ end)+ close",
        ),
        ([["first", "delta", "delta", "finish", "done"]], "first delta+ finish done"),
        ([["a", "b", "c"], ["a", "c"], ["a", "x", "c"]], "a b? x? c"),
        ([["s", "p", "e", "s", "p", "p", "e", "c"], ["s", "p", "e", "c"]], "(s p+ e)+ c"),
        ([["a", "b", "b"], ["a"]], "a b*"),
    ],
)
def test_samples_generalise_to(samples: list[list[str]], pattern: str) -> None:
    found, anywhere, _ = infer_sequence(samples, frozenset(), cut=False)
    assert (found, anywhere) == (pattern, ())


def test_a_kind_that_interrupts_a_run_goes_anywhere() -> None:
    sample = ["start", "token", "ping", "token", "token", "done"]
    assert infer_sequence([sample], frozenset({"ping"}), False)[:2] == (
        "start token+ done",
        ("ping",),
    )


def test_rare_constant_events_in_varying_numbers_go_anywhere() -> None:
    samples = [["a", "a", "hb", "b"], ["a", "a", "b"], ["hb", "hb", "a", "a", "a", "a", "b"]]
    assert infer_sequence(samples, frozenset({"hb"}), False)[:2] == ("a+ b", ("hb",))


def test_kinds_in_a_random_order_stay_in_the_pattern() -> None:
    samples = [["a", "b", "b", "a", "c"], ["b", "a", "c", "c"], ["c", "a", "b"]]
    pattern, anywhere, _ = infer_sequence(samples, frozenset("abc"), False)
    assert anywhere == ()
    assert matches(pattern, samples)


def test_named_pings_go_anywhere_but_never_the_last_event() -> None:
    sample = ["start", "ping", "delta", "stop"]
    assert infer_sequence([sample], frozenset(), False, frozenset({"ping"}))[1] == ("ping",)
    ending = ["start", "delta", "ping"]
    assert infer_sequence([ending], frozenset(), False, frozenset({"ping"}))[1] == ()


def test_alternating_kinds_are_a_group_not_pings() -> None:
    sample = ["a", "b", "a", "b", "a", "b"]
    assert infer_sequence([sample], frozenset({"a", "b"}), False)[:2] == ("(a b)+", ())


def test_a_stream_cut_short_needs_only_a_prefix() -> None:
    samples = [["hello", *["tick"] * n] for n in (3, 7, 1)]
    assert infer_sequence(samples, frozenset({"hello"}), True)[0] == "hello tick+"
    cut = [["a", "b", "a", "b", "a"], ["a", "b", "a", "b"]]
    assert infer_sequence(cut, frozenset(), True)[0] == "(a b)+"


def test_fold_merges_neighbours_and_groups() -> None:
    assert text(fold(runs(["x", "x", "y"]))) == "x+ y"
    assert text(fold(runs(["a", "b", "a", "b", "c"]))) == "(a b)+ c"


def test_the_notes_show_each_sample_with_its_counts() -> None:
    _, _, notes = infer_sequence([["a", "b", "b"], ["a", "b"]], frozenset(), False)
    assert notes == ["sample 1: a bx2", "sample 2: a b"]


NAMES = st.sampled_from(["a", "b", "c", "d"])


@given(st.lists(st.lists(NAMES, min_size=1, max_size=14), min_size=1, max_size=4), st.booleans())
@example([["a", "b"], ["b", "a"]], False)
@example([["a", "b", "a"], ["b"]], True)
def test_the_pattern_matches_every_sample(samples: list[list[str]], cut: bool) -> None:
    pattern, anywhere, _ = infer_sequence(samples, frozenset({"d"}), cut)
    rest = [[n for n in sample if n not in anywhere] for sample in samples]
    assert matches(pattern, rest, cut), (pattern, anywhere)
