"""A JSON Schema's fits checked fast: jsonschema-rs where it judges as ``jsonschema`` does.

``jsonschema`` stays the reference (and writes the messages of the misfits a report
shows); jsonschema-rs (draft 2020-12, compiled once per schema) answers the yes/no
question about every event, roughly a hundred times faster. The two agree except where
the languages differ, so a schema that uses any of these is checked by ``jsonschema``
alone, and ``slow_reason`` says which:

- a regex (``pattern``, ``patternProperties``) outside the subset both engines read
  alike: Python's ``re`` is not ECMA-262 (a lookaround, an inline flag, ``\\b`` read
  differently). Two things are translated: ``$``, which in ``re`` also matches before a
  final newline (``(?=\\n?$)`` to jsonschema-rs), and ``\\d``, ``\\w``, ``\\s`` (Unicode
  classes in ``re``, ASCII in ECMA-262), spelled out as the characters ``re`` matches;
- a ``format`` outside ``SAME_FORMATS`` (each judged alike on the differential test's
  values, tests/contract/match/test_fastschema.py), the ``regex`` format above all;
- ``multipleOf`` by a fraction (floating-point division in ``jsonschema``, exact in
  jsonschema-rs: 0.07 is a multiple of 0.01 for one and not the other).

A value jsonschema-rs cannot take (a lone surrogate from ``\\ud800``) is judged by
``jsonschema`` alone, that once. Nor does it take a number past a double (JSON.parse
reads ``1e400`` as infinity; jsonschema-rs judges infinity as no number, so its "yes"
can be wrong too): the caller, who has the JSON text, sends such data to ``jsonschema``
(``classify/fits.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jsonschema_rs

Check = Callable[[Any], bool]

SAME_FORMATS = frozenset(("date", "ipv4", "ipv6", "uri", "uuid", "json-pointer"))
"""Formats both libraries judge alike (leap seconds, e-mail, host names, durations... do not)."""

_DATA_KEYWORDS = frozenset(("const", "enum", "default", "examples"))
_SCHEMA_MAPS = frozenset(("properties", "$defs", "definitions", "dependentSchemas"))
"""Keywords whose values map names to schemas: a name there is no keyword (a property may
be called ``default``), so each value is walked as a schema."""
_SPECIAL = frozenset("\\.^$*+?{}[]()|")
_PUNCTUATION = frozenset("!\"#%&',-/:;<=>@_`~") | _SPECIAL
_ESCAPED_LETTERS = frozenset("ntrfv")
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
_HEX = re.compile(r"x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}")


class _Dialect(Exception):
    """A regex construct the two engines read differently (or may)."""


@cache
def _python_class(letter: str) -> str:
    """What Python's ``\\d``, ``\\w`` or ``\\s`` matches, as the ranges of a class (its
    Unicode, whatever jsonschema-rs's: the class is spelled out, character by character)."""
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))

    def spelled(char: str) -> str:
        return f"\\x{ord(char):02x}" if ord(char) < 0x80 and not char.isalnum() else char

    return "".join(
        spelled(run[0]) + (f"-{spelled(run[-1])}" if len(run) > 1 else "")
        for run in re.findall(f"\\{letter}+", every)
    )


