"""One operation of an OpenAPI document as the parts of a contract: request, response, kinds.

Pure except ``load_document`` (reads YAML or JSON). The mapping, the defaults and the
limits are described in docs/openapi.md; the OpenAPI side is OpenAPI 3.2.0's Media
Type Object ("Sequential Media Types", "Special Considerations for Server-Sent Events").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contract.match.names import KIND_NAME
from contract.spec.errors import ContractError, read_utf8
from contract.spec.model import Kind, OpenAPISource, Request, Response

from .flags import OpenAPIRef
from .request import SSE, build_request, find_operation, streaming_response
from .schema import (
    DOCUMENT_URI,
    Branch,
    Refs,
    branches,
    bundle,
    event_names,
    json_content,
    requires,
)


@dataclass(frozen=True, slots=True)
class OpenAPIParts:
    """What an operation says: the request, the response head, one kind per event shape."""

    request: Request
    response: Response
    kinds: tuple[Kind, ...]
    source: OpenAPISource
    body_missing: str | None = None
    """Why no request body could be made from the document, when it requires one."""


def load_document(path: str | Path) -> dict[str, Any]:
    """An OpenAPI document read from a YAML or JSON file (``.json``: JSON, else YAML)."""
    file = Path(path)
    text = read_utf8(file)
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ContractError(f"{file}: not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ContractError(f"{file}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ContractError(f"{file}: expected an OpenAPI document (a mapping at the top)")
    return data


def _version(document: Mapping[str, Any], source: str) -> tuple[str, tuple[int, int]]:
    if "swagger" in document:
        raise ContractError(
            f"{source}: Swagger/OpenAPI {document['swagger']} is not supported; "
            "convert it to OpenAPI 3.2 (3.0 and 3.1 are read too)"
        )
    text = str(document.get("openapi", ""))
    match = re.fullmatch(r"(\d+)\.(\d+)(\.\d+)?(-.*)?", text)
    if match is None:
        raise ContractError(f"{source}: openapi: expected a version such as 3.2.0, got {text!r}")
    version = (int(match.group(1)), int(match.group(2)))
    if not (3, 0) <= version < (4, 0):
        raise ContractError(
            f"{source}: OpenAPI {text} is not supported; expected 3.2 (3.0 and 3.1 are read too)"
        )
    return text, version


def _kind_name(name: str, taken: set[str]) -> str:
    base = name if KIND_NAME.fullmatch(name) else re.sub(r"[^\w.:-]", "_", name)
    if not KIND_NAME.fullmatch(base):
        base = "_" + base
    unique, n = base, 1
    while unique in taken:
        n += 1
        unique = f"{base}.{n}"
    taken.add(unique)
    return unique


def _kinds(branch_list: list[Branch], refs: Refs, legacy: bool) -> tuple[Kind, ...]:
    kinds: list[Kind] = []
    taken: set[str] = set()
    for branch in branch_list:
        if requires(branch, refs, "retry"):
            raise ContractError(
                f"{refs.source}: {branch.where}: requires retry, which the suite does not "
                "model per event (a browser never shows it); leave it optional"
            )
        parts = [*branch.shared, branch.schema]
        whole = parts[0] if len(parts) == 1 else {"allOf": parts}
        event_schema = bundle(whole, refs, branch.where, legacy=legacy)
        is_json, content = json_content(branch, refs)
        schema = None
        if is_json:
            schema = bundle(content, refs, f"{branch.where}/data/contentSchema", legacy=legacy)
            if not isinstance(schema, Mapping):
                schema = {} if schema is True else {"not": {}}
        for name in event_names(branch, refs) or ["message"]:
            kinds.append(
                Kind(
                    name=_kind_name(name, taken),
                    type=name,
                    schema=schema,
                    event_schema=event_schema,
                )
            )
    return tuple(kinds)


def openapi_parts(
    document: Mapping[str, Any], ref: OpenAPIRef, *, source: str | None = None
) -> OpenAPIParts:
    """The request, response and kinds that ``ref.operation`` of ``document`` describes."""
    name = source or str(ref.file)
    refs = Refs(document, _uri(ref.file), name)
    version, number = _version(document, name)
    operation = find_operation(document, ref.operation, refs)
    streaming = streaming_response(operation, refs)
    if streaming is None:
        raise ContractError(
            f"{name}: {operation.label} has no {SSE} response (among 2xx, 2XX and default)"
        )
    media = streaming.media
    if "itemSchema" in media:
        shape, item_schema = "itemSchema", media["itemSchema"]
    elif number < (3, 2) and "schema" in media:
        shape, item_schema = "schema", media["schema"]
    elif isinstance(media.get("schema"), Mapping) and "items" in media["schema"]:
        shape, item_schema = "schema items", media["schema"]["items"]
    else:
        raise ContractError(
            f"{name}: {streaming.where}: no itemSchema describes each event "
            f"(OpenAPI {version}; 3.0 and 3.1 documents may use schema instead)"
        )
    where = f"{streaming.where}/{shape.replace(' ', '/')}"
    kinds = _kinds(branches(item_schema, refs, where), refs, legacy=number < (3, 1))
    request, missing = build_request(document, operation, dict(ref.params), refs)
    return OpenAPIParts(
        request=request,
        response=Response(status=streaming.status, media_type=SSE),
        kinds=kinds,
        source=OpenAPISource(name, operation.label, version, shape),
        body_missing=missing,
    )


def _uri(file: Path) -> str:
    try:
        return file.resolve().as_uri()
    except ValueError:
        return DOCUMENT_URI
