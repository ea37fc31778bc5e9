"""JSON Schema's ``pattern`` as the specification reads it: an ECMA-262 regular expression, not
a Python one (https://json-schema.org/draft/2020-12/json-schema-validation#section-6.3.3).

Python's ``re`` differs where a mock's data could slip through: ``$`` also matches before a
final newline, and ``\\d``, ``\\w`` and ``\\b`` take any script's digits and letters. Here
``$`` (outside a character class) matches only at the end, and those classes are ASCII, as in
ECMA-262 without the ``u`` and ``m`` flags; a pattern this reading cannot compile fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from referencing import Registry


def _translated(pattern: str) -> str:
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
        else:
            out.append(r"\Z" if char == "$" else char)
    return "".join(out)


def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:  # re keeps the patterns it compiled last
        return re.compile(_translated(pattern), re.ASCII)
    except re.error:
        return None


def ecma_search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` as ECMA-262 matches it."""
    compiled = _compiled(pattern)
    return compiled is not None and compiled.search(text) is not None


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not ecma_search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# types-jsonschema leaves extend untyped
_EcmaValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


def validator(schema: Mapping[str, Any]) -> Any:
    """A 2020-12 validator of ``schema`` with formats checked and ``pattern`` read as ECMA-262;
    nothing is fetched for a ``$ref``."""
    return _EcmaValidator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER, registry=Registry()
    )
