"""Reading one TOML table with every key checked: typed getters that name the key.

A getter takes a check (a function of the value: the converted value, or ``None`` when it
does not fit) and what was expected, for the message. ``Table.finish`` makes every key the
reader did not ask for an error, so a typo never silently weakens a contract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from contract.match.names import KIND_NAME

from .errors import ContractError

TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
NAME = KIND_NAME
T = TypeVar("T")


class Table:
    """One TOML table being read: typed getters that name the key, and a check for leftovers."""

    def __init__(self, data: Mapping[str, Any], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(
        self, name: str, expected: str, value: object = None, *, got: bool = True
    ) -> ContractError:
        shown = f", got {show(value)}" if got else ""
        return ContractError(f"{self.source}: {self.key(name)}: expected {expected}{shown}")

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, check: Callable[[object], T | None], expected: str, default: T) -> T:
        self.seen.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        result = check(value)
        if result is None:
            raise self.error(name, expected, value)
        return result

    def table(self, name: str) -> Table | None:
        self.seen.add(name)
        if name not in self.data:
            return None
        value = self.data[name]
        if not isinstance(value, dict):
            raise self.error(name, "a table", value)
        return Table(value, self.key(name), self.source)

    def finish(self) -> None:
        unknown = [key for key in self.data if key not in self.seen]
        if unknown:
            known = ", ".join(sorted(self.seen))
            where = f"[{self.path}]" if self.path else "the top level"
            raise ContractError(
                f"{self.source}: {self.key(unknown[0])}: unknown key in {where} "
                f"(known keys: {known})"
            )


def show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def as_line(value: object) -> str | None:
    """A string without line breaks (which no SSE field value can hold)."""
    return value if isinstance(value, str) and not re.search(r"[\r\n]", value) else None


def as_name(value: object) -> str | None:
    return value if isinstance(value, str) and NAME.fullmatch(value) else None


def as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def as_int_at_least(low: int) -> Callable[[object], int | None]:
    def check(value: object) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        return cast(int, value) if ok else None

    return check


def as_seconds(*, zero: bool = False) -> Callable[[object], float | None]:
    def check(value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = float(value)
        ok = (number >= 0 if zero else number > 0) and number < float("inf")
        return number if ok else None

    return check


def as_strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def as_nonempty_line(value: object) -> str | None:
    return as_line(value) or None


def as_id(value: object) -> str | None:
    line = as_line(value)
    return line if line is not None and "\0" not in line else None
