"""JSON Schema data rules (2020-12, through ``jsonschema``): checked on load, compiled once.

References resolve inside the schema only (``#/$defs/...``, anchors, embedded ``$id``):
nothing is fetched from the network, and a ``$ref`` that points nowhere is an error
when the contract loads, not a crash when the first event is judged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

MAX_DEPTH = 100
"""Levels of nesting a schema may have: the validator recurses once per level (or more)."""
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _step(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    return f"{path}.{text}" if _PLAIN_KEY.fullmatch(text) else f"{path}[{text!r}]"


def json_problem(value: object, max_depth: int | None = None) -> str | None:
    """Where and why ``value`` (read from TOML or YAML) is no JSON value, or ``None``.

    TOML and YAML have dates, times and NaN; JSON has none of them. With ``max_depth``,
    nesting deeper than that is a problem too.
    """
    pending: list[tuple[object, str, int]] = [(value, "$", 0)]
    while pending:
        node, path, depth = pending.pop()
        if max_depth is not None and depth > max_depth:
            return f"at {path}: nested more than {max_depth} levels deep"
        if isinstance(node, Mapping):
            pending.extend((v, _step(path, k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            pending.extend((v, _step(path, i), depth + 1) for i, v in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            return f"at {path}: JSON has no NaN or infinity"
        elif node is not None and not isinstance(node, str | int | float):
            return f"at {path}: JSON has no {type(node).__name__} (dates and times: write a string)"
    return None


def compile_schema(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for ``schema`` that checks formats and never retrieves a remote ``$ref``."""
    return jsonschema.Draft202012Validator(
        schema,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        registry=Registry(),
    )


def schema_problem(schema: Mapping[str, Any]) -> str | None:
    """Why ``schema`` cannot be used (not JSON, not valid 2020-12, nested too deeply, a ``$ref``
    to nowhere), or ``None``."""
    problem = json_problem(schema, MAX_DEPTH)
    if problem is not None:
        return problem
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "".join(f"[{p!r}]" for p in exc.path)
        return f"{where} {exc.message}".strip()
    root: Resource[Any] = DRAFT202012.create_resource(schema)
    base = root.id() or ""
    resolver = Registry().with_resource(base, root).crawl().resolver(base_uri=base)
    # Only schema positions (the values of keywords that take schemas, as the validator walks
    # them): a property called "default" is a schema, the value of the keyword default is data.
    pending = [(root, resolver)]
    while pending:
        resource, here = pending.pop()
        node = resource.contents
        if not isinstance(node, Mapping):
            continue
        if node is not schema and isinstance(node.get("$id"), str):
            here = here.in_subresource(resource)
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if isinstance(ref, str):
                try:
                    here.lookup(ref)
                except Unresolvable:
                    return f"{keyword} {ref!r} points to nothing in the schema (nothing is fetched)"
        pending.extend((sub, here) for sub in resource.subresources())
    return None
