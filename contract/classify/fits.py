"""Whether an event fits a kind: its data rule (equal, regex, JSON Schema 2020-12 with formats)
and, for a kind from an OpenAPI document, its event schema first; compiled once per kind.

Whether a value fits a schema is asked of jsonschema-rs where it agrees with ``jsonschema``
(``match/fastschema.py``); ``jsonschema`` says why a misfit fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import jsonschema

from contract.match.fastschema import fast_check, rs_validator
from contract.match.schema import compile_schema
from contract.spec.model import Kind
from contract.wire.event import Event

_SHOWN_DATA = 60


def _shorten(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN_DATA else repr(text[: _SHOWN_DATA - 3]) + "..."


Fit = Callable[[Event], bool]
Why = Callable[[Event], str | None]


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is no JSON value; JSON.parse rejects it")


def _number(text: str) -> int | float:
    """An integer too long for ``int()`` (4300 digits), read as JSON.parse reads it: a double."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def _parse_json(data: str) -> tuple[object, str | None]:
    """The JSON value of ``data`` as a browser's ``JSON.parse`` reads it, or why it is none.

    ``NaN``, ``Infinity`` and ``-Infinity`` are refused (Python's ``json`` takes them); a
    number past a double is read as JSON.parse reads it (``inf``); a duplicate key keeps
    its last value, in both. Integers within 4300 digits keep their exact value.
    """
    try:
        return json.loads(data, parse_constant=_no_constant), None
    except RecursionError:
        return None, "data is not JSON a validator can read: nested too deeply"
    except ValueError:  # JSONDecodeError, a constant, or an integer past int()'s limit
        pass
    try:  # the rare path only: a hook for every integer slows every event down
        return json.loads(data, parse_constant=_no_constant, parse_int=_number), None
    except ValueError as exc:
        return None, f"data is not JSON ({exc}): {_shorten(data)}"
    except RecursionError:
        return None, "data is not JSON a validator can read: nested too deeply"


def _finite(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf (nan cannot come from a JSON number)
        raise ValueError(f"{text[:20]} is beyond a double")
    return value


_FAST_JSON = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
"""``_parse_json``'s reading, built once (``json.loads`` with a keyword builds a decoder per
call), for the data jsonschema-rs judges: finite numbers only (it takes no infinity),
nothing around the value. Any other data goes the whole way, to ``jsonschema``."""
_TOO_DEEP = "data is JSON nested too deeply for the schema to be checked"


def _data_rule(kind: Kind) -> tuple[Callable[[str], bool], Callable[[str], str | None]]:
    """Two functions of an event's data: whether it fits ``kind``'s data rule (fast, for
    every event), and why not (``None`` when it fits; only for the misfits a report shows)."""
    if kind.data is not None:
        wanted = kind.data
        return (
            lambda data: data == wanted,
            lambda data: (
                None if data == wanted else f"data is {_shorten(data)}, not {_shorten(wanted)}"
            ),
        )
    if kind.data_match is not None:
        regex = re.compile(kind.data_match)
        shown = kind.data_match
        return (
            lambda data: regex.fullmatch(data) is not None,
            lambda data: (
                None if regex.fullmatch(data) else f"data {_shorten(data)} does not match /{shown}/"
            ),
        )
    if kind.schema is not None:
        validator = compile_schema(kind.schema)
        fast, _ = rs_validator(kind.schema)

        def fits(data: str) -> bool:
            if fast is not None:
                try:
                    value, end = _FAST_JSON.raw_decode(data)
                    if end == len(data):
                        return fast(value)
                except (ValueError, RecursionError):
                    pass  # a number past a double, a lone surrogate, no JSON: see below
            # What jsonschema-rs cannot take (or is not asked about) jsonschema judges.
            value, problem = _parse_json(data)
            if problem is not None:
                return False
            try:
                return validator.is_valid(value)
            except RecursionError:  # the validator recurses once per level of the data
                return False

        def why(data: str) -> str | None:
            value, problem = _parse_json(data)
            if problem is not None:
                return problem
            try:
                error = jsonschema.exceptions.best_match(validator.iter_errors(value))
            except RecursionError:
                return _TOO_DEEP
            return None if error is None else f"schema: at {error.json_path}: {error.message}"

        return fits, why
    return (lambda data: True), (lambda data: None)


def event_item(event: Event) -> dict[str, str]:
    """The event as OpenAPI's ``itemSchema`` sees it: ``event`` ("message" when the stream
    named none), ``data``, and ``id`` when the lastEventId is set (it persists, as in a browser)."""
    item = {"event": event.type, "data": event.data}
    if event.last_event_id:
        item["id"] = event.last_event_id
    return item


def kind_rule(kind: Kind) -> tuple[Fit, Why]:
    """Whether an event fits ``kind``'s rules, and why not (``None`` when it fits)."""
    data_fits, data_why = _data_rule(kind)
    if kind.event_schema is None:
        return (lambda event: data_fits(event.data)), (lambda event: data_why(event.data))
    validator = compile_schema(kind.event_schema)
    is_valid, _ = fast_check(kind.event_schema, validator.is_valid)

    def fits(event: Event) -> bool:
        return is_valid(event_item(event)) and data_fits(event.data)

    def why(event: Event) -> str | None:
        error = jsonschema.exceptions.best_match(validator.iter_errors(event_item(event)))
        if error is None:
            return data_why(event.data)
        keywords = "/".join(str(part) for part in error.relative_schema_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        return f"event schema: at {error.json_path}: {message} (schema path {keywords})"

    return fits, why
