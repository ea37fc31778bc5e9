"""Whatever a contract file holds, loading it gives a contract or a ContractError: never a crash.

Hypothesis writes TOML files (with tomlkit) with any value (dates, times, NaN, integers past
64 bits, nested tables and arrays, odd keys) at every key the format knows, and plausible
values often enough to reach the checks behind the first; loading and explaining each must
end in a contract or a clear error.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable
from typing import TypeVar

import tomlkit
from hypothesis import example, given
from hypothesis import strategies as st

from contract import ContractError, parse_contract
from contract.spec.explain import explain

TomlValue = object
T = TypeVar("T")

KEYS = st.sampled_from(
    [
        "type",
        "$ref",
        "$defs",
        "$id",
        "$anchor",
        "properties",
        "items",
        "const",
        "enum",
        "default",
        "pattern",
        "format",
        "minimum",
        "required",
        "a",
        "b",
    ]
)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["#", "#/$defs/a", "#a", "object", "string", "[a-z]+", "(("]),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(KEYS | st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


def table(keys: dict[str, st.SearchStrategy[TomlValue]]) -> st.SearchStrategy[dict[str, TomlValue]]:
    """Some of ``keys``, each with a plausible value or any value at all."""
    return st.fixed_dictionaries({}, optional={k: s | VALUES for k, s in keys.items()})


SCHEMA = st.dictionaries(KEYS, VALUES, max_size=4)
KIND = table(
    {
        "type": st.sampled_from(["message", "done"]),
        "data": st.text(max_size=3),
        "data_match": st.sampled_from(["a+", "(?P<x>.)", "[DONE]"]),
        "schema": SCHEMA,
    }
)
TABLES = {
    "request": table(
        {
            "method": st.sampled_from(["GET", "post"]),
            "url": st.sampled_from(["/s", "http://h/s", "https://h:1/s", "//h/s", "?q=1"]),
            "headers": st.dictionaries(st.sampled_from(["A", "B-C"]), st.text(max_size=5)),
            "json": VALUES,
            "body": st.text(max_size=5),
        }
    ),
    "response": table(
        {
            "status": st.integers(100, 599),
            "media_type": st.sampled_from(["text/event-stream", "a/b; c=d", "x"]),
            "headers": st.dictionaries(st.sampled_from(["A"]), st.text(max_size=3)),
        }
    ),
    "limits": table(
        dict.fromkeys(
            ["seconds", "idle_seconds", "bytes", "event_bytes", "events"], st.integers(1, 9)
        )
    ),
    "kinds": st.dictionaries(st.sampled_from(["a", "b", "done"]), KIND, max_size=3),
    "sequence": table(
        {
            "pattern": st.sampled_from(["a", "a b* done", "(a | b){1,3} done?", "a{0,}"]),
            "anywhere": st.lists(st.sampled_from(["b", "ping"]), max_size=2),
        }
    ),
    "end": table(
        {"after": st.sampled_from(["done", "a"]), "grace": st.floats(0, 3), "never": st.booleans()}
    ),
    "incremental": table({"bursts": st.integers(2, 4), "gap": st.floats(0.01, 1)}),
    "ids": table(
        {"scheme": st.sampled_from(["sequential", "unique", "any"]), "start": st.integers(0, 3)}
    ),
    "resume": table(
        {
            "from": st.sampled_from(["all", ["1", "2"]]),
            "after_end": st.sampled_from([204, "empty"]),
            "tolerate": st.lists(st.text(max_size=3), max_size=2),
            "query": st.sampled_from(["q", "last_event_id"]),
            "required": st.lists(st.sampled_from(["resume", "done", "tolerant"]), max_size=2),
            "past_end": st.booleans(),
        }
    ),
    "keepalive": table({"max_silence": st.floats(0.1, 20), "required": st.booleans()}),
}
EVENTS = st.lists(
    table(
        {
            "type": st.just("t"),
            "data": st.text(max_size=3),
            "id": st.text(max_size=2),
            "pause_before": st.booleans(),
        }
    ),
    max_size=3,
)


def document(tables: dict[str, dict[str, TomlValue]], events: list[dict[str, TomlValue]]) -> str:
    """The contract file holding ``tables`` and ``events`` (``[[events]]``), written by tomlkit."""
    contents: dict[str, TomlValue] = {"format": 1, **tables}
    if events:
        contents["events"] = events
    text = tomlkit.dumps(contents)
    assert normal(tomllib.loads(text)) == normal(contents), text  # the file holds them all
    return text


NAN = object()


def normal(value: TomlValue) -> TomlValue:
    """``value`` with each NaN made equal to every other, so that two readings compare."""
    if isinstance(value, float) and math.isnan(value):
        return NAN
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


@given(st.fixed_dictionaries({}, optional=TABLES), EVENTS)
@example({"request": {"json": {"at": dt.datetime(1979, 5, 27)}}, "sequence": {"pattern": "a"}}, [])
@example({"response": {"media_type": ";"}, "sequence": {"pattern": "a"}}, [])
@example(
    {
        "kinds": {"a": {"schema": {"properties": {"enum": {"$ref": "#/x"}}}}},
        "sequence": {"pattern": "a"},
    },
    [],
)
def test_any_file_loads_or_says_why(
    tables: dict[str, dict[str, TomlValue]], events: list[dict[str, TomlValue]]
) -> None:
    loaded = outcome(lambda: parse_contract(document(tables, events), "c.toml"))
    if isinstance(loaded, str):
        assert loaded.startswith("c.toml: "), loaded
        assert "\n" not in loaded
        return
    assert explain(loaded)
    headers = outcome(lambda: loaded.request.resolved_headers({}))
    assert not isinstance(headers, str) or headers.endswith("is not set"), headers


def outcome(call: Callable[[], T]) -> T | str:
    """What ``call`` returns, or the message of the ContractError it raises."""
    try:
        return call()
    except ContractError as exc:
        return str(exc)
