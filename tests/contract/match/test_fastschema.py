"""jsonschema-rs answers as ``jsonschema`` does, or is not asked (``match/fastschema.py``).

The differential part draws instances for every schema the project ships or tests with
(the shipped contracts, the test and peer contracts, the OpenAPI documents, the judging
benchmark's), instances shaped by each schema (``instances.py``), near misses and arbitrary
JSON, and requires the same answer from both; then the formats one by one, and the regex subset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.judge_bench import contract as bench_contract
from contract import Contract, Event, Kind, OpenAPIFlags, contract_from_openapi, load_contract
from contract.classify.fits import kind_rule
from contract.match.fastschema import (
    SAME_FORMATS,
    fast_check,
    rs_validator,
    slow_reason,
    translate_regex,
)
from contract.match.schema import compile_schema
from contract.spec.shipped import find_contract, shipped_names
from tests.paths import CONTRACTS, OPENAPI_DOCS, PEERS

from .instances import JSON, instances

OPERATIONS = {
    "anthropic-messages": (),
    "demo": (),
    "feed": (),
    "jobs": (("id", "0"),),
    "openai-chat": (),
}
"""Each OpenAPI document of docs/openapi, with the parameters it needs."""


def contracts() -> Iterator[tuple[str, Contract]]:
    for name in shipped_names():
        yield name, find_contract(name)
    for file in sorted([*CONTRACTS.glob("*.toml"), *PEERS.glob("*.toml")]):
        yield file.name, load_contract(file)
    for name, params in OPERATIONS.items():
        flags = OpenAPIFlags(OPENAPI_DOCS / f"{name}.yaml", None, params)
        yield f"{name}.yaml", contract_from_openapi(flags)
    yield "judge benchmark", bench_contract()


def schemas() -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for where, contract in contracts():
        for kind in contract.kinds:
            if kind.schema is not None:
                found[f"{where}:{kind.name}"] = kind.schema
            if kind.event_schema is not None:
                found[f"{where}:{kind.name}:event"] = kind.event_schema
    return found


SCHEMAS = schemas()
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def test_the_schemas_are_found_and_none_falls_back() -> None:
    assert len(SCHEMAS) >= 20, sorted(SCHEMAS)
    assert {name: slow_reason(schema) for name, schema in SCHEMAS.items()} == dict.fromkeys(SCHEMAS)


def near_misses(value: Any) -> Iterator[Any]:
    """``value`` with one thing changed: a member dropped or retyped, a string grown a newline."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            yield {**value, key: None}
            for changed in near_misses(value[key]):
                yield {**value, key: changed}
    elif isinstance(value, list):
        yield []
        for index, item in enumerate(value[:3]):
            for changed in near_misses(item):
                yield [*value[:index], changed, *value[index + 1 :]]
    elif isinstance(value, str):
        yield value + "\n"
        yield value[:-1]
        yield value + "٣"
        yield 7
    elif isinstance(value, bool | int | float):
        yield -1
        yield 1.5
        yield str(value)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_jsonschema_rs_agrees_with_jsonschema(name: str) -> None:
    schema = SCHEMAS[name]
    slow = compile_schema(schema).is_valid
    fast, reason = fast_check(schema, slow)
    assert reason is None

    @SLOW
    @given(st.one_of(instances(schema), JSON))
    def agree(value: Any) -> None:
        for candidate in (value, *near_misses(value)):
            assert fast(candidate) == slow(candidate), json.dumps(candidate)

    agree()


FORMAT_VALUES = [
    "", "a", "2024-01-01", "2024-02-30", "2024-1-1", "2024-01-01\n", "2024-01-01T00:00:00Z",
    "1990-12-31T23:59:60Z", "00:00:00Z", "23:59:60Z", "a@b.c", "@", "example.com", "ä.com",
    "127.0.0.1", "127.0.0.01", "256.0.0.1", "1.2.3", "127.0.0.1\n", "::1", "::ffff:1.2.3.4",
    "1::2::3", "fe80::1%eth0", "http://x", "http://x y", "//x", "a:b", "/a/b", "urn:a:b",
    "http://ä.com", "550e8400-e29b-41d4-a716-446655440000", "550E8400-E29B-41D4-A716-446655440000",
    "550e8400e29b41d4a716446655440000", "/a~0", "/a~2", "0/a", "-1/a", "(", "\\d", "P1D",
    "P1.5D", "٣",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(SAME_FORMATS))
def test_the_formats_both_check_alike(name: str) -> None:
    schema = {"type": "string", "format": name}
    slow = compile_schema(schema).is_valid
    fast, reason = fast_check(schema, slow)
    assert reason is None
    assert [v for v in FORMAT_VALUES if fast(v) != slow(v)] == []

    @SLOW
    @given(st.one_of(instances(schema), st.text(max_size=24)))
    def agree(value: str) -> None:
        assert fast(value) == slow(value)

    agree()


