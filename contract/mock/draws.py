"""Values drawn from a Hypothesis strategy outside a test, the same for the same seed.

The mock is no test: it runs one ``@given`` function under ``hypothesis.seed``, with no
database, no shrinking and no health checks, and keeps what it was called with.
"""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, InvalidArgument

T = TypeVar("T")


class NothingDrawn(ValueError):
    """A strategy gave no value: what it draws from is empty, or every draw was rejected."""


def examples(strategy: st.SearchStrategy[T], seed: int, count: int) -> list[T]:
    """Up to ``count`` values of ``strategy`` (at least one, else ``NothingDrawn``), in the
    order drawn; the same seed gives the same values."""
    found: list[T] = []

    @settings(
        database=None,
        max_examples=count,
        phases=(Phase.generate,),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )
    @seeded(seed)
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    try:
        collect()
    except (HypothesisException, InvalidArgument) as exc:
        if not found:
            raise NothingDrawn(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    if not found:
        raise NothingDrawn("every value drawn was rejected")
    return found
