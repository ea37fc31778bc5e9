"""An OpenAPI operation found by name, and the request that opens its stream; pure.

The request is what a client would send with the document's own values: the path
with its parameters filled (``--param`` first, then the document's examples and
defaults), the first server URL's path in front, required query, header and cookie
parameters, and the request body's example. docs/openapi.md describes each choice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from contract.spec.errors import ContractError
from contract.spec.model import Request

from .schema import Refs, pointer

SSE = "text/event-stream"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
"""The Path Item's operation fields (``query`` is new in 3.2; ``additionalOperations`` too)."""
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the document, with the path item it sits in."""

    method: str
    path: str
    item: Mapping[str, Any]
    fields: Mapping[str, Any]

    @property
    def label(self) -> str:
        """``operationId (METHOD /path)``, or ``METHOD /path`` without an id."""
        op_id = self.fields.get("operationId")
        plain = f"{self.method} {self.path}"
        return f"{op_id} ({plain})" if op_id else plain

    @property
    def where(self) -> str:
        """Its JSON pointer in the document."""
        return pointer("paths", self.path, self.method.lower())


@dataclass(frozen=True, slots=True)
class Streaming:
    """The success response that streams events: its status and media type object."""

    status: int
    media: Mapping[str, Any]
    where: str


def operations(document: Mapping[str, Any], refs: Refs) -> list[Operation]:
    """Every operation of the document's ``paths``, in document order."""
    paths = document.get("paths") or {}
    if not isinstance(paths, Mapping):
        raise ContractError(f"{refs.source}: paths: expected a mapping")
    found = []
    for path, raw in paths.items():
        item = refs.follow(raw, pointer("paths", path))
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            if isinstance(item.get(method), Mapping):
                found.append(Operation(method.upper(), str(path), item, item[method]))
        extra = item.get("additionalOperations")
        for method, fields in extra.items() if isinstance(extra, Mapping) else ():
            if isinstance(fields, Mapping):
                found.append(Operation(str(method).upper(), str(path), item, fields))
    return found


def streaming_response(operation: Operation, refs: Refs) -> Streaming | None:
    """The first success response (2xx by code, then 2XX, then default) with an SSE body."""
    where = operation.where
    responses = refs.follow(operation.fields.get("responses") or {}, f"{where}/responses")
    if not isinstance(responses, Mapping):
        return None
    codes = {str(code).upper(): code for code in responses}  # YAML reads 200: as an integer
    ordered = sorted(c for c in codes if re.fullmatch(r"2\d\d", c))
    ordered += [c for c in ("2XX", "DEFAULT") if c in codes]
    for code in ordered:
        here = pointer("paths", operation.path, operation.method.lower(), "responses", code)
        response = refs.follow(responses[codes[code]], here)
        content = response.get("content") if isinstance(response, Mapping) else None
        for media, value in content.items() if isinstance(content, Mapping) else ():
            if str(media).split(";")[0].strip().lower() == SSE:
                at = f"{here}/content/{str(media).replace('/', '~1')}"
                media_object = refs.follow(value, at)
                status = int(code) if code.isdigit() else 200
                return Streaming(
                    status, media_object if isinstance(media_object, Mapping) else {}, at
                )
    return None


def find_operation(document: Mapping[str, Any], wanted: str | None, refs: Refs) -> Operation:
    """The operation named by ``operationId`` or ``METHOD /path``; without a name, the only
    one with a ``text/event-stream`` response."""
    every = operations(document, refs)
    if wanted is None:
        streaming = [op for op in every if streaming_response(op, refs) is not None]
        if len(streaming) == 1:
            return streaming[0]
        names = ", ".join(op.label for op in streaming) or "none"
        raise ContractError(
            f"{refs.source}: name the operation to check (--operation or [openapi] operation); "
            f"operations with a {SSE} response: {names}"
        )
    for op in every:
        if wanted == op.fields.get("operationId"):
            return op
    method, _, path = wanted.partition(" ")
    for op in every:
        if op.method == method.upper() and op.path == path.strip():
            return op
    names = ", ".join(op.label for op in every) or "none"
    raise ContractError(f"{refs.source}: no operation {wanted!r} (operations: {names})")


def _text(value: Any) -> str | None:
    """A parameter value as it goes on the wire (scalars only: simple and form styles agree)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def example(node: Mapping[str, Any], refs: Refs, where: str) -> tuple[bool, Any]:
    """The first value a parameter or media type offers: ``example``, then ``examples``
    (``dataValue`` or ``value``), then its schema's ``example``, ``examples`` or ``default``."""
    if "example" in node:
        return True, node["example"]
    examples = node.get("examples")
    for name, raw in examples.items() if isinstance(examples, Mapping) else ():
        found = refs.follow(raw, f"{where}/examples/{name}")
        for key in ("dataValue", "value"):
            if isinstance(found, Mapping) and key in found:
                return True, found[key]
    schema = refs.follow(node.get("schema"), f"{where}/schema")
    if isinstance(schema, Mapping):
        if "example" in schema:
            return True, schema["example"]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return True, schema["examples"][0]
        if "default" in schema:
            return True, schema["default"]
    return False, None


