"""A kind's data rule reads JSON as a browser's ``JSON.parse`` does, and never crashes on data."""

from __future__ import annotations

import json

import jsonschema
import pytest

from contract import Event, Kind
from contract.classify.fits import kind_rule


def number_kind() -> Kind:
    return Kind("n", schema={"type": "object", "properties": {"x": {"type": "number"}}})


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    fits, why = kind_rule(number_kind())
    event = Event("message", f'{{"x": {constant}}}')
    assert not fits(event)
    assert why(event) == (
        f"data is not JSON ({constant} is no JSON value; JSON.parse rejects it): "
        f"'{{\"x\": {constant}}}'"
    )


def test_numbers_past_a_double_read_as_json_parse_reads_them() -> None:
    fits, why = kind_rule(number_kind())
    # JSON.parse reads 1e400 as Infinity and a 5000-digit integer as Infinity: both are numbers
    # to it (and neither is an integer), never a reason to reject the data.
    for data in ('{"x": 1e400}', '{"x": ' + "9" * 5000 + "}", '{"x": 12345678901234567890}'):
        assert fits(Event("message", data)), data
        assert why(Event("message", data)) is None
    integer = Kind("i", schema={"type": "integer"})
    fits_int, why_int = kind_rule(integer)
    assert fits_int(Event("message", "12345678901234567890"))
    assert not fits_int(Event("message", "9" * 5000))
    assert why_int(Event("message", "9" * 5000)) == "schema: at $: inf is not of type 'integer'"


def test_a_duplicate_key_keeps_the_last_value_as_json_parse_does() -> None:
    fits, _ = kind_rule(Kind("s", schema={"properties": {"x": {"type": "string"}}}))
    assert fits(Event("message", '{"x": 1, "x": "last"}'))
    assert not fits(Event("message", '{"x": "first", "x": 1}'))


NESTED = {"$defs": {"t": {"type": "array", "items": {"$ref": "#/$defs/t"}}}, "$ref": "#/$defs/t"}
DEEP = Event("message", "[" * 900 + "]" * 900)


def test_data_nested_deeper_than_python_walks_is_judged_by_jsonschema_rs() -> None:
    fits, _ = kind_rule(Kind("t", schema=NESTED))
    assert json.loads(DEEP.data)  # JSON.parse and Python's json both read it
    assert fits(DEEP)  # the recursive schema allows any depth, and jsonschema-rs walks it
    assert not fits(Event("message", "[" * 900 + "1" + "]" * 900))


def test_data_nested_deeper_than_jsonschema_walks_is_a_misfit_not_a_crash() -> None:
    # A lookahead keeps the schema from jsonschema-rs: jsonschema alone judges, and gives up.
    schema = {**NESTED, "not": {"type": "string", "pattern": "(?=x)"}}
    fits, why = kind_rule(Kind("t", schema=schema))
    assert not fits(DEEP)
    assert why(DEEP) == "data is JSON nested too deeply for the schema to be checked"


@pytest.mark.parametrize("name", ["default", "const", "enum", "examples"])
def test_a_property_named_like_a_data_keyword_is_judged_as_jsonschema_judges_it(name: str) -> None:
    # Its schema's regex is translated for jsonschema-rs like any other (Python's \d holds
    # every Unicode digit, and $ matches before a final newline): the fast path agrees.
    schema = {"type": "object", "properties": {name: {"type": "string", "pattern": r"^\d+$"}}}
    fits, why = kind_rule(Kind("k", schema=schema))
    for value in ("\u0663\u0664", "12\n"):
        event = Event("message", json.dumps({name: value}))
        assert jsonschema.Draft202012Validator(schema).is_valid({name: value})
        assert fits(event), value
        assert why(event) is None
    assert not fits(Event("message", json.dumps({name: "x1"})))
