"""Contract files (TOML, read with ``tomllib``) into a ``Contract``, validated on load.

Every key is checked: an unknown key, a wrong type or a value out of range is a
``ContractError`` naming the file, the key and what was expected, so a typo can never
silently weaken a check. The format: docs/contract-files.md.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContractError, read_utf8
from .extensions import read_keepalive, read_resume
from .model import Contract, End, EventSequence, Kind
from .tables import (
    read_end,
    read_events,
    read_ids,
    read_incremental,
    read_kinds,
    read_limits,
    read_request,
    read_response,
    read_sequence,
)
from .toml import Table, as_line, as_nonempty_line

if TYPE_CHECKING:
    from .openapi.document import OpenAPIParts
    from .openapi.flags import OpenAPIFlags, OpenAPIRef

FORMATS = (1,)
"""The ``format`` values this version reads."""


def implicit_kinds(
    source: str, kinds: tuple[Kind, ...], sequence: EventSequence, end: End
) -> tuple[Kind, ...]:
    """Declared kinds, then one per name the pattern uses that no kind declares (any data)."""
    declared = {kind.name for kind in kinds}
    names = sequence.compiled.names
    used = [*sorted(names), *sequence.anywhere]
    both = sorted(set(sequence.anywhere) & names)
    if both:
        raise ContractError(
            f"{source}: sequence.anywhere: {both[0]!r} is also in the pattern; "
            "kinds allowed anywhere are removed before the pattern is matched"
        )
    extra = [
        Kind(name, type=name, implicit=True) for name in dict.fromkeys(used) if name not in declared
    ]
    known = declared | {kind.name for kind in extra} | {kind.type for kind in kinds}
    if end.after is not None and end.after not in known:
        raise ContractError(
            f"{source}: end.after: expected a kind or a type the contract names, got {end.after!r}"
        )
    return kinds + tuple(extra)


def _openapi_ref(table: Table | None, base: Path | None) -> OpenAPIRef | None:
    """``[openapi]``: the document (relative to the contract file), operation and parameters."""
    if table is None:
        return None
    from .openapi.flags import OpenAPIRef

    file = table.get("file", as_line, "the path of an OpenAPI document (YAML or JSON)", None)
    if not file:
        raise table.error("file", "the path of an OpenAPI document (YAML or JSON)", got=False)
    operation = table.get("operation", as_nonempty_line, "an operationId or METHOD /path", None)
    params = table.table("params")
    values: list[tuple[str, str]] = []
    if params is not None:
        for name, value in params.data.items():
            params.seen.add(name)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise params.error(name, "a string or a number", value)
            values.append((name, str(value)))
    table.finish()
    path = Path(file)
    return OpenAPIRef(path if base is None else base / path, operation, tuple(values))


def _openapi_parts(
    root: Table, base: Path | None, flags: OpenAPIFlags | None
) -> OpenAPIParts | None:
    ref = _openapi_ref(root.table("openapi"), base)
    if flags is not None:
        ref = flags.apply(ref, root.source)
    if ref is None:
        return None
    from .openapi.document import load_document, openapi_parts

    return openapi_parts(load_document(ref.file), ref)


def _keys(data: Mapping[str, Any], name: str) -> set[str]:
    table = data.get(name)
    return set(table) if isinstance(table, dict) else set()


def parse_contract(
    text: str,
    source: str = "<contract>",
    *,
    base: Path | None = None,
    openapi: OpenAPIFlags | None = None,
) -> Contract:
    """A contract from the text of a contract file; ``source`` names it in errors.

    ``base`` is the folder ``[openapi] file`` is relative to (default: the working
    directory); ``openapi`` holds ``--openapi``/``--operation``/``--param`` (docs/openapi.md).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContractError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ContractError(f"{source}: not valid TOML: nested too deeply") from None
    root = Table(data, "", source)
    if not root.has("format"):
        raise ContractError(f"{source}: format: missing; expected format = {FORMATS[0]}")
    root.get(
        "format",
        lambda v: v if type(v) is int and v in FORMATS else None,
        f"one of the supported formats: {', '.join(map(str, FORMATS))}",
        1,
    )
    name = root.get("name", as_nonempty_line, "a name on one line", Path(source).stem)
    parts = _openapi_parts(root, base, openapi)
    events = read_events(root)
    kinds = read_kinds(root.table("kinds"))
    sequence = read_sequence(root.table("sequence"))
    end = read_end(root.table("end"))
    if parts is not None:
        if events:
            raise ContractError(
                f"{source}: events: an exact list ([[events]]) cannot go with [openapi], "
                "whose document gives kinds; use [sequence] to state their order"
            )
        from .openapi.merge import default_pattern, merged_kinds

        kinds = merged_kinds(source, parts.kinds, kinds)
        if sequence is None:
            sequence = EventSequence(default_pattern(kinds))
    if events and (kinds or sequence):
        raise ContractError(
            f"{source}: events: an exact list ([[events]]) cannot go with [kinds] or "
            "[sequence]; choose one"
        )
    if not events and sequence is None:
        what = (
            "a [sequence] pattern over the kinds"
            if kinds
            else "[[events]] (an exact list) or [kinds] and a [sequence] pattern"
        )
        raise ContractError(f"{source}: no events to check: expected {what}")
    if events and (end.never or end.after):
        raise ContractError(
            f"{source}: end: an exact list ends after its last event; "
            "after and never apply to kinds"
        )
    if sequence is not None:
        kinds = implicit_kinds(source, kinds, sequence, end)
    request = read_request(root.table("request"), source)
    response = read_response(root.table("response"))
    if parts is not None:
        from .openapi.merge import contract_name, merged_request, merged_response

        request = merged_request(parts, request, _keys(data, "request"))
        response = merged_response(parts, response, _keys(data, "response"))
        name = name if "name" in data else contract_name(parts.source)
    contract = Contract(
        name=name,
        source=source,
        request=request,
        response=response,
        limits=read_limits(root.table("limits")),
        events=events,
        kinds=kinds,
        sequence=sequence,
        end=end,
        incremental=read_incremental(root.table("incremental")),
        ids=read_ids(root.table("ids")),
        resume=read_resume(root.table("resume")),
        keepalive=read_keepalive(root.table("keepalive")),
        openapi=None if parts is None else parts.source,
    )
    root.finish()
    if contract.resume is not None and end.never and "done" in contract.resume.required:
        raise ContractError(
            f"{source}: resume.required: done cannot be required of a stream that never ends"
        )
    return contract


def load_contract(path: str | Path, openapi: OpenAPIFlags | None = None) -> Contract:
    """Load and validate the contract file at ``path`` (``openapi``: flags over its
    ``[openapi]``)."""
    file = Path(path)
    return parse_contract(read_utf8(file), str(file), base=file.parent, openapi=openapi)
