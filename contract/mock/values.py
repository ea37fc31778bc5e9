"""JSON values a JSON Schema (2020-12) accepts, as a Hypothesis strategy: the data of the mock.

hypothesis-jsonschema draws the scalar parts (strings with their pattern or format, numbers
with their bounds, ``allOf`` of those merged); it knows drafts 4 to 7 only, and its object
strategy uses a private Hypothesis API that has since changed, so objects, arrays,
references and the composition keywords are drawn here. Keywords drawn neither way (``not``,
``if``, ``contains``, ``uniqueItems``, ``unevaluated*``, ``dependentSchemas``...) are left to
the caller's final check against the whole schema (``kinds.py``), which filters what fits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from referencing import Registry
from referencing.jsonschema import DRAFT202012

Resolver = Any
"""A ``referencing`` resolver (its class is not exported): reads the ``$ref`` of a schema."""
Conjunct = tuple[Any, Resolver]
"""A schema and the resolver its ``$ref`` values are read with: every conjunct must hold."""

MAX_DEPTH = 24
"""Nested values (and ``$ref`` hops) drawn at most: deeper, a recursive schema draws nothing."""
SOFT_DEPTH = 6
"""Nested values beyond which objects get their required properties only and arrays their
fewest items, so that a recursive schema's values end."""
TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_SCALAR_KEYS = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}
_OBJECT_KEYS = frozenset(
    [
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "dependentRequired",
    ]
)
_ARRAY_KEYS = frozenset(["items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"])


def characters() -> st.SearchStrategy[str]:
    """What raw text may hold: any character UTF-8 carries, but CR (a browser would read a
    line break)."""
    return st.characters(codec="utf-8", exclude_characters="\r")


def text() -> st.SearchStrategy[str]:
    """Strings for what a schema leaves open."""
    return st.text(characters(), max_size=12)


