"""A ``Contract`` as a contract file (docs/contract-files.md), with comments; pure.

Only what differs from a default is written (but always the response's status and media
type, and each kind's type), table by table in the order of the reference page, each
under the comment lines given for it (``notes``, keyed by the table's name: ``request``,
``kinds.done``, ``resume``...; ``file`` heads the file). A table the contract leaves out
is written as its notes alone, so a draft can say why a table is missing.
``parse_contract(render(c))`` gives ``c`` back: the tests check it on every shipped
contract.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from contract.spec.model import (
    Contract,
    End,
    ExpectedEvent,
    Ids,
    Kind,
    Limits,
    Request,
    Response,
    Resume,
)

from .toml_values import Unwritable, inline, key, table

Notes = Mapping[str, Sequence[str]]
_LIMIT_KEYS = (
    ("seconds", "seconds"),
    ("idle_seconds", "idle_seconds"),
    ("max_bytes", "bytes"),
    ("max_event_bytes", "event_bytes"),
    ("max_events", "events"),
)


def _comments(lines: Sequence[str]) -> list[str]:
    return [f"# {line}".rstrip() for line in lines]


def _request(request: Request) -> dict[str, object]:
    out: dict[str, object] = {}
    if request.method != "GET":
        out["method"] = request.method
    if request.url:
        out["url"] = request.url
    headers = dict(request.headers)
    body: dict[str, object] = {}
    if request.body is not None:
        text = request.body.decode("utf-8")  # a body that is not UTF-8 cannot be written
        value = _json_value(text) if request.content_type == "application/json" else None
        if value is not None:
            body["json"] = value
        else:
            named = any(name.lower() == "content-type" for name in headers)
            if request.content_type is not None and not named:
                headers["Content-Type"] = request.content_type
            body["body"] = text
    if headers:
        out["headers"] = headers
    return {**out, **body}


def _json_value(text: str) -> object | None:
    """The JSON body as a TOML value, or ``None`` when TOML cannot hold it (a null)."""
    try:
        value: object = json.loads(text)
        inline(value)
    except (ValueError, Unwritable):
        return None
    return value


def _response(response: Response) -> dict[str, object]:
    out: dict[str, object] = {"status": response.status, "media_type": response.media_type}
    if response.headers:
        out["headers"] = dict(response.headers)
    return out


def _limits(limits: Limits) -> dict[str, object]:
    default = Limits()
    return {
        name: getattr(limits, field)
        for field, name in _LIMIT_KEYS
        if getattr(limits, field) != getattr(default, field)
    }


def _event(event: ExpectedEvent) -> dict[str, object]:
    out: dict[str, object] = {}
    if event.type != "message":
        out["type"] = event.type
    if event.data:
        out["data"] = event.data
    if event.id is not None:
        out["id"] = event.id
    if event.pause_before:
        out["pause_before"] = True
    return out


def _kind(kind: Kind) -> dict[str, object]:
    if kind.event_schema is not None:
        raise Unwritable(f"kind {kind.name!r} comes from an OpenAPI document")
    out: dict[str, object] = {"type": kind.type}
    if kind.data is not None:
        out["data"] = kind.data
    if kind.data_match is not None:
        out["data_match"] = kind.data_match
    if kind.schema is not None:
        out["schema"] = dict(kind.schema)
    return out


def _end(end: End) -> dict[str, object]:
    out: dict[str, object] = {}
    if end.after is not None:
        out["after"] = end.after
    if end.grace != End().grace:
        out["grace"] = end.grace
    if end.never:
        out["never"] = True
    return out


def _ids(ids: Ids) -> dict[str, object]:
    if ids.scheme == "sequential":
        return {"scheme": ids.scheme, "start": ids.start}
    return {"scheme": ids.scheme}


def _resume(resume: Resume) -> dict[str, object]:
    out: dict[str, object] = {"from": list(resume.from_ids) if resume.from_ids else "all"}
    out["after_end"] = resume.after_end
    if resume.tolerate:
        out["tolerate"] = list(resume.tolerate)
    if resume.query is not None:
        out["query"] = resume.query
    out["required"] = sorted(resume.required)
    if resume.past_end:
        out["past_end"] = True
    return out


def _section(name: str, entries: Mapping[str, object] | None, notes: Notes) -> list[str]:
    """A table under its notes; its notes alone when it is absent; nothing when neither."""
    lines = _comments(notes.get(name, ()))
    if entries is not None:
        lines += table(name.split("."), entries)
    return [*lines, ""] if lines else []


def render(contract: Contract, notes: Notes | None = None) -> str:
    """The contract file for ``contract``, each table under its notes."""
    if contract.openapi is not None:
        raise Unwritable("a contract from an OpenAPI document has an [openapi] table to keep")
    notes = notes or {}
    lines = [*_comments(notes.get("file", ())), "format = 1", f"name = {inline(contract.name)}", ""]
    request = _request(contract.request)
    lines += _section("request", request or None, notes)
    lines += _section("response", _response(contract.response), notes)
    limits = _limits(contract.limits)
    lines += _section("limits", limits or None, notes)
    for event in contract.events:
        lines += ["[[events]]", *(f"{key(k)} = {inline(v)}" for k, v in _event(event).items()), ""]
    for kind in contract.kinds:
        if not kind.implicit:
            lines += _section(f"kinds.{kind.name}", _kind(kind), notes)
    sequence = contract.sequence
    if sequence is not None:
        entries: dict[str, object] = {"pattern": sequence.pattern}
        if sequence.anywhere:
            entries["anywhere"] = list(sequence.anywhere)
        lines += _section("sequence", entries, notes)
    end = _end(contract.end)
    lines += _section("end", end or None, notes)
    incremental = contract.incremental
    lines += _section(
        "incremental",
        None if incremental is None else {"bursts": incremental.bursts, "gap": incremental.gap},
        notes,
    )
    ids = None if contract.ids == Ids() else _ids(contract.ids)
    lines += _section("ids", ids, notes)
    resume = None if contract.resume is None else _resume(contract.resume)
    lines += _section("resume", resume, notes)
    keepalive = contract.keepalive
    lines += _section(
        "keepalive",
        None
        if keepalive is None
        else {"max_silence": keepalive.max_silence, "required": keepalive.required},
        notes,
    )
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"
