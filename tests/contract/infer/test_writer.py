"""The contract file writer: TOML values that read back as written, and every contract the
project has written out and loaded back equal."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import Contract, find_contract, load_contract, parse_contract, shipped_names
from contract.infer.toml_values import WIDTH, Unwritable, inline, key, string, table, writable
from contract.infer.writer import render
from contract.spec.model import Request
from tests.paths import CONTRACTS, PEERS

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
SCALARS = st.booleans() | st.integers(-(1 << 63), (1 << 63) - 1) | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def read_back(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


@settings(max_examples=100)
@given(VALUES)
def test_a_value_reads_back_as_written(value: object) -> None:
    assert read_back(f"v = {inline(value)}")["v"] == value


@settings(max_examples=100)
@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_a_table_reads_back_however_it_is_split(entries: dict[str, object]) -> None:
    lines = table(["kinds", "x.y"], entries)
    assert read_back("\n".join(lines)) == {"kinds": {"x.y": entries}}


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("plain", '"plain"'),
        (r"function\d+", r"'function\d+'"),
        ('say "hi"', "'say \"hi\"'"),
        ("it's\n", '"it\'s\\n"'),
        ("\x01", '"\\u0001"'),
    ],
)
def test_strings_are_written_as_plainly_as_they_can_be(text: str, written: str) -> None:
    assert string(text) == written
    assert read_back(f"v = {written}")["v"] == text


def test_keys_are_bare_when_they_can_be() -> None:
    assert key("Cache-Control") == "Cache-Control"
    assert key("$defs") == '"$defs"'
    assert key("a.b") == '"a.b"'


@pytest.mark.parametrize("value", [None, [1, None], {"a": None}, 1 << 64, "\ud800"])
def test_what_toml_cannot_hold_is_refused(value: object) -> None:
    assert not writable(value)
    with pytest.raises(Unwritable):
        inline(value)


def test_special_floats() -> None:
    assert math.isinf(read_back(f"v = {inline(-math.inf)}")["v"])
    assert math.isnan(read_back(f"v = {inline(math.nan)}")["v"])


def test_a_long_schema_becomes_sub_tables_and_arrays_of_tables() -> None:
    wide = {f"property_{n}": {"type": "string", "minLength": n} for n in range(8)}
    schema = {"type": "object", "properties": wide, "anyOf": [{"required": [n]} for n in wide]}
    lines = table(["kinds", "k", "schema"], schema)
    assert "[kinds.k.schema.properties]" in lines
    assert "[[kinds.k.schema.anyOf]]" in lines
    assert all(len(line) <= WIDTH for line in lines)
    assert read_back("\n".join(lines))["kinds"]["k"]["schema"] == schema


def _all_contracts() -> list[Contract]:
    files = [*CONTRACTS.glob("*.toml"), *PEERS.glob("*.toml")]
    return [find_contract(n) for n in shipped_names()] + [load_contract(f) for f in files]


@pytest.mark.parametrize("contract", _all_contracts(), ids=lambda c: c.name)
def test_every_contract_of_the_project_is_written_and_loaded_back_equal(
    contract: Contract,
) -> None:
    back = parse_contract(render(contract), contract.source, base=Path(contract.source).parent)
    assert dataclasses.replace(back, source=contract.source) == contract


def test_notes_head_their_tables_and_stand_alone_for_absent_ones() -> None:
    contract = find_contract("openai-chat")
    text = render(
        contract, {"file": ["drafted"], "ids": ["no ids seen"], "resume": ["left out: no ids"]}
    )
    assert text.startswith("# drafted\nformat = 1\n")
    assert "# no ids seen\n[ids]\n" in text
    assert "# left out: no ids\n" in text
    assert "[resume]" not in text


def test_a_json_body_with_a_null_is_written_as_a_raw_body() -> None:
    body = b'{"stop": null}'
    contract = dataclasses.replace(
        find_contract("openai-chat"),
        request=Request("POST", "/x", (), body, "application/json"),
    )
    back = parse_contract(render(contract), "x.toml").request
    assert back.body == body
    assert back.resolved_headers() == (("Content-Type", "application/json"),)


def test_a_contract_from_an_openapi_document_is_not_written() -> None:
    from contract import OpenAPIFlags, contract_from_openapi
    from tests.paths import OPENAPI_DOCS

    contract = contract_from_openapi(OpenAPIFlags(OPENAPI_DOCS / "demo.yaml", "streamDemo", ()))
    with pytest.raises(Unwritable, match="OpenAPI"):
        render(contract)