@pytest.mark.parametrize(
    "name", ["date-time", "time", "email", "hostname", "duration", "regex", "iri", "uri-template"]
)
def test_a_format_judged_differently_falls_back_and_says_so(name: str) -> None:
    schema = {"properties": {"when": {"type": "string", "format": name}}}
    assert (
        slow_reason(schema) == f"format {name!r}: the two libraries judge some values differently"
    )
    slow = compile_schema(schema).is_valid
    assert fast_check(schema, slow) == (slow, slow_reason(schema))


SUBSET = [
    "^msg_[A-Za-z0-9]+$", "^chatcmpl-[A-Za-z0-9_-]+$", "^[A-Z]{1,5}$", "a.b", "^(?:ab)+$",
    "x|y$", "^a*?b{2,}c{1,3}?$", "[$^.]", "\\.\\$\\x41\\u00e9\\n", "^[^a-c\\]]+$", "()$",
    "^\\d+\\.\\d\\d$", "^\\w+$", "\\s", "^[\\d\\s_]+$", "^\\D\\W\\S$",
]  # fmt: skip


@pytest.mark.parametrize("pattern", SUBSET)
def test_a_regex_of_the_subset_matches_alike(pattern: str) -> None:
    schema = {"type": "string", "pattern": pattern}
    slow = compile_schema(schema).is_valid
    fast, reason = fast_check(schema, slow)
    assert reason is None
    compiled = re.compile(pattern)
    odd = st.text(alphabet="ab\n\r\u2028\x1c\xa0 é٣7AZ_-$.]", max_size=8)

    @SLOW
    @given(st.one_of(st.from_regex(compiled), odd, st.from_regex(compiled).map(lambda s: s + "\n")))
    def agree(value: str) -> None:
        assert fast(value) == slow(value) == (compiled.search(value) is not None)

    agree()


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("\\bx", "\\b"),
        ("[\\D]", "\\D"),
        ("a\\Z", "\\Z"),
        ("(?i)a", "'(?i' (a lookaround, a name or a flag)"),
        ("(?<=a)b", "'(?<' (a lookaround, a name or a flag)"),
        ("[]a]", "']' first in a class"),
        ("[a[b]]", "'[b' in a class (a set operation in one engine)"),
        ("a{,3}", "'{' that is not a count"),
        ("a*+", "a possessive quantifier"),
        ("(", "not a Python regex (missing ), unterminated subpattern at position 0)"),
    ],
)
def test_a_regex_outside_the_subset_falls_back_and_says_why(pattern: str, why: str) -> None:
    schema = {"patternProperties": {"^x": {"type": "string", "pattern": pattern}}}
    assert slow_reason(schema) == f"regex {pattern!r}: {why}"


def test_patterns_are_translated_where_they_are_regexes_only() -> None:
    assert translate_regex("^a$") == "^a(?=\\n?$)"
    schema = {
        "patternProperties": {"^k$": {"const": {"pattern": "^\\d$"}}},
        "properties": {"pattern": {"enum": ["(?i)"]}},
    }
    assert slow_reason(schema) is None
    slow = compile_schema(schema).is_valid
    fast, _ = fast_check(schema, slow)
    for value in ({"k": {"pattern": "^\\d$"}}, {"k\n": 1}, {"k": 1}, {"pattern": "(?i)"}):
        assert fast(value) == slow(value)


def test_multiple_of_a_fraction_falls_back() -> None:
    assert (
        slow_reason({"multipleOf": 0.01})
        == "multipleOf 0.01: a fraction, divided in floating point"
    )
    assert slow_reason({"multipleOf": 2}) is None


def test_a_value_jsonschema_rs_cannot_take_is_judged_by_jsonschema() -> None:
    schema = {"type": "string", "minLength": 2}
    slow = jsonschema.Draft202012Validator(schema).is_valid
    fast, _ = fast_check(schema, slow)
    assert fast("\ud800x") is True
    assert fast("\ud800") is False


def test_a_schema_jsonschema_rs_refuses_is_judged_by_jsonschema(tmp_path: Path) -> None:
    schema = {"$ref": "http://example.invalid/elsewhere.json"}
    fast, reason = fast_check(schema, lambda value: True)
    assert reason is not None
    assert reason.startswith("jsonschema-rs cannot compile it")
    assert fast(1) is True


@pytest.mark.parametrize(
    ("schema", "data"),
    [
        ({"properties": {"x": {"maximum": 5}}}, '{"x": 1e400}'),
        ({"not": {"type": "number"}}, "-1E+999"),
        ({"type": "array", "items": {"not": {"type": "number"}}}, "[1" + "0" * 400 + ".5]"),
    ],
)
def test_data_past_a_double_is_judged_by_jsonschema_whatever_jsonschema_rs_would_say(
    schema: dict[str, Any], data: str
) -> None:
    fast, reason = rs_validator(schema)
    assert fast is not None
    assert reason is None
    assert fast(json.loads(data)) is True  # jsonschema-rs takes infinity for no number
    assert compile_schema(schema).is_valid(json.loads(data)) is False
    fits, _ = kind_rule(Kind("k", schema=schema))
    assert fits(Event("message", data)) is False
