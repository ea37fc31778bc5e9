"""Values drawn from JSON Schemas (2020-12): each is valid, including the keywords
hypothesis-jsonschema does not know; a schema nothing satisfies is a clear error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from contract import Kind, parse_contract
from contract.match.schema import compile_schema
from contract.mock.draws import NothingDrawn, examples
from contract.mock.ecma import ecma_search
from contract.mock.errors import MockError
from contract.mock.kinds import Oracle, data_strategy, draw_pools, parse_json
from contract.mock.replies import Mock
from contract.mock.values import json_values

SCHEMAS: list[Mapping[str, Any] | bool] = [
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 3}}},
    {"type": "object", "additionalProperties": False, "properties": {"x": {"const": 1}}},
    {"type": "object", "patternProperties": {"^n_": {"type": "number"}}, "minProperties": 2},
    {"type": "object", "properties": {"a": {}, "b": {}}, "dependentRequired": {"a": ["b"]}},
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}], "items": False},
    {"type": "array", "items": {"enum": [1, "two", None]}, "minItems": 2, "maxItems": 4},
    {"$ref": "#/$defs/id", "$defs": {"id": {"type": "string", "pattern": "^msg_[a-z0-9]+$"}}},
    {"anyOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
    {"oneOf": [{"type": "integer", "multipleOf": 3}, {"type": "integer", "multipleOf": 5}]},
    {"allOf": [{"type": "object", "required": ["a"]}, {"properties": {"a": {"type": "string"}}}]},
    {"type": ["string", "null"], "maxLength": 0},
    {
        "type": "object",
        "required": ["t"],
        "properties": {"t": {"const": "x"}},
        "not": {"required": ["u"]},
    },
    {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            }
        },
        "$ref": "#/$defs/node",
    },
    {"type": "string", "format": "email"},
    {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    True,
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: json.dumps(schema)[:60])
def test_every_value_drawn_fits_its_schema(schema: Mapping[str, Any] | bool) -> None:
    valid = compile_schema(schema if isinstance(schema, Mapping) else {}).is_valid
    assert examples(json_values(schema).filter(valid), seed=1, count=30)
    kept = examples(json_values(schema), seed=1, count=30)
    # Most draws fit already: the final check filters the rest (not, dependentRequired...).
    assert sum(map(valid, kept)) >= len(kept) // 2


def test_a_kind_draws_data_of_its_own_and_no_earlier_kind() -> None:
    contract = parse_contract(
        """format = 1
[kinds.done]
data = "[DONE]"
[kinds.number]
data_match = '-?[0-9]+'
[kinds.json]
schema = { type = "integer" }
[kinds.line]
data_match = '(?s).+'
[sequence]
pattern = "(number | json | line)* done"
"""
    )
    pools = draw_pools(contract, 0, "")
    oracle = Oracle(contract)
    assert pools.data["done"] == ("[DONE]",)
    for name in ("number", "line"):
        assert pools.data[name]
        assert all(oracle.kind_of("message", data, "") == name for data in pools.data[name])
    # An integer's JSON always fits the regex of the kind before: nothing is drawn for json,
    # and the stream does without it.
    assert pools.data["json"] == ()
    assert "and not an earlier kind of type 'message'" in pools.unusable["json"]
    kinds = {event.kind for event in Mock(contract, 0, pools=pools).stream.iterate()}
    assert "json" not in kinds


def test_a_kind_the_pattern_needs_and_nothing_satisfies_is_a_clear_error() -> None:
    contract = parse_contract(
        """format = 1
[kinds.odd]
schema = { type = "string", minLength = 5, maxLength = 2 }
[sequence]
pattern = "odd+"
""",
        "odd.toml",
    )
    with pytest.raises(MockError) as caught:
        Mock(contract)
    assert str(caught.value).startswith("odd.toml: the pattern accepts no stream; kind odd: ")
    assert "no data fits its schema" in str(caught.value)


def test_the_same_seed_draws_the_same_data() -> None:
    kind = Kind("k", schema={"type": "object", "properties": {"n": {"type": "integer"}}})
    assert examples(data_strategy(kind), 7, 10) == examples(data_strategy(kind), 7, 10)
    assert examples(data_strategy(kind), 7, 10) != examples(data_strategy(kind), 8, 10)


def test_nothing_drawn_says_why() -> None:
    from hypothesis import strategies as st

    with pytest.raises(NothingDrawn):
        examples(st.integers().filter(lambda _: False), 0, 5)


@pytest.mark.parametrize(
    ("text", "is_json"),
    [("1", True), ('{"a": [1.5, null]}', True), ("NaN", False), ('{"a": Infinity}', False)],
)
def test_data_is_read_as_json_parse_reads_it(text: str, is_json: bool) -> None:
    assert parse_json(text)[1] is is_json


def test_the_data_break_writes_a_number_as_python_writes_nan() -> None:
    contract = parse_contract(
        """format = 1
[kinds.tick]
type = "tick"
schema = { type = "object", required = ["price"], properties = { price = { type = "number" } } }
[sequence]
pattern = "tick{5}"
""",
    )
    events = Mock(contract, 0, "data").stream.events
    assert events is not None
    broken = [e.data for e in events if not parse_json(e.data)[1]]
    assert len(broken) == 1
    assert "NaN" in broken[0]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^chat-[a-z]+$", "chat-abc", True),
        ("^chat-[a-z]+$", "chat-abc\n", False),  # Python's $ matches before a final newline
        (r"^\d+$", "\u0663", False),  # Python's \d takes any script's digits
        (r"^\w+$", "\u00e9", False),
        ("^[$a]+$", "$a", True),
        (r"^a\$", "a$", True),
        ("(", "(", False),
    ],
)
def test_a_schema_pattern_is_read_as_ecma_262_reads_it(
    pattern: str, text: str, matches: bool
) -> None:
    assert ecma_search(pattern, text) is matches
