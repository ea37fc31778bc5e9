"""``python -m contract validate``: a loaded contract in words, without touching the network."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .env import env_names
from .model import Contract, Kind, size_text


def _event_text(contract: Contract) -> list[str]:
    if contract.exact:
        lines = [f"events: exactly these {len(contract.events)}, in order"]
        for index, event in enumerate(contract.events, 1):
            pause = " (after a pause)" if event.pause_before else ""
            ident = f" id={event.id!r}" if event.id is not None else ""
            lines.append(f"  #{index}{ident} {event.type}: {event.data!r}{pause}")
        return lines
    assert contract.sequence is not None
    lines = [f"events: kinds in the pattern {contract.sequence.pattern!r}"]
    if contract.openapi is not None and contract.sequence.pattern == _default_pattern(contract):
        lines[0] += " (OpenAPI states no order: one or more events, of the kinds in any order)"
    for kind in contract.kinds:
        if kind.event_schema is not None:
            rule = "the event (event, data, id) valid against its OpenAPI shape"
            if kind.schema is not None:
                rule += ", and data JSON valid against the shape's contentSchema"
        elif kind.implicit:
            rule = "any data (named in the pattern, not declared)"
        elif kind.data is not None:
            rule = f"data equal to {kind.data!r}"
        elif kind.data_match is not None:
            rule = f"data matching /{kind.data_match}/"
        elif kind.schema is not None:
            rule = "data is JSON valid against its schema (JSON Schema 2020-12)"
        else:
            rule = "any data"
        lines.append(f"  {kind.name}: type {kind.type!r}, {rule}{_slow_note(kind)}")
    if contract.sequence.anywhere:
        lines.append(f"  allowed anywhere: {', '.join(contract.sequence.anywhere)}")
    return lines


def _slow_note(kind: Kind) -> str:
    """Says when a kind's schema is checked by ``jsonschema`` alone, not jsonschema-rs, and why."""
    from contract.match.fastschema import slow_reason

    reasons = [slow_reason(s) for s in (kind.event_schema, kind.schema) if s is not None]
    shown = "; ".join(reason for reason in reasons if reason)
    return f" (checked by jsonschema alone, not jsonschema-rs: {shown})" if shown else ""


def _default_pattern(contract: Contract) -> str:
    from .openapi.merge import default_pattern

    return default_pattern(contract.kinds)


def _openapi_text(contract: Contract) -> list[str]:
    source = contract.openapi
    if source is None:
        return []
    from .openapi.merge import shape_note

    lines = [
        f"openapi: {source.file} (OpenAPI {source.version}), operation {source.operation}: "
        "the request, the response head and the kinds"
    ]
    note = shape_note(source)
    if note:
        lines.append(f"  a document before 3.2 without itemSchema: {note}")
    return lines


def _end_text(contract: Contract) -> str:
    end = contract.end
    if end.never:
        return "end: never; the suite stops at the limits and the pattern need only match a prefix"
    if contract.exact:
        return f"end: right after the last listed event (within {end.grace:g} s)"
    if end.after is not None:
        return f"end: right after the first {end.after} event (within {end.grace:g} s)"
    return "end: the body must end (no terminal kind named)"


def _resume_text(contract: Contract) -> list[str]:
    resume = contract.resume
    if resume is None:
        return ["resume, done, tolerant: not checked (no [resume])"]
    forms = "the Last-Event-ID header" + (
        f" and the query parameter {resume.query}" if resume.query else ""
    )
    points = (
        ", ".join(resume.from_ids)
        if resume.from_ids is not None
        else "every recorded id (at most 20)"
    )
    after_end = "204 No Content" if resume.after_end == 204 else "a response with no event"
    done = f"done: the terminal id gets {after_end}" + (
        ", and so do integer ids past it" if resume.past_end else ""
    )
    lines = [
        f"resume: by {forms}, from {points}: exactly what followed that id",
        "done: not checked (the stream never ends)" if contract.end.never else done,
        "tolerant: "
        + (
            f"{len(resume.tolerate)} malformed value(s) get the whole stream: "
            + ", ".join(repr(v) for v in resume.tolerate)
            if resume.tolerate
            else "no values listed"
        ),
    ]
    if resume.required:
        lines.append(f"required: {', '.join(sorted(resume.required))}")
    return lines


def explain(contract: Contract, environ: Mapping[str, str] | None = None) -> str:
    """What the suite will check with this contract, one line per part."""
    env = os.environ if environ is None else environ
    request, response, limits = contract.request, contract.response, contract.limits
    lines = [f"contract {contract.name!r} from {contract.source}: valid"]
    lines.extend(_openapi_text(contract))
    body = f", a {len(request.body)}-byte body" if request.body is not None else ""
    lines.append(f"request: {request.method} {request.url or '(the URL given)'}{body}")
    for name, value in request.headers:
        lines.append(f"  header {name}: {value}")
    needed = [n for _, v in request.headers for n in env_names(v)]
    for name in dict.fromkeys(needed):
        lines.append(
            f"  needs ${{{name}}} from the environment: {'set' if name in env else 'NOT SET'}"
        )
    lines.append(f"response: status {response.status}, {response.media_type}")
    lines.extend(f"  header {name}: {value}" for name, value in response.headers)
    lines.extend(_event_text(contract))
    lines.append(_end_text(contract))
    ids = contract.ids
    start = f" from {ids.start}" if ids.scheme == "sequential" else ""
    lines.append(f"ids: {ids.scheme}{start}" + (" (not checked)" if ids.scheme == "any" else ""))
    if contract.incremental is not None:
        lines.append(
            f"incremental: at least {contract.incremental.bursts} bursts "
            f"(split by {contract.incremental.gap:g} s of silence)"
        )
    elif any(e.pause_before for e in contract.events[1:]):
        pauses = sum(1 for e in contract.events[1:] if e.pause_before)
        lines.append(
            f"incremental: {pauses} pause(s), so at least {1 + (pauses + 1) // 2} bursts "
            "(half the pauses must show)"
        )
    else:
        lines.append("incremental: not checked")
    lines.extend(_resume_text(contract))
    keepalive = contract.keepalive
    lines.append(
        "keepalive: not checked"
        if keepalive is None
        else f"keepalive: some bytes at least every {keepalive.max_silence:g} s while open"
        + (" (required)" if keepalive.required else "")
    )
    lines.append(
        f"limits per response: {limits.seconds:g} s, {limits.idle_seconds:g} s idle, "
        f"{size_text(limits.max_bytes)}, {size_text(limits.max_event_bytes)} per event, "
        f"{limits.max_events} events"
    )
    return "\n".join(lines)
