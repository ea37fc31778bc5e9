"""Instances drawn from a JSON Schema, mostly valid: what the differential test feeds both
validators (whether each is valid does not matter there, only that both agree on it).

hypothesis-jsonschema 0.23.1 would do this, but its object strategy calls a Hypothesis
internal (``cu.many(...).more()``) that the Hypothesis this project runs no longer has;
this covers the keywords of the project's schemas instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _resolve(root: Mapping[str, Any], ref: str) -> Any:
    node: Any = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _merge(values: tuple[Any, ...]) -> Any:
    if all(isinstance(value, dict) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged.update(value)
        return merged
    return values[0]


def instances(
    schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values shaped by ``schema`` (``$ref`` in ``root``), arbitrary JSON where it says little."""
    root = schema if root is None else root
    if not isinstance(schema, Mapping) or depth > 8:
        return JSON
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    parts = [schema[key] for key in ("allOf",) if key in schema]
    subs = [instances(_resolve(root, schema["$ref"]), root, depth + 1)] if "$ref" in schema else []
    subs += [instances(sub, root, depth + 1) for part in parts for sub in part]
    own = _own(schema, root, depth)
    if own is not None:
        subs.append(own)
    if not subs:
        return JSON
    return st.tuples(*subs).map(_merge)


def _own(
    schema: Mapping[str, Any], root: Mapping[str, Any], depth: int
) -> st.SearchStrategy[Any] | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        shaped = [_own({**schema, "type": one}, root, depth) for one in kind]
        return st.one_of(*(JSON if one is None else one for one in shaped))
    if kind == "object" or (kind is None and "properties" in schema):
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        members = {name: instances(sub, root, depth + 1) for name, sub in properties.items()}
        return st.fixed_dictionaries(
            {name: members.get(name, JSON) for name in required},
            optional={name: s for name, s in members.items() if name not in required},
        )
    if kind == "array":
        items = instances(schema.get("items", {}), root, depth + 1)
        low = schema.get("minItems", 0)
        return st.lists(items, min_size=low, max_size=max(low, schema.get("maxItems", low + 3)))
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"])
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=schema.get("maxLength", low + 10))
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum")
        numbers = st.integers(min_value=low, max_value=high)
        return (
            numbers
            if kind == "integer"
            else numbers | st.floats(low, high, allow_nan=False, allow_infinity=False)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return None
