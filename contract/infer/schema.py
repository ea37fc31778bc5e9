"""A JSON Schema for JSON data seen in the samples: genson merges the structure (types, keys,
``required`` for the keys every value has), then each leaf is narrowed to what was seen; pure.

A leaf value the same everywhere becomes ``const``; a small set that recurs in every
sample (market symbols, not prices) an ``enum``; strings that vary keep a format every
value has (``date-time``, ``uuid``...) or their common prefix up to a separator
(``^chatcmpl-``). What TOML cannot hold (null, huge integers) stays a type.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import jsonschema
from genson import SchemaBuilder

from .toml_values import writable

FEW = 8
"""Distinct values at most in an ``enum``."""
FORMATS = ("date-time", "date", "uuid", "email", "uri")
_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
_SPECIAL = set(".^$*+?{}[]\\|()")
Groups = Sequence[Sequence[Any]]
"""Values at one place of the data, one list per sample."""


def json_type(value: object) -> str:
    """The JSON Schema type of a parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(schema: dict[str, Any], value: object) -> bool:
    kind = json_type(value)
    types = schema.get("type")
    names = types if isinstance(types, list) else [types]
    return kind in names or (kind == "integer" and "number" in names)


def _key(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _prefix(values: Sequence[str]) -> str:
    """The values' common prefix, up to and including its last separator ("" if none)."""
    common = values[0]
    for value in values[1:]:
        while not value.startswith(common):
            common = common[:-1]
    cut = max((i for i, char in enumerate(common) if not char.isalnum()), default=-1)
    return common[: cut + 1]


def _string_rule(values: Sequence[str]) -> dict[str, Any]:
    for name in FORMATS:
        if all(_CHECKER.conforms(value, name) for value in values):
            return {"type": "string", "format": name}
    prefix = _prefix(values)
    if len(prefix) >= 2:
        return {
            "type": "string",
            "pattern": "^" + "".join("\\" * (c in _SPECIAL) + c for c in prefix),
        }
    return {"type": "string"}


def _recurs(groups: Groups, distinct: int) -> bool:
    """A small closed set: every value comes back in other samples, and within a sample each
    value comes twice on average (symbols of a feed, not prices)."""
    if distinct > FEW:
        return False
    filled = [group for group in groups if group]
    seen = [{_key(v) for v in group} for group in filled]
    everywhere = len(seen) < 2 or all(
        sum(key in other for other in seen) >= 2 for keys in seen for key in keys
    )
    dense = all(len(group) >= 2 * len(keys) for group, keys in zip(filled, seen, strict=True))
    return everywhere and dense


def _leaf(groups: Groups) -> dict[str, Any]:
    """A scalar place of the data: const, enum, or its type (with a format or prefix)."""
    floats = any(isinstance(v, float) for group in groups for v in group)

    def kind_of(value: object) -> str:
        kind = json_type(value)
        return "number" if kind == "integer" and floats else kind

    kinds = list(dict.fromkeys(kind_of(v) for group in groups for v in group))
    branches: list[dict[str, Any]] = []
    for kind in kinds:
        typed = [[v for v in group if kind_of(v) == kind] for group in groups]
        values = [v for group in typed for v in group]
        distinct = list({_key(v): v for v in values}.values())
        exact = all(writable(v) and _finite(v) for v in distinct)
        if kind == "null":
            branches.append({"type": "null"})
        elif exact and len(distinct) == 1:
            branches.append({"const": distinct[0]})
        elif exact and kind != "boolean" and _recurs(typed, len(distinct)):
            branches.append({"enum": sorted(distinct, key=_key)})
        elif kind == "string":
            branches.append(_string_rule(values))
        else:
            branches.append({"type": kind})
    if len(branches) == 1:
        return branches[0]
    if all(list(branch) == ["type"] for branch in branches):
        return {"type": [branch["type"] for branch in branches]}
    return {"anyOf": branches}


def _finite(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _narrow(schema: dict[str, Any], groups: Groups) -> dict[str, Any]:
    """``schema`` (genson's, for these values) with every leaf narrowed to what was seen."""
    if "anyOf" in schema:
        return {
            "anyOf": [
                _narrow(branch, [[v for v in g if _fits(branch, v)] for g in groups])
                for branch in schema["anyOf"]
            ]
        }
    kind = schema.get("type")
    if kind == "object":
        out = {k: v for k, v in schema.items() if k != "properties"}
        properties = schema.get("properties", {})
        if properties:
            out["properties"] = {
                name: _narrow(
                    sub, [[v[name] for v in g if isinstance(v, dict) and name in v] for g in groups]
                )
                for name, sub in properties.items()
            }
        return out
    if kind == "array":
        out = dict(schema)
        if "items" in schema:
            items = [[x for v in g if isinstance(v, list) for x in v] for g in groups]
            out["items"] = _narrow(schema["items"], items)
        return out
    return _leaf(groups)


def data_schema(groups: Groups) -> dict[str, Any]:
    """A JSON Schema for the parsed data values, one list per sample."""
    builder = SchemaBuilder(schema_uri=None)
    counted: Counter[str] = Counter()
    for group in groups:
        for value in group:
            key = _key(value)
            if key not in counted:
                builder.add_object(value)
            counted[key] += 1
    return _narrow(builder.to_schema(), groups)
