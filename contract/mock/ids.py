"""The ids of a mock's events, as the contract's ``[ids]`` scheme asks, and how two ids compare."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from random import Random
from typing import Literal

from contract.spec.model import Contract

Form = Literal["none", "sequential", "integers", "ms-seq", "tokens"]
"""No ids; start, start+1...; rising integers with gaps (small, past 2**53, or zero-padded);
``1700000000000-3`` pairs; hex tokens."""
_FORMS: dict[str, tuple[Form, ...]] = {
    "sequential": ("sequential",),
    "increasing": ("integers", "ms-seq"),
    "unique": ("tokens", "integers"),
    "none": ("none",),
}
_INTEGER = re.compile(r"[0-9]+")
_MS_SEQ = re.compile(r"([0-9]+)-([0-9]+)")


def choose_form(
    contract: Contract, rng: Random, takes: Callable[[str], bool] = lambda _: True
) -> Form:
    """The form of ids for this stream: the scheme's, one of them by the seed; with ``any``, ids
    when something reads them (``[resume]``, an OpenAPI event schema), else any form. The
    first, in the seed's order, whose first id ``takes`` accepts (an event schema's pattern)."""
    scheme = contract.ids.scheme
    if scheme in _FORMS:
        forms = list(_FORMS[scheme])
    elif contract.resume is not None or any(k.event_schema for k in contract.kinds):
        forms = ["sequential", "integers"]
    else:
        forms = ["none", "sequential", "ms-seq"]
    rng.shuffle(forms)
    start = contract.ids.start if scheme == "sequential" else 0
    for form in forms:
        trial = Random()
        trial.setstate(rng.getstate())
        if takes(next(ids(form, start, trial))):
            return form
    return forms[0]


def ids(form: Form, start: int, rng: Random) -> Iterator[str]:
    """The ids of the events, in order, for ever (``""``: no id)."""
    if form == "none":
        yield from ("" for _ in count())
    elif form == "sequential":
        yield from (str(start + i) for i in count())
    elif form == "integers":
        # Small, past what a double holds exactly, or zero-padded: each compares as a number.
        value = rng.choice((rng.randrange(1, 10**6), 10**20 + rng.randrange(10**6)))
        padded = rng.random() < 0.3
        while True:
            yield f"{value:024d}" if padded else str(value)
            value += rng.randrange(1, 6)
    elif form == "ms-seq":
        millis, sequence = 1_700_000_000_000 + rng.randrange(10**9), 0
        while True:
            yield f"{millis}-{sequence}"
            if rng.random() < 0.3:
                millis, sequence = millis + rng.randrange(1, 50), 0
            else:
                sequence += 1
    else:
        seen: set[str] = set()
        while True:
            token = f"{rng.getrandbits(40):010x}"
            if token not in seen:
                seen.add(token)
                yield token


def _integer_key(text: str) -> tuple[int, str]:
    significant = text.lstrip("0") or "0"
    return len(significant), significant


def order_key(text: str) -> tuple[tuple[int, str], ...] | None:
    """How an id sorts: a decimal integer (of any length) or an ms-seq pair; ``None``: neither."""
    if _INTEGER.fullmatch(text):
        return (_integer_key(text),)
    match = _MS_SEQ.fullmatch(text)
    if match:
        return (_integer_key(match.group(1)), _integer_key(match.group(2)))
    return None


def is_past(value: str, last: str) -> bool:
    """Whether ``value`` is a decimal integer after the decimal id ``last``."""
    mine, theirs = order_key(value), order_key(last)
    if mine is None or theirs is None or len(mine) != 1 or len(theirs) != 1:
        return False
    return mine > theirs
