"""The contract file writer: TOML values that read back as written, and every contract the
project has written out and loaded back equal."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import Contract, find_contract, load_contract, parse_contract, shipped_names
from contract.infer.toml_values import WIDTH, Unwritable, inline, string, table, writable
from contract.infer.writer import render
from contract.spec.model import Kind, Request
from tests.paths import CONTRACTS, DOCS, PEERS

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
SCALARS = st.booleans() | st.integers(-(1 << 63), (1 << 63) - 1) | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def read_back(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def written(value: object) -> str:
    """The line ``v = ...`` for ``value``."""
    return f"v = {inline(value, 'v').as_string()}"


def table_text(path: tuple[str, str], entries: dict[str, Any]) -> str:
    """The table ``[path]`` of ``entries`` as a file, under a super table as the writer nests it."""
    outer = tomlkit.table(is_super_table=True)
    outer.append(path[1], table(entries, ".".join(path)))
    document = tomlkit.document()
    document.append(path[0], outer)
    return document.as_string()


@settings(max_examples=100)
@given(VALUES)
def test_a_value_reads_back_as_written(value: object) -> None:
    assert read_back(written(value))["v"] == value


@settings(max_examples=100)
@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_a_table_reads_back_however_it_is_split(entries: dict[str, object]) -> None:
    assert read_back(table_text(("kinds", "x.y"), entries)) == {"kinds": {"x.y": entries}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        (r"function\d+", r"'function\d+'"),
        ('say "hi"', "'say \"hi\"'"),
        ("it's\n", '"it\'s\\n"'),
        ("\x01", '"\\u0001"'),
    ],
)
def test_strings_are_written_as_plainly_as_they_can_be(text: str, expected: str) -> None:
    assert string(text, "v").as_string() == expected
    assert read_back(f"v = {expected}")["v"] == text


def test_keys_are_bare_when_they_can_be() -> None:
    value = {"Cache-Control": 1, "$defs": 2, "a.b": 3}
    assert written(value) == 'v = {Cache-Control = 1, "$defs" = 2, "a.b" = 3}'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "v: null"),
        ([1, None], r"v\[1\]: null"),
        ({"a": None}, "v.a: null"),
        (1 << 64, "v: an integer past 64 bits"),
        ("\ud800", "v: a lone surrogate"),
        ({"\udfff": 1}, "v: a lone surrogate"),
    ],
)
def test_what_toml_cannot_hold_is_refused_saying_what_and_where(
    value: object, message: str
) -> None:
    assert not writable(value)
    with pytest.raises(Unwritable, match=message):
        inline(value, "v")


def test_special_floats() -> None:
    assert math.isinf(read_back(written(-math.inf))["v"])
    assert math.isnan(read_back(written(math.nan))["v"])


def test_a_long_schema_becomes_sub_tables_and_arrays_of_tables() -> None:
    wide = {f"property_{n}": {"type": "string", "minLength": n} for n in range(8)}
    schema = {"type": "object", "properties": wide, "anyOf": [{"required": [n]} for n in wide]}
    text = table_text(("kinds", "k"), {"schema": schema})
    lines = text.splitlines()
    assert "[kinds.k.schema.properties]" in lines
    assert "[[kinds.k.schema.anyOf]]" in lines
    assert all(len(line) <= WIDTH for line in lines)
    assert read_back(text)["kinds"]["k"]["schema"] == schema


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


DOTTED = """format = 1
name = "dotted"

[kinds."chat.chunk:v1"]
type = "chunk"

[sequence]
pattern = "chat.chunk:v1+"
"""


def test_a_kind_whose_name_has_dots_is_one_table() -> None:
    contract = parse_contract(DOTTED, "dotted.toml")
    text = render(contract, {"kinds.chat.chunk:v1": ["a chunk"]})
    assert '\n# a chunk\n[kinds."chat.chunk:v1"]\n' in text
    assert parse_contract(text, "dotted.toml") == contract


def test_a_value_toml_cannot_hold_is_refused_naming_its_table_and_key() -> None:
    contract = find_contract("openai-chat")
    kind = Kind("nulls", "message", schema={"type": "object", "properties": {"x": {"const": None}}})
    with pytest.raises(Unwritable, match=r"kinds\.nulls\.schema\.properties\.x\.const: null"):
        render(dataclasses.replace(contract, kinds=(kind, *contract.kinds)))


def _notes_above_headers(text: str) -> dict[str, list[str]]:
    """The comment lines right above each table's header (``file``: those above ``format``)."""
    notes: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            pending.append(line.removeprefix("#").removeprefix(" "))
        elif line.startswith(("[", "format =")):
            notes["file" if line.startswith("format") else line.strip("[]")] = pending
            pending = []
    return notes


def test_the_worked_example_of_the_docs_is_written_as_shown() -> None:
    page = (DOCS / "inference.md").read_text("utf-8")
    example = page.split("`stream.toml`:\n\n```toml\n", 1)[1].split("```", 1)[0]
    contract = parse_contract(example, "stream.toml")
    assert render(contract, _notes_above_headers(example)) == example