def _parameters(operation: Operation, refs: Refs) -> list[Mapping[str, Any]]:
    """The operation's parameters; its own replace the path item's of the same name and place."""
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    item_where = pointer("paths", operation.path)
    for owner, here in ((operation.item, item_where), (operation.fields, operation.where)):
        for i, raw in enumerate(owner.get("parameters") or ()):
            param = refs.follow(raw, f"{here}/parameters/{i}")
            if isinstance(param, Mapping) and isinstance(param.get("name"), str):
                merged[(param["name"], str(param.get("in", "")))] = param
    return list(merged.values())


def _server_path(document: Mapping[str, Any], operation: Operation) -> str:
    """The path of the first server URL (the operation's, the path's, else the document's),
    with its variables at their defaults."""
    for owner in (operation.fields, operation.item, document):
        servers = owner.get("servers")
        if isinstance(servers, list) and servers and isinstance(servers[0], Mapping):
            url = str(servers[0].get("url", ""))
            variables = servers[0].get("variables")
            variables = variables if isinstance(variables, Mapping) else {}

            def default(match: re.Match[str], variables: Mapping[str, Any] = variables) -> str:
                var = variables.get(match.group(1))
                return str(var.get("default", "")) if isinstance(var, Mapping) else ""

            return urlsplit(_TEMPLATE.sub(default, url)).path.rstrip("/")
    return ""


def _values(
    operation: Operation, given: Mapping[str, str], refs: Refs
) -> dict[tuple[str, str], str]:
    """A value for every parameter given or required, by (name, in)."""
    params = _parameters(operation, refs)
    known = {p["name"] for p in params}
    for name in given:
        if name not in known:
            raise ContractError(
                f"{refs.source}: --param {name}: {operation.label} has no such parameter "
                f"(parameters: {', '.join(sorted(known)) or 'none'})"
            )
    values: dict[tuple[str, str], str] = {}
    for param in params:
        name, place = param["name"], str(param.get("in", ""))
        if name in given:
            values[(name, place)] = given[name]
        elif param.get("required") or place == "path":
            found, value = example(param, refs, f"{operation.where}/parameters/{name}")
            text = _text(value) if found else None
            if text is None:
                raise ContractError(
                    f"{refs.source}: {place} parameter {name!r} of {operation.label} needs a "
                    f"value: give --param {name}=VALUE (or an example in the document)"
                )
            values[(name, place)] = text
    return values


def build_request(
    document: Mapping[str, Any], operation: Operation, given: Mapping[str, str], refs: Refs
) -> tuple[Request, str | None]:
    """The request the operation describes, and why no body could be made if one is needed."""
    values = _values(operation, given, refs)

    def fill(match: re.Match[str]) -> str:
        value = values.get((match.group(1), "path"))
        if value is None:
            raise ContractError(
                f"{refs.source}: path {operation.path}: no path parameter "
                f"{match.group(1)!r} is declared"
            )
        return quote(value, safe="")

    url = _server_path(document, operation) + _TEMPLATE.sub(fill, operation.path)
    query = [(n, v) for (n, place), v in values.items() if place == "query"]
    if query:
        url += "?" + urlencode(query)
    headers = [(n, v) for (n, place), v in values.items() if place == "header"]
    cookies = "; ".join(f"{n}={v}" for (n, place), v in values.items() if place == "cookie")
    if cookies:
        headers.append(("Cookie", cookies))
    body, content_type, missing = _body(operation, refs)
    return Request(operation.method, url, tuple(headers), body, content_type), missing


def _body(operation: Operation, refs: Refs) -> tuple[bytes | None, str | None, str | None]:
    """The request body from the document's example: (body, content type, why none if needed)."""
    raw = operation.fields.get("requestBody")
    if raw is None:
        return None, None, None
    where = f"{operation.where}/requestBody"
    body = refs.follow(raw, where)
    content = body.get("content") if isinstance(body, Mapping) else None
    for media, value in content.items() if isinstance(content, Mapping) else ():
        kind = str(media).split(";")[0].strip().lower()
        here = f"{where}/content/{media}"
        media_object = refs.follow(value, here)
        found, sample = example(media_object, refs, here) if media_object else (False, None)
        if not found:
            continue
        if kind == "application/json" or kind.endswith("+json"):
            return json.dumps(sample).encode(), "application/json", None
        if isinstance(sample, str):
            return sample.encode(), str(media), None
    if isinstance(body, Mapping) and body.get("required"):
        why = (
            f"{refs.source}: {operation.label} requires a request body and the document gives "
            "no example of it: add one, or give [request] json in a contract file"
        )
        return None, None, why
    return None, None, None
