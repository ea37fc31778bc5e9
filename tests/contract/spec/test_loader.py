"""Contract files: every key is validated, and every error names the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract import (
    Contract,
    ContractError,
    End,
    ExpectedEvent,
    Ids,
    Incremental,
    Keepalive,
    Kind,
    Limits,
    Request,
    Response,
    Resume,
    Sequence,
    find_contract,
    load_contract,
    parse_contract,
)
from tests.paths import CONTRACTS

KINDS = '[sequence]\npattern = "a"\n'
"""The least a kinds-mode contract needs."""


def error(text: str, source: str = "c.toml") -> str:
    """The message of the ContractError that loading ``text`` raises."""
    with pytest.raises(ContractError) as raised:
        parse_contract(text, source)
    return str(raised.value)


def test_a_full_kinds_contract_loads_into_its_tables() -> None:
    contract = load_contract(CONTRACTS / "tokens.toml")
    assert contract.name == "tokens"
    assert contract.source == str(CONTRACTS / "tokens.toml")
    assert contract.request == Request(
        "POST",
        "/v1/tokens",
        (("Authorization", "Bearer ${TEETH_TOKEN}"), ("X-Client", "teeth")),
        b'{"prompt": "count", "stream": true}',
        "application/json",
    )
    assert contract.response == Response(200, "text/event-stream", (("Cache-Control", "no-cache"),))
    assert contract.limits == Limits(seconds=5, idle_seconds=2)
    assert not contract.exact
    assert [(k.name, k.type, k.implicit) for k in contract.kinds] == [
        ("start", "start", False),
        ("token", "message", False),
        ("done", "done", False),
        ("ping", "ping", False),
    ]
    assert contract.kind("token") == Kind("token", data_match="[a-z]+")
    start = contract.kind("start")
    assert start is not None
    assert start.schema is not None
    assert start.schema["required"] == ["model", "n"]
    assert contract.sequence == Sequence("start token{2,} done", ("ping",))
    assert contract.end == End(after="done", grace=0.3)
    assert contract.incremental == Incremental(3)
    assert contract.ids == Ids("sequential", 0)
    assert contract.resume == Resume(query="last_event_id", tolerate=("", "abc", "-1"))
    assert contract.keepalive == Keepalive(0.2)


def test_an_exact_contract_and_defaults() -> None:
    contract = load_contract(CONTRACTS / "script.toml")
    assert contract.exact
    assert contract.events[2] == ExpectedEvent("step", "parse\nline two", "3", pause_before=True)
    assert contract.request == Request(url="/script")
    assert contract.resume is not None
    assert contract.resume.after_end == "empty"
    assert contract.keepalive is None
    least = parse_contract('format = 1\n[[events]]\ndata = "x"\n', "least.toml")
    assert least == Contract(name="least", source="least.toml", events=(ExpectedEvent(data="x"),))


def test_names_in_the_pattern_that_no_kind_declares_are_types() -> None:
    contract = parse_contract(
        'format = 1\n[kinds.delta]\ntype = "d"\n[sequence]\npattern = "start delta+ stop"\n'
        'anywhere = ["ping"]\n[end]\nafter = "stop"\n'
    )
    assert [(k.name, k.type, k.implicit) for k in contract.kinds] == [
        ("delta", "d", False),
        ("start", "start", True),
        ("stop", "stop", True),
        ("ping", "ping", True),
    ]
    by_type = parse_contract(
        'format = 1\n[kinds.delta]\ntype = "d"\n[sequence]\npattern = "delta"\n[end]\nafter = "d"\n'
    )
    assert by_type.end.after == "d"


def test_json_and_raw_bodies_and_environment_headers() -> None:
    raw = parse_contract(f'format = 1\n[request]\nmethod = "put"\nbody = "x=1"\n{KINDS}')
    assert (raw.request.method, raw.request.body, raw.request.content_type) == ("PUT", b"x=1", None)
    listed = parse_contract(f"format = 1\n[request]\njson = [1, 2]\n{KINDS}")
    assert listed.request.body == b"[1, 2]"
    request = load_contract(CONTRACTS / "tokens.toml").request
    assert request.resolved_headers({"TEETH_TOKEN": "t"}) == (
        ("Authorization", "Bearer t"),
        ("X-Client", "teeth"),
        ("Content-Type", "application/json"),
    )
    with pytest.raises(ContractError) as raised:
        request.resolved_headers({})
    assert str(raised.value) == (
        f"{CONTRACTS / 'tokens.toml'}: request.headers.Authorization: "
        "environment variable TEETH_TOKEN is not set"
    )


def test_a_ref_inside_data_is_data() -> None:
    for keyword in ("default", "const", "examples"):
        text = f"format = 1\n[kinds.a.schema.properties.x.{keyword}]\n'$ref' = '#/nowhere'\n"
        if keyword == "examples":
            text = (
                f"format = 1\n[kinds.a.schema.properties.x]\n{keyword} = [{{ '$ref' = '#/n' }}]\n"
            )
        contract = parse_contract(text + KINDS, "c.toml")
        assert contract.kind("a") is not None


def test_a_contract_that_checks_nothing_is_impossible() -> None:
    neither = "no events to check: expected [[events]] (an exact list) or [kinds] and a [sequence]"
    assert error("format = 1\n") == f"c.toml: {neither} pattern"
    assert error('format = 1\nname = "x"\n[end]\ngrace = 1\n').endswith("a [sequence] pattern")
    assert error("format = 1\n[kinds.a]\n") == (
        "c.toml: no events to check: expected a [sequence] pattern over the kinds"
    )
    assert "the pattern is empty" in error('format = 1\n[sequence]\npattern = ""\n')
    assert "at least one [[events]] entry" in error("format = 1\nevents = []\n")


def test_bad_toml_names_the_line() -> None:
    assert error("format = 1\nx = " + "[" * 700 + "]" * 700 + "\n") == (
        "c.toml: not valid TOML: nested too deeply"
    )
    assert error("format = 1\n[sequence\n") == (
        "c.toml: not valid TOML: Expected ']' at the end of a table declaration "
        "(at line 2, column 10)"
    )


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"format = 1\nname = 'caf\xe9'\n")
    with pytest.raises(ContractError, match=r"latin\.toml: not UTF-8 text$"):
        load_contract(latin)
    with pytest.raises(ContractError, match=r"missing\.toml: cannot read: No such file"):
        load_contract(tmp_path / "missing.toml")
    with pytest.raises(ContractError, match=r"no such file, and no shipped contract .*demo"):
        find_contract("nonesuch")
    assert find_contract(str(CONTRACTS / "feed.toml")).name == "feed"
