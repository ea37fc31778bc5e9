"""The request an OpenAPI operation opens its stream with, and documents that do not load."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract import ContractError, Kind, Request
from contract.spec.openapi.document import load_document
from contract.spec.openapi.flags import OpenAPIFlags
from contract.spec.openapi.merge import contract_from_openapi, openapi_contract
from tests.contract.spec.openapi.support import CHAT, DOCS, PARAMS, document, parts


def test_parameters_from_flags_then_examples_then_defaults() -> None:
    data = yaml.safe_load(textwrap.dedent(PARAMS))
    request = parts(data, "tail").request
    assert request.method == "POST"
    assert request.url == "/api/v2/jobs/7/log?from=3"
    assert request.headers == (("X-Tenant", "acme"), ("Cookie", "session=s1"))
    assert (request.body, request.content_type) == (b'{"follow": true}', "application/json")
    given = parts(data, "tail", job="a b/c", level="debug", **{"X-Tenant": "z"}).request
    assert given.url == "/api/v2/jobs/a%20b%2Fc/log?from=3&level=debug"
    assert given.headers[0] == ("X-Tenant", "z")
    other = parts(data, "GET /other")
    assert (other.request.url, other.response.status) == ("/api/v2/other", 201)


@pytest.mark.parametrize(
    ("change", "operation", "params", "message"),
    [
        (lambda d: None, "nope", {}, r"no operation 'nope' \(operations: tail \(POST "),
        (lambda d: None, None, {}, "name the operation to check"),
        (lambda d: None, "tail", {"colour": "red"}, "--param colour: tail .* has no such param"),
        (
            lambda d: d["paths"]["/jobs/{job}/log"]["parameters"][0]["schema"].pop("default"),
            "tail",
            {},
            r"path parameter 'job' of tail \(POST /jobs/\{job\}/log\) needs a value: "
            "give --param job=VALUE",
        ),
        (
            lambda d: d["paths"]["/jobs/{job}/log"]["post"]["responses"]["200"].update(
                content={"application/json": {}}
            ),
            "tail",
            {},
            r"tail \(POST /jobs/\{job\}/log\) has no text/event-stream response",
        ),
        (lambda d: d.update(openapi="2.0"), "tail", {}, "OpenAPI 2.0 is not supported"),
        (lambda d: d.update(swagger="2.0"), "tail", {}, "Swagger/OpenAPI 2.0 is not supported"),
        (lambda d: d.update(openapi="three"), "tail", {}, "expected a version such as 3.2.0"),
    ],
)
def test_errors_name_the_problem(
    change: Any, operation: str | None, params: dict[str, str], message: str
) -> None:
    data = yaml.safe_load(textwrap.dedent(PARAMS))
    change(data)
    with pytest.raises(ContractError, match=message):
        parts(data, operation, **params)


def test_a_required_body_without_an_example_stops_a_document_alone() -> None:
    data = yaml.safe_load(textwrap.dedent(PARAMS))
    body = data["paths"]["/jobs/{job}/log"]["post"]["requestBody"]["content"]["application/json"]
    body.pop("examples")
    found = parts(data, "tail")
    assert found.request.body is None
    with pytest.raises(ContractError, match=r"requires a request body .* give \[request\] json"):
        openapi_contract(found)


def test_retry_cannot_be_required() -> None:
    with pytest.raises(ContractError, match="requires retry"):
        parts(document("{required: [retry]}"))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "openapi: [3.2\n", "not valid YAML at line 2, column 1"),
        ("bad.json", '{"openapi": 3.2', "not valid JSON"),
        ("list.yaml", "- a\n", "expected an OpenAPI document"),
        ("latin1.yaml", "openapi: caf\xe9", "not UTF-8 text"),
    ],
)
def test_documents_that_do_not_load(tmp_path: Path, name: str, text: str, message: str) -> None:
    file = tmp_path / name
    file.write_bytes(text.encode("latin-1"))
    with pytest.raises(ContractError, match=message) as caught:
        load_document(file)
    assert str(caught.value).startswith(str(file))
    with pytest.raises(ContractError, match="cannot read"):
        load_document(tmp_path / "missing.yaml")


def test_json_documents_and_unquoted_yaml_codes_and_versions(tmp_path: Path) -> None:
    data = document(CHAT)
    (tmp_path / "d.json").write_text(__import__("json").dumps(data))
    as_json = contract_from_openapi(OpenAPIFlags(tmp_path / "d.json"))
    assert [k.name for k in as_json.kinds] == ["delta", "done"]
    text = yaml.safe_dump(data).replace("'200'", "200").replace("3.2.0", "3.2")
    (tmp_path / "d.yaml").write_text(text)
    as_yaml = contract_from_openapi(OpenAPIFlags(tmp_path / "d.yaml", "events"))
    assert as_yaml.kinds == as_json.kinds
    assert as_yaml.openapi is not None
    assert as_yaml.openapi.version == "3.2"


def test_the_shipped_demo_document_maps_to_the_four_event_types() -> None:
    contract = contract_from_openapi(OpenAPIFlags(DOCS / "demo.yaml"))
    assert [(k.name, k.type) for k in contract.kinds] == [
        ("start", "start"),
        ("progress", "progress"),
        ("end", "end"),
        ("close", "close"),
    ]
    assert all(isinstance(k, Kind) and k.event_schema for k in contract.kinds)
    assert contract.request == Request("GET", "/stream")
