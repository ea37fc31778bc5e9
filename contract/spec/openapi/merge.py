"""An operation's parts with a contract file's tables over them, or as a contract on their own."""

from __future__ import annotations

from contract.spec.errors import ContractError
from contract.spec.model import Contract, EventSequence, Kind, OpenAPISource, Request, Response

from .document import OpenAPIParts, load_document, openapi_parts
from .flags import OpenAPIFlags


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
        sequence=EventSequence(default_pattern(parts.kinds)),
        openapi=parts.source,
    )


def contract_from_openapi(flags: OpenAPIFlags) -> Contract:
    """``--openapi FILE`` without a contract file: the document's contract."""
    ref = flags.apply(None, "--openapi")
    assert ref is not None
    return openapi_contract(openapi_parts(load_document(ref.file), ref))
