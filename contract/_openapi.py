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

from ._contract import (
    Contract,
    ContractError,
    Kind,
    OpenAPISource,
    Request,
    Response,
    Sequence,
    read_utf8,
)
from ._openapi_request import SSE, build_request, find_operation, streaming_response
from ._openapi_schema import (
    DOCUMENT_URI,
    Branch,
    Refs,
    branches,
    bundle,
    event_names,
    json_content,
    requires,
)

_KIND_NAME = re.compile(r"[A-Za-z_][\w.:-]*")


@dataclass(frozen=True, slots=True)
class OpenAPIRef:
    """Which document and operation a contract's request and kinds come from, with parameters."""

    file: Path
    operation: str | None = None
    """An ``operationId`` or ``METHOD /path``; ``None``: the document's only SSE operation."""
    params: tuple[tuple[str, str], ...] = ()
    """Values for the operation's parameters, by name (``--param NAME=VALUE``)."""


@dataclass(frozen=True, slots=True)
class OpenAPIFlags:
    """``--openapi``, ``--operation``, ``--param``: ``--openapi`` replaces a contract's whole
    ``[openapi]``; without it, ``--operation`` replaces its operation, ``--param`` adds."""

    file: Path | None = None
    operation: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def apply(self, ref: OpenAPIRef | None, source: str) -> OpenAPIRef | None:
        """``ref`` (a contract's ``[openapi]``) with the flags' file, operation and parameters."""
        if self.file is None and ref is None:
            if self.operation is not None or self.params:
                raise ContractError(
                    f"{source}: --operation and --param need an OpenAPI document: "
                    "--openapi FILE, or an [openapi] table in the contract"
                )
            return None
        if self.file is not None:
            return OpenAPIRef(self.file, self.operation, self.params)
        assert ref is not None
        params = dict(ref.params)
        params.update(self.params)
        return OpenAPIRef(ref.file, self.operation or ref.operation, tuple(params.items()))


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
    base = name if _KIND_NAME.fullmatch(name) else re.sub(r"[^\w.:-]", "_", name)
    if not _KIND_NAME.fullmatch(base):
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


def default_pattern(kinds: tuple[Kind, ...]) -> str:
    """The pattern of a contract whose order nothing states: one or more events of any kind."""
    names = [kind.name for kind in kinds]
    return f"{names[0]}+" if len(names) == 1 else f"({' | '.join(names)})+"


def shape_note(source: OpenAPISource) -> str:
    """How each event's shape was read, when not from ``itemSchema``; else ""."""
    if source.shape == "schema":
        return "the text/event-stream schema read as each event's shape (as Schemathesis does)"
    if source.shape == "schema items":
        return "the items of the text/event-stream schema read as each event's shape"
    return ""


def describe(source: OpenAPISource) -> str:
    """Where the kinds came from, in words, with a 3.0/3.1 reading said out loud."""
    note = shape_note(source)
    return f"OpenAPI {source.version} {source.file}" + (f"; {note}" if note else "")


def contract_name(source: OpenAPISource) -> str:
    """The name of a contract from the document alone: the operation, and a fallback said."""
    note = shape_note(source)
    return f"{source.operation}, OpenAPI {source.version}" + (f": {note}" if note else "")


def merged_kinds(
    source: str, document: tuple[Kind, ...], file: tuple[Kind, ...]
) -> tuple[Kind, ...]:
    """The document's kinds, then the file's; a file kind may not reuse a document kind's name."""
    taken = {kind.name for kind in document}
    for kind in file:
        if kind.name in taken:
            raise ContractError(
                f"{source}: kinds.{kind.name}: the OpenAPI document already gives a kind of "
                f"that name (its kinds: {', '.join(sorted(taken))}); choose another name"
            )
    return document + file


def merged_request(parts: OpenAPIParts, file: Request, keys: set[str]) -> Request:
    """The document's request with the contract file's ``[request]`` keys put over it: method,
    url and body replace, headers add (the file's win by name)."""
    body, content_type = parts.request.body, parts.request.content_type
    if keys & {"json", "body"}:
        body, content_type = file.body, file.content_type
    elif parts.body_missing:
        raise ContractError(parts.body_missing)
    names = {name.lower() for name, _ in file.headers}
    headers = [h for h in parts.request.headers if h[0].lower() not in names]
    return Request(
        method=file.method if "method" in keys else parts.request.method,
        url=file.url if "url" in keys else parts.request.url,
        headers=(*headers, *file.headers),
        body=body,
        content_type=content_type,
    )


def merged_response(parts: OpenAPIParts, file: Response, keys: set[str]) -> Response:
    """The document's status and media type unless the file's ``[response]`` sets them."""
    return Response(
        status=file.status if "status" in keys else parts.response.status,
        media_type=file.media_type if "media_type" in keys else parts.response.media_type,
        headers=file.headers,
    )


def openapi_contract(parts: OpenAPIParts) -> Contract:
    """A contract from the document alone: its request and kinds, any order, the body must end."""
    if parts.body_missing:
        raise ContractError(parts.body_missing)
    return Contract(
        name=contract_name(parts.source),
        source=describe(parts.source),
        request=parts.request,
        response=parts.response,
        kinds=parts.kinds,
        sequence=Sequence(default_pattern(parts.kinds)),
        openapi=parts.source,
    )


def contract_from_openapi(flags: OpenAPIFlags) -> Contract:
    """``--openapi FILE`` without a contract file: the document's contract."""
    ref = flags.apply(None, "--openapi")
    assert ref is not None
    return openapi_contract(openapi_parts(load_document(ref.file), ref))
