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

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Table

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

from .toml_values import Unwritable, inline, string, table

Notes = Mapping[str, Sequence[str]]
_LIMIT_KEYS = (
    ("seconds", "seconds"),
    ("idle_seconds", "idle_seconds"),
    ("max_bytes", "bytes"),
    ("max_event_bytes", "event_bytes"),
    ("max_events", "events"),
)


def _request(request: Request) -> dict[str, object]:
    out: dict[str, object] = {}
    if request.method != "GET":
        out["method"] = request.method
    if request.url:
        out["url"] = request.url
    headers = dict(request.headers)
    body: dict[str, object] = {}
    if request.body is not None:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Unwritable(f"request.body: not UTF-8 text ({error.reason})") from error
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
        inline(value, "request.json")
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


def _tail(container: Container) -> Container:
    """The container the text so far ends in: what is added to it comes before the next
    table's header, as tomlkit reads a comment above a header."""
    while container.body:
        last = container.body[-1][1]
        if isinstance(last, Table):
            container = last.value
        elif isinstance(last, AoT) and last.body:
            container = last.body[-1].value
        else:
            break
    return container


def _notes(document: Container, lines: Sequence[str]) -> None:
    """A blank line, then ``lines`` as comments, at the end of the text so far."""
    tail = _tail(document)
    tail.add(tomlkit.nl())
    for line in lines:
        tail.add(tomlkit.comment(line.rstrip()))


def _section(
    document: Container, path: Sequence[str], entries: Mapping[str, object] | None, notes: Notes
) -> None:
    """A table under its notes; its notes alone when it is absent; nothing when neither.

    ``path`` is the table's (``("kinds", "done")``); its notes are keyed by it joined with
    dots (``kinds.done``).
    """
    name = ".".join(path)
    lines = notes.get(name, ())
    if entries is None and not lines:
        return
    _notes(document, lines)
    if entries is None:
        return
    *parents, last = path
    container = document
    for part in parents:  # [kinds.done] sits in a super table [kinds], never written
        if part not in container:
            container.append(part, tomlkit.table(is_super_table=True))
        parent = container[part]
        assert isinstance(parent, Table)
        parent.trivia.indent = ""
        container = parent.value
    body = table(entries, name)
    container.append(last, body)
    body.trivia.indent = ""  # right under its notes: tomlkit would start it with a blank line


def render(contract: Contract, notes: Notes | None = None) -> str:
    """The contract file for ``contract``, each table under its notes."""
    if contract.openapi is not None:
        raise Unwritable("a contract from an OpenAPI document has an [openapi] table to keep")
    notes = notes or {}
    document = tomlkit.document()
    for line in notes.get("file", ()):
        document.add(tomlkit.comment(line.rstrip()))
    document.append("format", 1)
    document.append("name", string(contract.name, "name"))
    request = _request(contract.request)
    _section(document, ("request",), request or None, notes)
    _section(document, ("response",), _response(contract.response), notes)
    limits = _limits(contract.limits)
    _section(document, ("limits",), limits or None, notes)
    if contract.events:
        _notes(document, ())
        events = tomlkit.aot()
        for index, event in enumerate(contract.events):
            events.append(table(_event(event), f"events[{index}]"))
        document.append("events", events)
    for kind in contract.kinds:
        if not kind.implicit:
            _section(document, ("kinds", kind.name), _kind(kind), notes)
    sequence = contract.sequence
    if sequence is not None:
        entries: dict[str, object] = {"pattern": sequence.pattern}
        if sequence.anywhere:
            entries["anywhere"] = list(sequence.anywhere)
        _section(document, ("sequence",), entries, notes)
    end = _end(contract.end)
    _section(document, ("end",), end or None, notes)
    incremental = contract.incremental
    _section(
        document,
        ("incremental",),
        None if incremental is None else {"bursts": incremental.bursts, "gap": incremental.gap},
        notes,
    )
    ids = None if contract.ids == Ids() else _ids(contract.ids)
    _section(document, ("ids",), ids, notes)
    resume = None if contract.resume is None else _resume(contract.resume)
    _section(document, ("resume",), resume, notes)
    keepalive = contract.keepalive
    _section(
        document,
        ("keepalive",),
        None
        if keepalive is None
        else {"max_silence": keepalive.max_silence, "required": keepalive.required},
        notes,
    )
    return document.as_string()