def _escape(pattern: str, i: int, in_class: bool = False) -> tuple[str, int]:
    """The escape at ``pattern[i]`` (a backslash) as jsonschema-rs should read it, and its end."""
    if i + 1 >= len(pattern):
        raise _Dialect("a trailing backslash")
    char = pattern[i + 1]
    if char in _PUNCTUATION or char in _ESCAPED_LETTERS:
        return pattern[i : i + 2], i + 2
    if char in "dws":
        ranges = _python_class(char)
        return (ranges if in_class else f"[{ranges}]"), i + 2
    if char in "DWS" and not in_class:
        return f"[^{_python_class(char.lower())}]", i + 2
    hexed = _HEX.match(pattern, i + 1)
    if hexed:
        return pattern[i : hexed.end()], hexed.end()
    raise _Dialect(f"\\{char}")


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """The class starting at ``pattern[i]`` (``[``), copied, and where it ends."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        raise _Dialect("']' first in a class")
    out = [pattern[i:j]]
    while j < len(pattern):
        char = pattern[j]
        if char == "]":
            return "".join(out) + "]", j + 1
        if char == "[" or pattern[j : j + 2] in ("&&", "--", "~~", "||"):
            raise _Dialect(f"{pattern[j : j + 2]!r} in a class (a set operation in one engine)")
        if char == "\\":
            text, j = _escape(pattern, j, in_class=True)
            out.append(text)
            continue
        out.append(char)
        j += 1
    raise _Dialect("an unclosed class")


def translate_regex(pattern: str) -> str:
    """``pattern`` (Python's ``re``, as ``jsonschema`` reads it) for jsonschema-rs, meaning
    the same; ``_Dialect`` when it uses a construct outside the shared subset."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _Dialect(f"not a Python regex ({exc})") from None
    out: list[str] = []
    i = 0
    quantifiable = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            text, i = _escape(pattern, i)
            out.append(text)
            quantifiable = True
        elif char == "[":
            text, i = _char_class(pattern, i)
            out.append(text)
            quantifiable = True
        elif char == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise _Dialect(f"{pattern[i : i + 3]!r} (a lookaround, a name or a flag)")
            step = 3 if pattern.startswith("(?:", i) else 1
            out.append(pattern[i : i + step])
            i += step
            quantifiable = False
        elif char == "$":
            out.append("(?=\\n?$)")  # Python's $: the end, or before a newline that ends it
            i += 1
            quantifiable = False
        elif char in "*+?{":
            counted = _QUANTIFIER.match(pattern, i) if char == "{" else None
            if char == "{" and counted is None:
                raise _Dialect("'{' that is not a count")
            if not quantifiable:
                raise _Dialect(f"{char!r} with nothing to repeat")
            end = counted.end() if counted else i + 1
            if pattern.startswith("?", end):
                end += 1  # lazy: the same in both
            elif pattern.startswith("+", end):
                raise _Dialect("a possessive quantifier")
            out.append(pattern[i:end])
            i = end
            quantifiable = False
        else:
            out.append(char)
            i += 1
            quantifiable = char not in "|^"
    return "".join(out)


def slow_reason(schema: Mapping[str, Any]) -> str | None:
    """Why ``schema`` must be checked by ``jsonschema`` alone, or ``None`` when both agree."""
    try:
        _translated(schema)
    except _Dialect as exc:
        return str(exc)
    return None


def _translated(node: Any) -> Any:
    """The schema with each regex in jsonschema-rs's terms; ``_Dialect`` naming what cannot be."""
    if isinstance(node, list):
        return [_translated(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {name: _translated(sub) for name, sub in value.items()}
        elif key in _DATA_KEYWORDS:
            out[key] = value
        elif key == "pattern" and isinstance(value, str):
            out[key] = _regex(value)
        elif key == "patternProperties" and isinstance(value, Mapping):
            out[key] = {_regex(name): _translated(sub) for name, sub in value.items()}
        elif key == "format" and isinstance(value, str) and value not in SAME_FORMATS:
            raise _Dialect(f"format {value!r}: the two libraries judge some values differently")
        elif key == "multipleOf" and isinstance(value, float) and not value.is_integer():
            raise _Dialect(f"multipleOf {value!r}: a fraction, divided in floating point")
        else:
            out[key] = _translated(value)
    return out


def _regex(pattern: str) -> str:
    try:
        return translate_regex(pattern)
    except _Dialect as exc:
        raise _Dialect(f"regex {pattern!r}: {exc}") from None


def rs_validator(schema: Mapping[str, Any]) -> tuple[Check | None, str | None]:
    """jsonschema-rs's ``is_valid`` for ``schema`` where it agrees with ``jsonschema``, else
    ``None`` and why. It raises ``ValueError`` for a value it cannot take (a lone surrogate)."""
    try:
        translated = _translated(schema)
    except _Dialect as exc:
        return None, str(exc)
    try:
        validator = jsonschema_rs.Draft202012Validator(
            translated, validate_formats=True, ignore_unknown_formats=True, offline=True
        )
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        return None, f"jsonschema-rs cannot compile it ({' '.join(str(exc).split())[:120]})"
    return validator.is_valid, None


def fast_check(schema: Mapping[str, Any], slow: Check) -> tuple[Check, str | None]:
    """Whether a value fits ``schema``: by jsonschema-rs when it agrees with ``slow`` (the
    ``jsonschema`` validator's ``is_valid``), else by ``slow``, and the reason (or ``None``).

    For values with finite numbers only (an OpenAPI event item: strings): a value holding
    infinity can get a wrong "yes" (JSON text: ``classify/fits.py`` keeps it from here)."""
    fast, reason = rs_validator(schema)
    if fast is None:
        return slow, reason

    def check(value: Any) -> bool:
        try:
            return fast(value)
        except ValueError:  # a string jsonschema-rs cannot encode (a lone surrogate)
            return slow(value)

    return check, None
