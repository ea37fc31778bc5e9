"""Schema Objects of an OpenAPI document made self-contained, and its ``itemSchema`` split; pure.

``$ref`` is resolved with ``referencing`` (the library ``jsonschema`` uses) over a
registry that holds the document. A schema a kind keeps is *bundled*: every schema it
reaches through ``$ref`` is copied under its ``$defs`` and the reference rewritten to
point there, so the validator needs no registry and recursive schemas still work.
OpenAPI 3.0 Schema Objects are turned into JSON Schema 2020-12 on the way (``nullable``,
boolean ``exclusiveMinimum``/``exclusiveMaximum``). Spec: OpenAPI 3.2.0, "Special
Considerations for Server-Sent Events" and "Sequential Media Types".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

import referencing
import referencing.exceptions
import referencing.jsonschema

from contract.spec.errors import ContractError

DOCUMENT_URI = "https://openapi.invalid/document"
"""The registry's name for the document when it has no file (only for messages)."""
MAX_REF_CHAIN = 32
_ONE = frozenset(
    {
        "items", "additionalItems", "additionalProperties", "not", "if", "then", "else",
        "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
        "contentSchema",
    }
)  # fmt: skip
"""Keywords whose value is a schema (everything else is copied as it is: const, enum...)."""
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_DROPPED = frozenset({"$id", "$schema", "$anchor", "$dynamicAnchor", "discriminator", "xml"})
_DEF_NAME = re.compile(r"[^A-Za-z0-9_.-]")
_JSON_TYPES = ("application/json",)


class Refs:
    """One document as a ``referencing`` registry: follows ``$ref`` inside it, nothing outside."""

    def __init__(self, document: Mapping[str, Any], uri: str, source: str) -> None:
        resource = referencing.jsonschema.DRAFT202012.create_resource(document)
        self.uri = uri
        self.source = source
        self._resolver = referencing.Registry().with_resource(uri, resource).resolver()

    def lookup(self, ref: object, where: str) -> Any:
        """What ``ref`` names in the document; an error names ``where`` it was met."""
        if not isinstance(ref, str):
            raise ContractError(f"{self.source}: {where}: $ref must be a string, got {ref!r}")
        target = urljoin(self.uri, ref)
        if urldefrag(target).url != self.uri:
            raise ContractError(
                f"{self.source}: {where}: $ref {ref!r} points outside the document; "
                "only references within one document are followed"
            )
        try:
            return self._resolver.lookup(target).contents
        except referencing.exceptions.Unresolvable:
            raise ContractError(
                f"{self.source}: {where}: $ref {ref!r} names nothing in the document"
            ) from None

    def follow(self, node: Any, where: str) -> Any:
        """A Reference Object (or a chain of them) replaced by what it names."""
        for _ in range(MAX_REF_CHAIN):
            if not (isinstance(node, Mapping) and "$ref" in node):
                return node
            node = self.lookup(node["$ref"], where)
        raise ContractError(f"{self.source}: {where}: $ref chain longer than {MAX_REF_CHAIN}")


def pointer(*parts: object) -> str:
    """A JSON pointer into the document, for messages: ``#/paths/~1stream/get``."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped)


class _Bundler:
    """Copies one schema with what its ``$ref`` reach under ``$defs``; 3.0 keywords converted."""

    def __init__(self, refs: Refs, legacy: bool) -> None:
        self.refs = refs
        self.legacy = legacy
        self.defs: dict[str, Any] = {}
        self.names: dict[str, str] = {}

    def schema(self, node: Any, where: str) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping):
            raise ContractError(
                f"{self.refs.source}: {where}: expected a Schema Object, got {node!r}"[:300]
            )
        if "$dynamicRef" in node:
            raise ContractError(f"{self.refs.source}: {where}: $dynamicRef is not supported")
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = f"{where}/{key}"
            if key in _DROPPED:
                continue
            if key == "$ref":
                out[key] = f"#/$defs/{self._target(value, where)}"
            elif key in _ONE and isinstance(value, Mapping | bool):
                out[key] = self.schema(value, here)
            elif key in _LIST and isinstance(value, list):
                out[key] = [self.schema(v, f"{here}/{i}") for i, v in enumerate(value)]
            elif key in _MAP and isinstance(value, Mapping):
                out[key] = {k: self.schema(v, f"{here}/{k}") for k, v in value.items()}
            else:
                out[key] = value
        return _from_3_0(out) if self.legacy else out

    def _target(self, ref: object, where: str) -> str:
        key = urljoin(self.refs.uri, str(ref))
        if key not in self.names:
            base = _DEF_NAME.sub("_", unquote(key.rpartition("/")[2] or "ref")) or "ref"
            name, n = base, 1
            while name in self.defs:
                n += 1
                name = f"{base}_{n}"
            self.names[key] = name
            self.defs[name] = True  # a placeholder while a recursive schema is copied
            self.defs[name] = self.schema(self.refs.lookup(ref, where), f"{where} -> {ref}")
        return self.names[key]


def _from_3_0(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.0 Schema Object's own keywords in JSON Schema 2020-12 terms."""
    if schema.pop("nullable", False) is True:
        if isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = schema.get(exclusive)
        if isinstance(flag, bool):
            del schema[exclusive]
            if flag and bound in schema:
                schema[exclusive] = schema.pop(bound)
    return schema


