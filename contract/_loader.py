"""Contract files (TOML, read with ``tomllib``) into a ``Contract``, validated on load.

Every key is checked: an unknown key, a wrong type or a value out of range is a
``ContractError`` naming the file, the key and what was expected, so a typo can never
silently weaken a check. The format: docs/contract-files.md.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._contract import (
    ENV_NAME,
    ID_SCHEMES,
    SUPPORTABLE,
    Contract,
    ContractError,
    End,
    ExpectedEvent,
    Ids,
    IdScheme,
    Incremental,
    Keepalive,
    Kind,
    Limits,
    Request,
    Response,
    Resume,
    Sequence,
    env_names,
)
from ._pattern import Pattern, PatternError
from ._schema import schema_problem

if TYPE_CHECKING:
    from ._openapi import OpenAPIFlags, OpenAPIParts, OpenAPIRef

FORMATS = (1,)
"""The ``format`` values this version reads."""
SHIPPED = "contracts"
"""The package folder of the contracts shipped by name (``--contract demo``)."""
DEFAULT = "demo"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_NAME = re.compile(r"[A-Za-z_][\w.:-]*")
T = TypeVar("T")


class _Table:
    """One TOML table being read: typed getters that name the key, and a check for leftovers."""

    def __init__(self, data: Mapping[str, Any], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(
        self, name: str, expected: str, value: object = None, *, got: bool = True
    ) -> ContractError:
        shown = f", got {_show(value)}" if got else ""
        return ContractError(f"{self.source}: {self.key(name)}: expected {expected}{shown}")

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, check: Callable[[object], T | None], expected: str, default: T) -> T:
        self.seen.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        result = check(value)
        if result is None:
            raise self.error(name, expected, value)
        return result

    def table(self, name: str) -> _Table | None:
        self.seen.add(name)
        if name not in self.data:
            return None
        value = self.data[name]
        if not isinstance(value, dict):
            raise self.error(name, "a table", value)
        return _Table(value, self.key(name), self.source)

    def finish(self) -> None:
        unknown = [key for key in self.data if key not in self.seen]
        if unknown:
            known = ", ".join(sorted(self.seen))
            where = f"[{self.path}]" if self.path else "the top level"
            raise ContractError(
                f"{self.source}: {self.key(unknown[0])}: unknown key in {where} "
                f"(known keys: {known})"
            )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _line(value: object) -> str | None:
    """A string without line breaks (which no SSE field value can hold)."""
    return value if isinstance(value, str) and not re.search(r"[\r\n]", value) else None


def _name(value: object) -> str | None:
    return value if isinstance(value, str) and _NAME.fullmatch(value) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _int_at_least(low: int) -> Callable[[object], int | None]:
    def check(value: object) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        return cast(int, value) if ok else None

    return check


def _seconds(*, zero: bool = False) -> Callable[[object], float | None]:
    def check(value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = float(value)
        ok = (number >= 0 if zero else number > 0) and number < float("inf")
        return number if ok else None

    return check


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _header_table(table: _Table, name: str) -> tuple[tuple[str, str], ...]:
    headers = table.table(name)
    if headers is None:
        return ()
    out: list[tuple[str, str]] = []
    for key, value in headers.data.items():
        headers.seen.add(key)
        if not _TOKEN.fullmatch(key):
            raise headers.error(key, "a header name (letters, digits, -)", key)
        if not isinstance(value, str) or re.search(r"[\r\n\0]", value):
            raise headers.error(key, "a header value: a string on one line", value)
        for env in env_names(value):
            if not ENV_NAME.fullmatch(env):
                raise headers.error(key, "${NAME} with NAME an environment variable name", value)
        out.append((key, value))
    return tuple(out)


def _request(table: _Table | None, source: str) -> Request:
    if table is None:
        return Request(source=source)
    method = table.get(
        "method",
        lambda v: v.upper() if isinstance(v, str) and _TOKEN.fullmatch(v) else None,
        "an HTTP method such as GET or POST",
        "GET",
    )
    url = table.get("url", _line, "a URL or a path such as /stream", "")
    headers = _header_table(table, "headers")
    body: bytes | None = None
    content_type: str | None = None
    if table.has("json") and table.has("body"):
        raise table.error("body", "either json or body, not both", got=False)
    if table.has("json"):
        body = json.dumps(table.get("json", lambda v: v, "a JSON value", None)).encode()
        content_type = "application/json"
    elif table.has("body"):
        body = table.get("body", _str, "a string", "").encode()
    table.finish()
    return Request(method, url, headers, body, content_type, source)


def _response(table: _Table | None) -> Response:
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
        lambda v: line.split(";")[0].strip().lower() if (line := _line(v)) else None,
        "a media type such as text/event-stream",
        "text/event-stream",
    )
    headers = _header_table(table, "headers")
    table.finish()
    return Response(status, media_type, headers)


def _limits(table: _Table | None) -> Limits:
    if table is None:
        return Limits()
    default = Limits()
    limits = Limits(
        seconds=table.get("seconds", _seconds(), "seconds above 0", default.seconds),
        idle_seconds=table.get("idle_seconds", _seconds(), "seconds above 0", default.idle_seconds),
        max_bytes=table.get(
            "bytes", _int_at_least(1), "a byte count of 1 or more", default.max_bytes
        ),
        max_event_bytes=table.get(
            "event_bytes", _int_at_least(1), "a byte count of 1 or more", default.max_event_bytes
        ),
        max_events=table.get(
            "events", _int_at_least(1), "a count of 1 or more", default.max_events
        ),
    )
    table.finish()
    return limits


def _events(root: _Table) -> tuple[ExpectedEvent, ...]:
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
        table = _Table(item, f"events[{index}]", root.source)
        event = ExpectedEvent(
            type=table.get("type", _nonempty_line, "an event type on one line", "message"),
            data=table.get("data", _str, "a string", ""),
            id=table.get("id", _id, "an id on one line, without NUL", None),
            pause_before=table.get("pause_before", _bool, "true or false", False),
        )
        table.finish()
        events.append(event)
    return tuple(events)


def _nonempty_line(value: object) -> str | None:
    return _line(value) or None


def _id(value: object) -> str | None:
    line = _line(value)
    return line if line is not None and "\0" not in line else None


def _kinds(table: _Table | None) -> tuple[Kind, ...]:
    if table is None:
        return ()
    kinds = []
    for name, value in table.data.items():
        table.seen.add(name)
        if not _NAME.fullmatch(name):
            raise table.error(
                name, "a kind name: a letter or _, then letters, digits, _ . : -", name
            )
        if not isinstance(value, dict):
            raise table.error(name, "a table ([kinds.NAME])", value)
        kind = _Table(value, table.key(name), table.source)
        rules = [key for key in ("data", "data_match", "schema") if kind.has(key)]
        if len(rules) > 1:
            raise kind.error(
                rules[1], f"at most one of data, data_match, schema (also {rules[0]})", got=False
            )
        pattern = kind.get("data_match", _str, "a regular expression", None)
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
                type=kind.get("type", _nonempty_line, "an event type on one line", "message"),
                data=kind.get("data", _str, "a string", None),
                data_match=pattern,
                schema=schema,
            )
        )
        kind.finish()
    return tuple(kinds)


def _sequence(table: _Table | None) -> Sequence | None:
    if table is None:
        return None
    text = table.get("pattern", _str, 'a pattern over kind names, such as "chunk+ done"', None)
    if text is None:
        raise table.error("pattern", 'a pattern over kind names, such as "chunk+ done"', got=False)
    try:
        Pattern(text)
    except PatternError as exc:
        raise table.error("pattern", f"a pattern over kind names: {exc}", text) from None
    anywhere: tuple[str, ...] = table.get("anywhere", _strings, "a list of kind names", ())
    for name in anywhere:
        if not _NAME.fullmatch(name):
            raise table.error("anywhere", "kind or type names", name)
    table.finish()
    return Sequence(text, anywhere)


def _end(table: _Table | None) -> End:
    if table is None:
        return End()
    end = End(
        after=table.get("after", _name, "a kind or event type name", None),
        grace=table.get("grace", _seconds(zero=True), "seconds, 0 or more", End().grace),
        never=table.get("never", _bool, "true or false", False),
    )
    if end.never and end.after is not None:
        raise table.error("never", "either after or never, not both", got=False)
    table.finish()
    return end


def _incremental(table: _Table | None) -> Incremental | None:
    if table is None:
        return None
    if not table.has("bursts"):
        raise table.error("bursts", "the number of bursts (2 or more)", got=False)
    result = Incremental(
        bursts=table.get("bursts", _int_at_least(2), "a number of bursts, 2 or more", 2),
        gap=table.get("gap", _seconds(), "seconds above 0", 0.02),
    )
    table.finish()
    return result


def _ids(table: _Table | None) -> Ids:
    if table is None:
        return Ids()
    scheme = table.get(
        "scheme", lambda v: v if v in ID_SCHEMES else None, f"one of {', '.join(ID_SCHEMES)}", "any"
    )
    if table.has("start") and scheme != "sequential":
        raise table.error("start", 'no start unless scheme = "sequential"', got=False)
    start = table.get("start", _int_at_least(0), "a whole number, 0 or more", 0)
    table.finish()
    return Ids(cast(IdScheme, scheme), start)


def _resume(table: _Table | None) -> Resume | None:
    if table is None:
        return None

    def from_ids(value: object) -> tuple[str, ...] | None:
        if value == "all":
            return ()
        ids = _strings(value)
        return ids if ids and all(_id(i) is not None for i in ids) else None

    none: tuple[str, ...] = ()
    chosen = table.get("from", from_ids, '"all" or a non-empty list of ids', none)
    resume = Resume(
        from_ids=chosen or None,
        after_end=table.get(
            "after_end", lambda v: v if v in (204, "empty") else None, '204 or "empty"', 204
        ),
        tolerate=table.get("tolerate", _strings, "a list of Last-Event-ID values", none),
        query=table.get(
            "query",
            lambda v: v if isinstance(v, str) and _TOKEN.fullmatch(v) else None,
            "a query parameter name",
            None,
        ),
        required=frozenset(
            table.get(
                "required",
                lambda v: (
                    s if (s := _strings(v)) is not None and set(s) <= set(SUPPORTABLE) else None
                ),
                f"a list of {', '.join(SUPPORTABLE)}",
                none,
            )
        ),
        past_end=table.get("past_end", _bool, "true or false", False),
    )
    for value in resume.tolerate:
        if _id(value) is None:
            raise table.error("tolerate", "values on one line, without NUL", value)
    table.finish()
    return resume


def _keepalive(table: _Table | None) -> Keepalive | None:
    if table is None:
        return None
    result = Keepalive(
        max_silence=table.get("max_silence", _seconds(), "seconds above 0", 15.0),
        required=table.get("required", _bool, "true or false", False),
    )
    table.finish()
    return result


def _implicit_kinds(
    source: str, kinds: tuple[Kind, ...], sequence: Sequence, end: End
) -> tuple[Kind, ...]:
    """Declared kinds, then one per name the pattern uses that no kind declares (any data)."""
    declared = {kind.name for kind in kinds}
    used = [*sorted(Pattern(sequence.pattern).names), *sequence.anywhere]
    both = sorted(set(sequence.anywhere) & Pattern(sequence.pattern).names)
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


def _openapi_ref(table: _Table | None, base: Path | None) -> OpenAPIRef | None:
    """``[openapi]``: the document (relative to the contract file), operation and parameters."""
    if table is None:
        return None
    from ._openapi import OpenAPIRef

    file = table.get("file", _line, "the path of an OpenAPI document (YAML or JSON)", None)
    if not file:
        raise table.error("file", "the path of an OpenAPI document (YAML or JSON)", got=False)
    operation = table.get("operation", _nonempty_line, "an operationId or METHOD /path", None)
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
    root: _Table, base: Path | None, flags: OpenAPIFlags | None
) -> OpenAPIParts | None:
    ref = _openapi_ref(root.table("openapi"), base)
    if flags is not None:
        ref = flags.apply(ref, root.source)
    if ref is None:
        return None
    from ._openapi import load_document, openapi_parts

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
    root = _Table(data, "", source)
    if not root.has("format"):
        raise ContractError(f"{source}: format: missing; expected format = {FORMATS[0]}")
    root.get(
        "format",
        lambda v: v if type(v) is int and v in FORMATS else None,
        f"one of the supported formats: {', '.join(map(str, FORMATS))}",
        1,
    )
    name = root.get("name", _nonempty_line, "a name on one line", Path(source).stem)
    parts = _openapi_parts(root, base, openapi)
    events = _events(root)
    kinds = _kinds(root.table("kinds"))
    sequence = _sequence(root.table("sequence"))
    end = _end(root.table("end"))
    if parts is not None:
        if events:
            raise ContractError(
                f"{source}: events: an exact list ([[events]]) cannot go with [openapi], "
                "whose document gives kinds; use [sequence] to state their order"
            )
        from ._openapi import default_pattern, merged_kinds

        kinds = merged_kinds(source, parts.kinds, kinds)
        if sequence is None:
            sequence = Sequence(default_pattern(kinds))
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
        kinds = _implicit_kinds(source, kinds, sequence, end)
    request = _request(root.table("request"), source)
    response = _response(root.table("response"))
    if parts is not None:
        from ._openapi import contract_name, merged_request, merged_response

        request = merged_request(parts, request, _keys(data, "request"))
        response = merged_response(parts, response, _keys(data, "response"))
        name = name if "name" in data else contract_name(parts.source)
    contract = Contract(
        name=name,
        source=source,
        request=request,
        response=response,
        limits=_limits(root.table("limits")),
        events=events,
        kinds=kinds,
        sequence=sequence,
        end=end,
        incremental=_incremental(root.table("incremental")),
        ids=_ids(root.table("ids")),
        resume=_resume(root.table("resume")),
        keepalive=_keepalive(root.table("keepalive")),
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
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContractError(f"{file}: not UTF-8 text") from None
    except OSError as exc:
        raise ContractError(f"{file}: cannot read: {exc.strerror or exc}") from None
    return parse_contract(text, str(file), base=file.parent, openapi=openapi)


def shipped_names() -> list[str]:
    """The contracts shipped with the package, by name."""
    folder = resources.files(__package__ or "contract") / SHIPPED
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def find_contract(name_or_path: str, openapi: OpenAPIFlags | None = None) -> Contract:
    """A shipped contract by name (``demo``), or a contract file by path."""
    if name_or_path in shipped_names():
        folder = resources.files(__package__ or "contract") / SHIPPED
        resource = folder / f"{name_or_path}.toml"
        return parse_contract(
            resource.read_text(encoding="utf-8"),
            f"{name_or_path} (shipped)",
            base=folder if isinstance(folder, Path) else None,
            openapi=openapi,
        )
    if Path(name_or_path).exists() or name_or_path.endswith(".toml") or "/" in name_or_path:
        return load_contract(name_or_path, openapi)
    raise ContractError(
        f"{name_or_path}: no such file, and no shipped contract of that name "
        f"(shipped: {', '.join(shipped_names())})"
    )


def default_contract() -> Contract:
    """The demo's ``/stream`` contract, used when none is given."""
    return find_contract(DEFAULT)
