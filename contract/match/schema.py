"""JSON Schema data rules (2020-12, through ``jsonschema``): checked on load, compiled once.

References resolve inside the schema only (``#/$defs/...``, anchors, embedded ``$id``):
nothing is fetched from the network, and a ``$ref`` that points nowhere is an error
when the contract loads, not a crash when the first event is judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012


def compile_schema(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for ``schema`` that checks formats and never retrieves a remote ``$ref``."""
    return jsonschema.Draft202012Validator(
        schema,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        registry=Registry(),
    )


def schema_problem(schema: Mapping[str, Any]) -> str | None:
    """Why ``schema`` cannot be used (not valid 2020-12, a ``$ref`` to nowhere), or ``None``."""
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
