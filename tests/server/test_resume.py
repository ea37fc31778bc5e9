"""The Last-Event-ID decision: pure, total, and never through int() on a long value."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from aiohttp_sse_demo.resume import Kind, Resume, decide
from aiohttp_sse_demo.tasks import LAST_ID


def test_absent_header_is_the_full_stream() -> None:
    assert decide(None, LAST_ID) == Resume(Kind.FULL)


def test_each_id_before_the_last_resumes_after_it() -> None:
    for n in range(LAST_ID):
        assert decide(str(n), LAST_ID) == Resume(Kind.RESUME, after_id=n)


def test_a_huge_integer_is_done_without_int() -> None:
    assert decide("9" * 100_000, LAST_ID) == Resume(Kind.DONE)


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=0, max_value=5))
def test_decimal_integers_with_any_zero_padding(n: int, zeros: int) -> None:
    decision = decide("0" * zeros + str(n), LAST_ID)
    if n >= LAST_ID:
        assert decision == Resume(Kind.DONE)
    else:
        assert decision == Resume(Kind.RESUME, after_id=n)


@given(st.text())
@example("\u0663")  # ARABIC-INDIC DIGIT THREE: str.isdigit() is true
@example("\uff13")  # FULLWIDTH DIGIT THREE
@example("1_0")
@example("")
def test_anything_that_is_not_ascii_digits_is_ignored(value: str) -> None:
    decision = decide(value, LAST_ID)
    if value and value.isascii() and value.isdigit():
        assert decision.kind in (Kind.RESUME, Kind.DONE)
    else:
        assert decision.kind is Kind.FULL
        assert decision.ignored
