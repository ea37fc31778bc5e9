"""The tables of a contract file, each read into its dataclass (docs/contract-files.md)."""

from __future__ import annotations

import json
import re
from typing import cast
from urllib.parse import urlsplit

from contract.match.pattern import PatternError
from contract.match.schema import json_problem, schema_problem

from .env import ENV_NAME, env_names
from .model import (
    ID_SCHEMES,
    End,
    EventSequence,
    ExpectedEvent,
    Ids,
    IdScheme,
    Incremental,
    Kind,
    Limits,
    Request,
    Response,
)
from .toml import (
    NAME,
    TOKEN,
    Table,
    as_bool,
    as_id,
    as_int_at_least,
    as_line,
    as_name,
    as_nonempty_line,
    as_seconds,
    as_strings,
    as_text,
)

MEDIA_TYPE = re.compile(rf"{TOKEN.pattern}/{TOKEN.pattern}")
"""type/subtype, as RFC 9110 section 8.3.1 writes a media type without its parameters."""


def _essence(value: str) -> str:
    return value.split(";", maxsplit=1)[0].strip().lower()


def url_problem(url: str) -> str | None:
    """Why ``url`` is no URL the suite can request, or ``None`` (a relative one is fine)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        return "a URL or a path such as /stream (it does not parse)"
    if parts.scheme and (parts.scheme.lower() not in ("http", "https") or not parts.hostname):
        return "an http(s) URL with a host, or a path such as /stream"
    return None


def header_table(table: Table, name: str) -> tuple[tuple[str, str], ...]:
    headers = table.table(name)
    if headers is None:
        return ()
    out: list[tuple[str, str]] = []
    for key, value in headers.data.items():
        headers.seen.add(key)
        if not TOKEN.fullmatch(key):
            raise headers.error(key, "a header name (letters, digits, -)", key)
        if not isinstance(value, str) or re.search(r"[\r\n\0]", value):
            raise headers.error(key, "a header value: a string on one line", value)
        for env in env_names(value):
            if not ENV_NAME.fullmatch(env):
                raise headers.error(key, "${NAME} with NAME an environment variable name", value)
        out.append((key, value))
    return tuple(out)


def read_request(table: Table | None, source: str) -> Request:
    if table is None:
        return Request(source=source)
    method = table.get(
        "method",
        lambda v: v.upper() if isinstance(v, str) and TOKEN.fullmatch(v) else None,
        "an HTTP method such as GET or POST",
        "GET",
    )
    url = table.get("url", as_line, "a URL or a path such as /stream", "")
    problem = url_problem(url)
    if problem is not None:
        raise table.error("url", problem, url)
    headers = header_table(table, "headers")
    body: bytes | None = None
    content_type: str | None = None
    if table.has("json") and table.has("body"):
        raise table.error("body", "either json or body, not both", got=False)
    if table.has("json"):
        value = table.get("json", lambda v: v, "a JSON value", None)
        problem = json_problem(value)
        if problem is not None:
            raise table.error("json", f"a JSON value: {problem}", got=False)
        body = json.dumps(value).encode()
        content_type = "application/json"
    elif table.has("body"):
        body = table.get("body", as_text, "a string", "").encode()
    table.finish()
    return Request(method, url, headers, body, content_type, source)


def read_response(table: Table | None) -> Response:
    if table is None:
        return Response()
    status = table.get(
        "status",
        lambda v: v if isinstance(v, int) and 100 <= v <= 599 else None,
        "an HTTP status from 100 to 599",
        200,
    )
    media_type = table.get(
        "media_type",
        lambda v: (
            media if isinstance(v, str) and MEDIA_TYPE.fullmatch(media := _essence(v)) else None
        ),
        "a media type such as text/event-stream (type/subtype, parameters ignored)",
        "text/event-stream",
    )
    headers = header_table(table, "headers")
    table.finish()
    return Response(status, media_type, headers)


def read_limits(table: Table | None) -> Limits:
    if table is None:
        return Limits()
    default = Limits()
    limits = Limits(
        seconds=table.get("seconds", as_seconds(), "seconds above 0", default.seconds),
        idle_seconds=table.get(
            "idle_seconds", as_seconds(), "seconds above 0", default.idle_seconds
        ),
        max_bytes=table.get(
            "bytes", as_int_at_least(1), "a byte count of 1 or more", default.max_bytes
        ),
        max_event_bytes=table.get(
            "event_bytes", as_int_at_least(1), "a byte count of 1 or more", default.max_event_bytes
        ),
        max_events=table.get(
            "events", as_int_at_least(1), "a count of 1 or more", default.max_events
        ),
    )
    table.finish()
    return limits


def read_events(root: Table) -> tuple[ExpectedEvent, ...]:
    root.seen.add("events")
    if "events" not in root.data:
        return ()
    items = root.data["events"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise root.error("events", "an array of tables ([[events]])", items)
    if not items:
        raise root.error("events", "at least one [[events]] entry", got=False)
    events = []
    for index, item in enumerate(items):
        table = Table(item, f"events[{index}]", root.source)
        event = ExpectedEvent(
            type=table.get("type", as_nonempty_line, "an event type on one line", "message"),
            data=table.get("data", as_text, "a string", ""),
            id=table.get("id", as_id, "an id on one line, without NUL", None),
            pause_before=table.get("pause_before", as_bool, "true or false", False),
        )
        table.finish()
        events.append(event)
    return tuple(events)


def read_kinds(table: Table | None) -> tuple[Kind, ...]:
    if table is None:
        return ()
    kinds = []
    for name, value in table.data.items():
        table.seen.add(name)
        if not NAME.fullmatch(name):
            raise table.error(
                name, "a kind name: a letter or _, then letters, digits, _ . : -", name
            )
        if not isinstance(value, dict):
            raise table.error(name, "a table ([kinds.NAME])", value)
        kind = Table(value, table.key(name), table.source)
        rules = [key for key in ("data", "data_match", "schema") if kind.has(key)]
        if len(rules) > 1:
            raise kind.error(
                rules[1], f"at most one of data, data_match, schema (also {rules[0]})", got=False
            )
        pattern = kind.get("data_match", as_text, "a regular expression", None)
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise kind.error(
                    "data_match", f"a Python regular expression ({exc})", pattern
                ) from None
        schema = kind.get(
            "schema", lambda v: v if isinstance(v, dict) else None, "a table (a JSON Schema)", None
        )
        problem = None if schema is None else schema_problem(schema)
        if problem is not None:
            raise kind.error("schema", f"a valid JSON Schema 2020-12: {problem}", got=False)
        kinds.append(
            Kind(
                name=name,
                type=kind.get("type", as_nonempty_line, "an event type on one line", "message"),
                data=kind.get("data", as_text, "a string", None),
                data_match=pattern,
                schema=schema,
            )
        )
        kind.finish()
    return tuple(kinds)


def read_sequence(table: Table | None) -> EventSequence | None:
    if table is None:
        return None
    text = table.get("pattern", as_text, 'a pattern over kind names, such as "chunk+ done"', None)
    if text is None:
        raise table.error("pattern", 'a pattern over kind names, such as "chunk+ done"', got=False)
    anywhere: tuple[str, ...] = table.get("anywhere", as_strings, "a list of kind names", ())
    for name in anywhere:
        if not NAME.fullmatch(name):
            raise table.error("anywhere", "kind or type names", name)
    try:
        sequence = EventSequence(text, anywhere)
    except PatternError as exc:
        raise table.error("pattern", f"a pattern over kind names: {exc}", text) from None
    table.finish()
    return sequence


def read_end(table: Table | None) -> End:
    if table is None:
        return End()
    end = End(
        after=table.get("after", as_name, "a kind or event type name", None),
        grace=table.get("grace", as_seconds(zero=True), "seconds, 0 or more", End().grace),
        never=table.get("never", as_bool, "true or false", False),
    )
    if end.never and end.after is not None:
        raise table.error("never", "either after or never, not both", got=False)
    table.finish()
    return end


def read_incremental(table: Table | None) -> Incremental | None:
    if table is None:
        return None
    if not table.has("bursts"):
        raise table.error("bursts", "the number of bursts (2 or more)", got=False)
    result = Incremental(
        bursts=table.get("bursts", as_int_at_least(2), "a number of bursts, 2 or more", 2),
        gap=table.get("gap", as_seconds(), "seconds above 0", 0.02),
    )
    table.finish()
    return result


def read_ids(table: Table | None) -> Ids:
    if table is None:
        return Ids()
    scheme = table.get(
        "scheme", lambda v: v if v in ID_SCHEMES else None, f"one of {', '.join(ID_SCHEMES)}", "any"
    )
    if table.has("start") and scheme != "sequential":
        raise table.error("start", 'no start unless scheme = "sequential"', got=False)
    start = table.get("start", as_int_at_least(0), "a whole number, 0 or more", 0)
    table.finish()
    return Ids(cast(IdScheme, scheme), start)