def bundle(schema: Any, refs: Refs, where: str, *, legacy: bool = False) -> Any:
    """``schema`` self-contained: what its ``$ref`` reach copied under ``$defs``."""
    bundler = _Bundler(refs, legacy)
    out = bundler.schema(schema, where)
    if bundler.defs and isinstance(out, dict):
        out = {**out, "$defs": {**out.get("$defs", {}), **bundler.defs}}
    return out


@dataclass(frozen=True, slots=True)
class Branch:
    """One alternative of an ``itemSchema``: its schema, the parts every branch shares, where."""

    schema: Any
    shared: tuple[Any, ...]
    where: str


def branches(item_schema: Any, refs: Refs, where: str) -> list[Branch]:
    """The ``oneOf``/``anyOf`` alternatives of an item schema (following a ``$ref`` to them),
    or the whole schema as the only one."""
    node, shared = item_schema, []
    for _ in range(MAX_REF_CHAIN):
        if isinstance(node, Mapping) and ("oneOf" in node or "anyOf" in node):
            key = "oneOf" if "oneOf" in node else "anyOf"
            options = node[key]
            if not isinstance(options, list) or not options:
                raise ContractError(f"{refs.source}: {where}/{key}: expected a non-empty list")
            rest = {k: v for k, v in node.items() if k != key}
            if rest:
                shared.append(rest)
            return [
                Branch(option, tuple(shared), f"{where}/{key}/{i}")
                for i, option in enumerate(options)
            ]
        if not (isinstance(node, Mapping) and "$ref" in node):
            break
        rest = {k: v for k, v in node.items() if k != "$ref"}
        if rest:
            shared.append(rest)
        where = f"{where} -> {node['$ref']}"
        node = refs.lookup(node["$ref"], where)
    return [Branch(item_schema, (), where)]


def _field(node: Any, name: str, refs: Refs, where: str, depth: int = 0) -> Any:
    """The schema ``node`` gives property ``name`` (in ``properties``, via ``$ref``, ``allOf``)."""
    if depth > MAX_REF_CHAIN:
        return None
    node = refs.follow(node, where)
    if not isinstance(node, Mapping):
        return None
    properties = node.get("properties")
    if isinstance(properties, Mapping) and name in properties:
        return refs.follow(properties[name], where)
    for part in node.get("allOf", ()) if isinstance(node.get("allOf"), list) else ():
        found = _field(part, name, refs, where, depth + 1)
        if found is not None:
            return found
    return None


def branch_field(branch: Branch, name: str, refs: Refs) -> Any:
    """Property ``name``'s schema for this branch: its own first, else the shared parts'."""
    for node in (branch.schema, *branch.shared):
        found = _field(node, name, refs, branch.where)
        if found is not None:
            return found
    return None


def event_names(branch: Branch, refs: Refs) -> list[str] | None:
    """The event types a branch allows (``event`` with ``const`` or ``enum``), or ``None``."""
    event = branch_field(branch, "event", refs)
    if not isinstance(event, Mapping):
        return None
    values = [event["const"]] if "const" in event else event.get("enum")
    if values is None:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ContractError(
            f"{refs.source}: {branch.where}: the event property's const/enum must be "
            f"non-empty strings, got {values!r}"
        )
    return list(dict.fromkeys(values))


def json_content(branch: Branch, refs: Refs) -> tuple[bool, Any]:
    """Whether the branch's ``data`` holds JSON (``contentMediaType``); its ``contentSchema``."""
    data = branch_field(branch, "data", refs)
    if not isinstance(data, Mapping):
        return False, None
    media = str(data.get("contentMediaType", "")).split(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        return False, None
    return True, data.get("contentSchema", True)


def requires(branch: Branch, refs: Refs, name: str) -> bool:
    """Whether the branch (or its shared parts) lists ``name`` in a top-level ``required``."""
    for part in (branch.schema, *branch.shared):
        node = refs.follow(part, branch.where)
        if isinstance(node, Mapping) and name in (node.get("required") or ()):
            return True
    return False
