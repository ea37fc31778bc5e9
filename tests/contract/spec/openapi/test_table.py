"""A contract file's ``[openapi]`` table: the document gives the request and kinds, the file
the rest."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from contract import ContractError, Event, Request, load_contract, parse_contract
from contract.spec.openapi.flags import OpenAPIFlags
from tests.contract.spec.openapi.support import CHAT, PARAMS
from tests.contract.support import judge, stream


def write_pair(tmp_path: Path, toml: str) -> Path:
    """``PARAMS`` as docs/api.yaml and a contract file beside it in ``tmp_path``."""
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "api.yaml").write_text(textwrap.dedent(PARAMS))
    data = yaml.safe_load(textwrap.dedent(PARAMS))
    media = data["paths"]["/other"]["get"]["responses"]["201"]["content"]
    media["text/event-stream; charset=utf-8"]["itemSchema"] = yaml.safe_load(CHAT)
    (tmp_path / "docs" / "chat.yaml").write_text(yaml.safe_dump(data))
    file = tmp_path / "c.toml"
    file.write_text("format = 1\n" + textwrap.dedent(toml))
    return file


def test_the_openapi_table_gives_request_and_kinds_and_the_file_the_rest(tmp_path: Path) -> None:
    file = write_pair(
        tmp_path,
        """
        [openapi]
        file = "docs/chat.yaml"
        operation = "GET /other"
        [request]
        headers = { Authorization = "Bearer ${TOKEN}" }
        [kinds.ping]
        type = "ping"
        [sequence]
        pattern = "delta+ done"
        anywhere = ["ping"]
        [end]
        after = "done"
        [ids]
        scheme = "increasing"
        """,
    )
    contract = load_contract(file)
    assert contract.name == "GET /other, OpenAPI 3.2.0"
    assert contract.source == str(file)
    assert [(k.name, k.type) for k in contract.kinds] == [
        ("delta", "delta"),
        ("done", "done"),
        ("ping", "ping"),
    ]
    assert contract.request == Request(
        "GET", "/api/v2/other", (("Authorization", "Bearer ${TOKEN}"),)
    )
    assert contract.response.status == 201
    assert (contract.end.after, contract.ids.scheme) == ("done", "increasing")
    events = [
        Event("delta", '{"text": "a"}', "1"),
        Event("ping", "", "2"),
        Event("done", "[DONE]", "5"),
    ]
    results = judge(stream(events, status=201), contract=contract)
    assert all(r.verdict.value == "PASS" for r in results.values() if not r.extension), results


def test_without_a_sequence_every_kind_may_come_in_any_order(tmp_path: Path) -> None:
    file = write_pair(
        tmp_path,
        """
        name = "mine"
        [openapi]
        file = "docs/chat.yaml"
        operation = "GET /other"
        [kinds.extra]
        type = "extra"
        [response]
        status = 200
        """,
    )
    contract = load_contract(file)
    assert contract.name == "mine"
    assert contract.sequence is not None
    assert contract.sequence.pattern == "(delta | done | extra)+"
    assert contract.response.status == 200, "the file's [response] keys win"


def test_flags_over_the_openapi_table(tmp_path: Path) -> None:
    file = write_pair(
        tmp_path,
        """
        [openapi]
        file = "docs/api.yaml"
        operation = "tail"
        params = { job = 5 }
        [request]
        json = { follow = false }
        """,
    )
    assert load_contract(file).request.url == "/api/v2/jobs/5/log?from=3"
    tail = load_contract(file, OpenAPIFlags(params=(("from", "9"),)))
    assert tail.request.url == "/api/v2/jobs/5/log?from=9"
    assert tail.request.body == b'{"follow": false}', "the file's json replaces the example"
    replaced = load_contract(file, OpenAPIFlags(tmp_path / "docs" / "chat.yaml", "GET /other"))
    assert [k.name for k in replaced.kinds] == ["delta", "done"]
    with pytest.raises(ContractError, match="--operation and --param need an OpenAPI document"):
        parse_contract(
            'format = 1\n[[events]]\ndata = "x"\n', "x.toml", openapi=OpenAPIFlags(operation="x")
        )


def test_the_file_can_supply_the_body_the_document_lacks(tmp_path: Path) -> None:
    data = yaml.safe_load(textwrap.dedent(PARAMS))
    data["paths"]["/jobs/{job}/log"]["post"]["requestBody"]["content"]["application/json"] = {}
    (tmp_path / "api.yaml").write_text(yaml.safe_dump(data))
    base = '[openapi]\nfile = "api.yaml"\noperation = "tail"\n'
    with pytest.raises(ContractError, match="requires a request body"):
        parse_contract("format = 1\n" + base, "c.toml", base=tmp_path)
    contract = parse_contract(
        "format = 1\n" + base + '[request]\nbody = "go"\n', "c.toml", base=tmp_path
    )
    assert (contract.request.body, contract.request.content_type) == (b"go", None)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[openapi]\noperation = "tail"\n', r"c.toml: openapi.file: expected the path of an"),
        ('[openapi]\nfile = "docs/api.yaml"\nop = "tail"\n', r"openapi.op: unknown key in \["),
        (
            '[openapi]\nfile = "docs/api.yaml"\nparams = { job = [1] }\n',
            r"openapi.params.job: expected a string or a number, got \[1\]",
        ),
        ('[openapi]\nfile = "docs/none.yaml"\n', "docs/none.yaml: cannot read"),
        (
            '[openapi]\nfile = "docs/chat.yaml"\noperation = "GET /other"\n[kinds.done]\n',
            "kinds.done: the OpenAPI document already gives a kind of that name",
        ),
        (
            '[openapi]\nfile = "docs/chat.yaml"\noperation = "GET /other"\n'
            '[[events]]\ndata = "x"\n',
            r"an exact list \(\[\[events\]\]\) cannot go with \[openapi\]",
        ),
        (
            '[openapi]\nfile = "docs/chat.yaml"\noperation = "GET /other"\n[end]\nafter = "fin"\n',
            "end.after: expected a kind or a type the contract names, got 'fin'",
        ),
    ],
)
def test_openapi_table_errors(tmp_path: Path, toml: str, message: str) -> None:
    file = write_pair(tmp_path, toml)
    with pytest.raises(ContractError, match=message):
        load_contract(file)