def any_json() -> st.SearchStrategy[Any]:
    """Small JSON values, for what a schema leaves open."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6) | text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text(), inner, max_size=3),
        max_leaves=3,
    )


def names() -> st.SearchStrategy[str]:
    """Names of properties a schema leaves open."""
    return st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


def json_values(schema: Mapping[str, Any] | bool) -> st.SearchStrategy[Any]:
    """Values ``schema`` may accept (check each against it: some keywords are not drawn)."""
    resource = DRAFT202012.create_resource(schema)
    base = resource.id() or ""
    resolver = Registry().with_resource(base, resource).crawl().resolver(base_uri=base)
    return _Drawer().all_of([(schema, resolver)], 0)


Flat = list[tuple[dict[str, Any], Resolver]]
"""Conjuncts without ``$ref`` or ``allOf`` at their top."""


class _Drawer:
    """The strategies of one schema's values; ``depth`` counts nested values and ``$ref`` hops."""

    def all_of(self, conjuncts: Sequence[Conjunct], depth: int) -> st.SearchStrategy[Any]:
        """Values every conjunct may accept."""
        flat = None if depth > MAX_DEPTH else self._flatten(conjuncts)
        if flat is None:
            return st.nothing()
        depth += 1
        for index, (node, here) in enumerate(flat):
            for keyword in ("anyOf", "oneOf"):
                branches = node.get(keyword)
                if isinstance(branches, list):
                    rest = [*flat[:index], ({**_without(node, keyword)}, here), *flat[index + 1 :]]
                    return st.one_of([self.all_of([*rest, (b, here)], depth) for b in branches])
        for node, _ in flat:
            if "const" in node:
                return st.just(node["const"])
        for node, _ in flat:
            if isinstance(node.get("enum"), list) and node["enum"]:
                return st.sampled_from(node["enum"])
        if not any(flat_node for flat_node, _ in flat):
            return any_json()
        types = _types([node for node, _ in flat])
        return st.one_of([self._typed(kind, flat, depth) for kind in types])

    def _flatten(self, conjuncts: Sequence[Conjunct]) -> Flat | None:
        """The conjuncts with ``$ref`` and ``allOf`` expanded; ``None`` when one is ``false``."""
        pending = list(conjuncts)
        flat: Flat = []
        hops = 0
        while pending:
            node, here = pending.pop()
            if node is True:
                continue
            if node is False or not isinstance(node, Mapping):
                return None
            node = dict(node)
            if isinstance(node.get("$id"), str):
                here = here.in_subresource(DRAFT202012.create_resource(node))
            ref = node.pop("$ref", None)
            if isinstance(ref, str):
                hops += 1
                if hops > MAX_DEPTH:
                    return None  # a reference cycle with nothing between
                resolved = here.lookup(ref)
                pending.append((resolved.contents, resolved.resolver))
            for sub in node.pop("allOf", None) or ():
                pending.append((sub, here))
            flat.append((node, here))
        return flat

    def _typed(self, kind: str, flat: Flat, depth: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "object":
            return self._object(flat, depth)
        if kind == "array":
            return self._array(flat, depth)
        parts = [
            {key: node[key] for key in _SCALAR_KEYS[kind] if key in node}
            for node, _ in flat
            if any(key in node for key in _SCALAR_KEYS[kind])
        ]
        # Imported when first used: it builds strategies (and Hypothesis its caches) on import.
        from hypothesis_jsonschema import from_schema

        try:
            return from_schema({"type": kind, "allOf": parts} if parts else {"type": kind})
        except InvalidArgument:
            return st.nothing()  # bounds that contradict each other

    def _nested(self, conjuncts: list[Conjunct], depth: int) -> st.SearchStrategy[Any]:
        """``all_of`` built when first drawn from: a schema's every branch is not built ahead."""
        return st.deferred(lambda: self.all_of(conjuncts, depth))

    def _value_for(self, key: str, flat: Flat) -> list[Conjunct]:
        """What the value of property ``key`` must satisfy, conjunct by conjunct."""
        found: list[Conjunct] = []
        for node, here in flat:
            properties = node.get("properties") or {}
            patterns = node.get("patternProperties") or {}
            matched = [s for p, s in patterns.items() if re.search(p, key)]
            if key in properties:
                found.append((properties[key], here))
            found.extend((s, here) for s in matched)
            if key not in properties and not matched and "additionalProperties" in node:
                found.append((node["additionalProperties"], here))
        return found

    def _object(self, flat: Flat, depth: int) -> st.SearchStrategy[Any]:
        required: list[str] = []
        known: list[str] = []
        depends: list[str] = []
        low, high = 0, 8
        for node, _ in flat:
            required += [k for k in node.get("required") or () if k not in required]
            known += [k for k in node.get("properties") or {} if k not in known]
            for key_names in (node.get("dependentRequired") or {}).values():
                depends.extend(key_names)
            low = max(low, node.get("minProperties", 0))
            high = min(high, node.get("maxProperties", high))
        high = max(high, len(required), low)
        known_names = {*required, *known, *depends}
        values = {key: self._nested(self._value_for(key, flat), depth) for key in known_names}
        closed = any(
            node.get("additionalProperties") is False and not node.get("patternProperties")
            for node, _ in flat
        )
        deep = depth > SOFT_DEPTH
        optional = {
            key: values[key]
            for key in sorted(known_names - set(required))
            if not deep and not values[key].is_empty
        }
        fixed = st.fixed_dictionaries({key: values[key] for key in required}, optional=optional)
        if closed or deep:
            return fixed.filter(lambda found: low <= len(found) <= high)
        least = max(0, low - len(required) - len(optional))

        def valued(extra: list[str]) -> st.SearchStrategy[dict[str, Any]]:
            return st.fixed_dictionaries(
                {key: self._nested(self._value_for(key, flat), depth) for key in extra}
            )

        unknown = names().filter(lambda key: key not in known_names)
        extras = st.lists(unknown, min_size=least, max_size=least + 1, unique=True).flatmap(valued)
        both = st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})
        return both.filter(lambda found: len(found) <= high)

    def _array(self, flat: Flat, depth: int) -> st.SearchStrategy[Any]:
        low, high = 0, 5
        for node, _ in flat:
            low = max(low, node.get("minItems", 0))
            high = min(high, node.get("maxItems", high))
            if node.get("items") is False:
                high = min(high, len(node.get("prefixItems") or ()))
        high = low if depth > SOFT_DEPTH else max(high, min(low, 64))
        prefixed = max((len(node.get("prefixItems") or ()) for node, _ in flat), default=0)

        def item(index: int) -> st.SearchStrategy[Any]:
            found: list[Conjunct] = []
            for node, here in flat:
                prefixes = node.get("prefixItems") or ()
                if index < len(prefixes):
                    found.append((prefixes[index], here))
                elif "items" in node:
                    found.append((node["items"], here))
            return self._nested(found, depth)

        # Past the prefixes every item has the same schema: one strategy for all of them.
        items = [item(i) for i in range(min(high, prefixed + 1))]
        items += items[-1:] * (high - len(items))
        high = next((i for i, each in enumerate(items) if each.is_empty), high)
        if high < low:
            return st.nothing()

        return st.integers(low, high).flatmap(lambda size: st.tuples(*items[:size])).map(list)


def _without(node: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key != keyword}


def _types(nodes: Sequence[Mapping[str, Any]]) -> list[str]:
    """The JSON types every node allows; inferred from the keywords where none says."""
    allowed = set(TYPES)
    for node in nodes:
        given = node.get("type")
        if given is None:
            continue
        named = {given} if isinstance(given, str) else set(given)
        if "number" in named:
            named.add("integer")
        allowed &= named
    if all("type" not in node for node in nodes):
        keys = {key for node in nodes for key in node}
        hinted = [
            kind
            for kind, words in (
                ("object", _OBJECT_KEYS),
                ("array", _ARRAY_KEYS),
                ("string", frozenset(_SCALAR_KEYS["string"])),
                ("number", frozenset(_SCALAR_KEYS["number"])),
            )
            if keys & words
        ]
        if hinted:
            allowed &= set(hinted)
    if "number" in allowed and "integer" in allowed:
        allowed.discard("integer")  # numbers draw integers too
    return [kind for kind in TYPES if kind in allowed]
