"""Kinds inferred from events (pure): by type, then by the shape of the data; each data rule
is what the values showed, and the suite's classifier gives every event its own kind."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import Classifier, Contract, Event
from contract.infer.kinds import infer_kinds
from contract.infer.schema import data_schema
from contract.infer.text import text_rule
from contract.match.schema import compile_schema


def chunk(delta: dict[str, str], finish: str | None = None) -> Event:
    body = {"id": "c-1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return Event("message", json.dumps(body))


CHAT = [
    chunk({"role": "assistant", "content": ""}),
    *(chunk({"content": word}) for word in ("a", "b", "c")),
    chunk({}, "stop"),
    Event("message", "[DONE]"),
]


def classified(events: list[list[Event]]) -> list[list[str | None]]:
    drafted = infer_kinds(events)
    classifier = Classifier(Contract("k", "test", kinds=drafted.kinds))
    return [[classifier.classify(e).kind for e in sample] for sample in events]


def test_a_type_splits_by_the_keys_of_its_objects_and_the_sentinel_is_its_own_kind() -> None:
    drafted = infer_kinds([CHAT, CHAT])
    names = [kind.name for kind in drafted.kinds]
    assert names == ["done", "message_1", "message_2", "message_3"]
    assert drafted.kinds[0].data == "[DONE]"
    assert drafted.labels[0] == ("message_1", *["message_2"] * 3, "message_3", "done")
    assert classified([CHAT]) == [list(drafted.labels[0])]
    assert drafted.constant == {"done", "message_1", "message_3"}


def test_overlapping_shapes_are_merged_into_one_kind() -> None:
    # The key sets differ only inside an array whose items differ: the richer shape's
    # "required" cannot tell them apart, so the type falls back to one JSON kind.
    one = Event("x", json.dumps({"a": [{"k": 1}, {"k": 2, "j": 3}]}))
    two = Event("x", json.dumps({"a": [{"k": 1}]}))
    drafted = infer_kinds([[one, two, one]])
    assert [kind.name for kind in drafted.kinds] == ["x"]
    assert "merged" in " ".join(drafted.notes["kinds.x"])
    assert classified([[one, two, one]]) == [["x", "x", "x"]]


def test_a_text_of_its_own_form_that_ends_every_sample_is_a_sentinel() -> None:
    sample = [Event("message", w) for w in ("alpha", "beta", "gamma", "[DONE]")]
    drafted = infer_kinds([sample, sample])
    assert [(k.name, k.data, k.data_match) for k in drafted.kinds] == [
        ("done", "[DONE]", None),
        ("message", None, "alpha|beta|gamma"),
    ]


def test_a_repeated_value_of_a_text_type_is_no_sentinel() -> None:
    # The demo's progress texts: "function2 completed successfully" ends the type each time,
    # but its form is that of "function1 completed successfully".
    texts = ["f1 started", "f1 done", "f2 started", "f2 done"]
    drafted = infer_kinds([[Event("progress", t) for t in texts], [Event("end", "bye")]])
    assert [k.name for k in drafted.kinds] == ["progress", "end"]


def test_json_scalars_and_mixed_data() -> None:
    numbers = [Event("tick", str(n)) for n in range(5)]
    mixed = [Event("note", "7"), Event("note", "seven")]
    drafted = infer_kinds([mixed + numbers])
    note, tick = drafted.kinds
    assert tick.schema == {"type": "integer"}
    assert note.data_match == r"\d+|seven"


def test_names_are_made_valid_and_unique() -> None:
    events = [Event("content block", "{}"), Event("9lives", "x"), Event("content_block", "y")]
    names = [kind.name for kind in infer_kinds([events]).kinds]
    assert names == ["content_block", "_9lives", "content_block_"]


@pytest.mark.parametrize(
    "data", ["[" * 40 + "]" * 40, '{"a": ' * 40 + "1" + "}" * 40], ids=["array", "object"]
)
def test_json_nested_too_deep_is_text(data: str) -> None:
    (kind,) = infer_kinds([[Event("deep", data)]]).kinds
    assert kind.data == data


def test_pings_are_named_by_type_or_constant_data() -> None:
    events = [
        Event("ping", "{}"),
        Event("message", '{"type": "ping"}'),
        Event("message", '{"type": "pong", "n": 1}'),
        Event("message", '{"type": "pong", "n": 2}'),
        Event("heartbeat", "x"),
        Event("heartbeat", "y"),
        Event("end", "bye"),
    ]
    assert infer_kinds([events]).pings == {"ping", "message_1", "heartbeat"}


# -- JSON Schemas -------------------------------------------------------------------------


def schema_of(*samples: list[Any]) -> dict[str, Any]:
    schema = data_schema(list(samples))
    validator = compile_schema(schema)
    assert all(validator.is_valid(value) for sample in samples for value in sample)
    return schema


def test_a_constant_becomes_const_and_a_key_in_every_value_required() -> None:
    values = [{"kind": "tick", "n": 1, "extra": True}, {"kind": "tick", "n": 2}]
    schema = schema_of(values, values)
    assert schema["required"] == ["kind", "n"]
    assert schema["properties"]["kind"] == {"const": "tick"}
    assert schema["properties"]["n"] == {"type": "integer"}
    assert schema["properties"]["extra"] == {"const": True}


def test_a_small_set_that_recurs_is_an_enum_and_one_that_does_not_is_a_type() -> None:
    def ticks(prices: list[float]) -> list[dict[str, Any]]:
        return [{"symbol": "AB"[i % 2], "price": p} for i, p in enumerate(prices)]

    schema = schema_of(ticks([1.5, 2.5, 3.5, 4.5]), ticks([1.5, 2.5, 3.5, 4.5]))
    assert schema["properties"]["symbol"] == {"enum": ["A", "B"]}
    assert schema["properties"]["price"] == {"type": "number"}


def test_an_id_that_differs_per_sample_keeps_its_prefix() -> None:
    schema = schema_of([{"id": "chatcmpl-1a"}] * 3, [{"id": "chatcmpl-2b"}] * 3)
    assert schema["properties"]["id"] == {"type": "string", "pattern": "^chatcmpl-"}


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2024-01-01T00:00:00Z", "2024-06-01T12:30:00+02:00"], "date-time"),
        (["0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"], "uuid"),
    ],
)
def test_a_format_every_value_has_is_kept(values: list[str], fmt: str) -> None:
    assert schema_of([{"at": v} for v in values])["properties"]["at"] == {
        "type": "string",
        "format": fmt,
    }


def test_what_toml_cannot_hold_stays_a_type() -> None:
    schema = schema_of([{"stop": None, "big": 1 << 70}], [{"stop": None, "big": 1 << 70}])
    assert schema["properties"]["stop"] == {"type": "null"}
    assert schema["properties"]["big"] == {"type": "integer"}


def test_mixed_types_become_choices() -> None:
    schema = schema_of([{"r": None}, {"r": "stop"}, {"r": None}], [{"r": None}, {"r": "stop"}])
    assert schema["properties"]["r"] == {"anyOf": [{"type": "null"}, {"const": "stop"}]}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=100)
@given(st.lists(st.lists(JSON, min_size=1, max_size=4), min_size=1, max_size=3))
def test_every_value_fits_the_schema_drafted_from_it(samples: list[list[Any]]) -> None:
    schema_of(*samples)


# -- plain text ---------------------------------------------------------------------------


def test_text_is_the_text_when_constant_and_a_regex_when_it_varies() -> None:
    assert text_rule(["api completed"] * 2)[0] == {"data": "api completed"}
    progress = [f"function{n} {s}" for n in (1, 2) for s in ("started", "halfway done")]
    assert text_rule(progress)[0] == {"data_match": r"function\d+ (halfway done|started)"}
    assert text_rule([f"token {n}" for n in range(40)])[0] == {"data_match": r"token \d+"}
    words = [f"{chr(97 + n)}x" for n in range(20)]
    assert text_rule(words)[0] == {"data_match": ".+"}
    assert text_rule([*words, "a\nb"])[0] == {"data_match": "(?s).+"}


@given(st.lists(st.text(max_size=8), min_size=1, max_size=12))
def test_every_text_matches_the_regex_drafted_from_it(values: list[str]) -> None:
    rule, _ = text_rule(values)
    if "data" in rule:
        assert set(values) == {rule["data"]}
    else:
        assert all(re.fullmatch(rule["data_match"], value) for value in values)
