"""OpenAPI documents into contracts: the mapping, ``$ref``, 3.0/3.1, the merge, the errors; pure."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract import Contract, ContractError, Event, Kind, Request, load_contract, parse_contract
from contract.classify import Classifier
from contract.spec.openapi.document import OpenAPIParts, load_document, openapi_parts
from contract.spec.openapi.flags import OpenAPIFlags, OpenAPIRef
from contract.spec.openapi.ids import reads_id_value
from contract.spec.openapi.merge import contract_from_openapi, openapi_contract
from tests.contract.support import judge, stream
from tests.paths import OPENAPI_DOCS

DOCS = OPENAPI_DOCS


def document(item_schema: str, *, version: str = "3.2.0") -> dict[str, Any]:
    """A document whose one operation, GET /events (``events``), streams ``item_schema``."""
    media = {"itemSchema": yaml.safe_load(textwrap.dedent(item_schema))}
    response = {"description": "events", "content": {"text/event-stream": media}}
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/events": {"get": {"operationId": "events", "responses": {"200": response}}}},
    }


def parts(data: dict[str, Any], operation: str | None = None, **params: str) -> OpenAPIParts:
    return openapi_parts(
        data, OpenAPIRef(Path("t.yaml"), operation, tuple(params.items())), source="t.yaml"
    )


def kinds(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, type, whether the data must be JSON) per kind."""
    return [(k.name, k.type, k.schema is not None) for k in parts(data).kinds]


def why(contract: Contract, event: Event) -> tuple[str | None, tuple[str, ...]]:
    """The kind ``event`` gets and, if none, why."""
    classifier = Classifier(contract)
    return classifier.classify(event).kind, classifier.reasons(event)


CHAT = """
    type: object
    required: [data]
    properties:
      data: {type: string}
      id: {type: string}
    oneOf:
      - properties:
          event: {const: delta}
          data:
            contentMediaType: application/json
            contentSchema:
              type: object
              required: [text]
              properties:
                text: {type: string}
      - properties:
          event: {const: done}
          data: {const: "[DONE]"}
"""


@pytest.mark.parametrize(
    ("item_schema", "expected"),
    [
        pytest.param(CHAT, [("delta", "delta", True), ("done", "done", False)], id="oneOf-const"),
        pytest.param(
            CHAT.replace("oneOf", "anyOf"),
            [("delta", "delta", True), ("done", "done", False)],
            id="anyOf-const",
        ),
        pytest.param(
            "{type: object, properties: {data: {type: string}}}",
            [("message", "message", False)],
            id="no-event-is-message",
        ),
        pytest.param(
            "properties: {event: {enum: [a, b]}, data: {contentMediaType: application/json}}",
            [("a", "a", True), ("b", "b", True)],
            id="enum-one-kind-each",
        ),
        pytest.param(
            """
            oneOf:
              - properties: {event: {const: x}, data: {pattern: "^1$"}}
              - properties: {event: {const: x}, data: {pattern: "^2$"}}
              - properties: {event: {const: "my event"}}
            """,
            [("x", "x", False), ("x.2", "x", False), ("my_event", "my event", False)],
            id="names-unique-and-valid",
        ),
        pytest.param(
            "properties: {event: {const: e}, data: {contentMediaType: application/vnd.x+json}}",
            [("e", "e", True)],
            id="json-suffix",
        ),
    ],
)
def test_one_kind_per_branch_and_event_name(
    item_schema: str, expected: list[tuple[str, str, bool]]
) -> None:
    assert kinds(document(item_schema)) == expected


def test_the_request_response_and_default_pattern_of_a_document_alone() -> None:
    contract = openapi_contract(parts(document(CHAT)))
    assert contract.request == Request("GET", "/events")
    assert (contract.response.status, contract.response.media_type) == (200, "text/event-stream")
    assert contract.sequence is not None
    assert contract.sequence.pattern == "(delta | done)+"
    assert contract.name == "events (GET /events), OpenAPI 3.2.0"
    assert (contract.end.after, contract.end.never) == (None, False)
    assert contract.openapi is not None
    assert contract.openapi.shape == "itemSchema"


def test_a_failing_shape_is_rule_data_with_the_path_and_message() -> None:
    contract = openapi_contract(parts(document(CHAT)))
    good = [Event("delta", '{"text": "hi"}', "1"), Event("done", "[DONE]", "2")]
    assert judge(stream(good), contract=contract)["data"].verdict.value == "PASS"
    bad = [Event("delta", '{"text": 3}', "1"), Event("done", "DONE", "2"), Event("delta", "{")]
    result = judge(stream(bad), contract=contract)["data"]
    assert result.verdict.value == "FAIL"
    reasons = [v.actual for v in result.violations]
    assert reasons[0] == "schema: at $.text: 3 is not of type 'string'"
    assert reasons[1] == (
        "event schema: at $.data: '[DONE]' was expected (schema path allOf/1/properties/data/const)"
    ), "the branch comes after the parts every branch shares"
    assert reasons[2].startswith("data is not JSON")
    assert [v.message for v in result.violations] == ["event #1", "event #2", "event #3"]


def test_the_event_object_has_id_only_when_the_last_event_id_is_set() -> None:
    contract = openapi_contract(
        parts(document("{required: [id], properties: {id: {pattern: '^[0-9]+$'}}}"))
    )
    assert why(contract, Event("message", "x", "7")) == ("message", ())
    kind, reasons = why(contract, Event("message", "x", ""))
    assert kind is None
    assert reasons == ("event schema: at $: 'id' is a required property (schema path required)",)
    assert why(contract, Event("message", "x", "a"))[1] == (
        "event schema: at $.id: 'a' does not match '^[0-9]+$' (schema path properties/id/pattern)",
    )


def test_events_with_the_same_data_and_other_ids_are_each_judged() -> None:
    # The classifier remembers what it judged; the event schema sees the id, so the id counts.
    contract = openapi_contract(
        parts(document("{required: [id], properties: {id: {pattern: '^[0-9]+$'}}}"))
    )
    classifier = Classifier(contract)
    classify = classifier.classify
    assert classify(Event("message", "x", "7")).kind == "message"
    assert classify(Event("message", "x", "a")).misfit
    assert classifier.reasons(Event("message", "x", "a")) == (
        "event schema: at $.id: 'a' does not match '^[0-9]+$' (schema path properties/id/pattern)",
    )
    assert classify(Event("message", "x", "")).kind is None
    assert classify(Event("message", "x", "8")).kind == "message"


def test_a_schema_that_sees_only_whether_there_is_an_id_is_judged_by_that() -> None:
    contract = openapi_contract(parts(document("{maxProperties: 2}")))
    classifier = Classifier(contract)
    classify = classifier.classify
    assert classify(Event("message", "x", "")).kind == "message"
    assert classify(Event("message", "x", "1")).misfit
    assert classifier.reasons(Event("message", "x", "1")) == (
        "event schema: at $: {'event': 'message', 'data': 'x', 'id': '1'} has too many "
        "properties (schema path maxProperties)",
    )
    assert classify(Event("message", "x", "2")).kind is None


@pytest.mark.parametrize(
    ("schema", "reads"),
    [
        ({"required": ["id"], "maxProperties": 3, "propertyNames": {"maxLength": 5}}, False),
        ({"properties": {"data": {"const": "x"}}, "additionalProperties": False}, False),
        ({"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"required": ["data"]}}}, False),
        ({"properties": {"id": {"pattern": "^[0-9]+$"}}}, True),
        ({"oneOf": [{}, {"not": {"$ref": "#/$defs/a"}}], "$defs": {"a": {"enum": [{}]}}}, True),
        ({"additionalProperties": {"maxLength": 3}}, True),
        ({"patternProperties": {"^i": {}}}, True),
        ({"dependentSchemas": {"id": {"properties": {"id": {"const": "1"}}}}}, True),
        ({"$ref": "#/$defs/self", "$defs": {"self": {"$ref": "#/$defs/self"}}}, False),
        ({"$ref": "https://elsewhere.invalid/schema"}, True),
    ],
)
def test_whether_an_event_schema_reads_the_id_value(schema: dict[str, Any], reads: bool) -> None:
    assert reads_id_value(schema) is reads


def test_data_without_json_is_checked_as_a_string() -> None:
    contract = openapi_contract(
        parts(document("properties: {event: {const: n}, data: {pattern: '^[0-9]+$'}}"))
    )
    assert why(contract, Event("n", "12")) == ("n", ())
    assert why(contract, Event("n", '"12"'))[1] == (
        """event schema: at $.data: '"12"' does not match '^[0-9]+$' """
        "(schema path properties/data/pattern)",
    )


REFS = """
    openapi: 3.2.0
    info: {title: t, version: "1"}
    paths:
      /feed/{room}:
        $ref: "#/components/pathItems/Feed"
    components:
      pathItems:
        Feed:
          parameters:
            - $ref: "#/components/parameters/Room"
          get:
            operationId: feed
            responses:
              "200":
                $ref: "#/components/responses/Stream"
      parameters:
        Room: {name: room, in: path, required: true, schema: {type: string}, example: lobby}
      responses:
        Stream:
          description: a feed
          content:
            text/event-stream:
              itemSchema: {$ref: "#/components/schemas/FeedEvent"}
      schemas:
        Base:
          type: object
          required: [event, data]
        FeedEvent:
          $ref: "#/components/schemas/Base"
          oneOf:
            - $ref: "#/components/schemas/Post"
            - $ref: "#/components/schemas/Tick"
        Post:
          properties:
            event: {const: post}
            data:
              contentMediaType: application/json
              contentSchema: {$ref: "#/components/schemas/Node"}
        Tick:
          allOf:
            - properties:
                event: {$ref: "#/components/schemas/TickName"}
                data: {$ref: "#/components/schemas/Digits"}
        TickName: {const: tick}
        Digits: {type: string, pattern: "^[0-9]+$"}
        Node:
          type: object
          required: [name]
          properties:
            name: {type: string}
            children: {type: array, items: {$ref: "#/components/schemas/Node"}}
"""


def test_refs_are_resolved_everywhere_and_kinds_are_self_contained() -> None:
    found = parts(yaml.safe_load(textwrap.dedent(REFS)))
    assert found.request.url == "/feed/lobby"
    assert [(k.name, k.type) for k in found.kinds] == [("post", "post"), ("tick", "tick")]
    post = found.kinds[0]
    assert post.schema is not None
    assert "#/$defs/Node" in str(post.schema)
    assert "components" not in str(post.schema), "no reference into the document is left"
    contract = openapi_contract(found)
    tree = '{"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}'
    assert why(contract, Event("post", '{"name": "a", "children": [{"name": "b"}]}'))[0] == "post"
    assert why(contract, Event("post", tree))[1] == (
        "schema: at $.children[0].children[0].name: 3 is not of type 'string'",
    )
    assert why(contract, Event("tick", "12"))[0] == "tick"
    assert "does not match" in why(contract, Event("tick", "1x"))[1][0]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("other.yaml#/components/schemas/X", "points outside the document"),
        ("https://example.org/s.json", "points outside the document"),
        ("#/components/schemas/Missing", "names nothing in the document"),
    ],
)
def test_a_ref_that_cannot_be_followed_is_an_error(ref: str, message: str) -> None:
    data = document(f"properties: {{data: {{$ref: '{ref}'}}}}")
    with pytest.raises(ContractError, match=message):
        parts(data)


def test_3_1_and_3_0_read_schema_as_each_events_shape() -> None:
    for version, extra in (("3.1.0", ""), ("3.0.3", "nullable: true")):
        data = document("{}", version=version)
        media = data["paths"]["/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
        del media["itemSchema"]
        media["schema"] = {
            "properties": {
                "event": {"const": "n"},
                "data": {"type": "string", "maxLength": 2, **yaml.safe_load(extra or "{}")},
            }
        }
        contract = openapi_contract(parts(data))
        assert contract.openapi is not None
        assert contract.openapi.shape == "schema"
        assert contract.name == (
            f"events (GET /events), OpenAPI {version}: the text/event-stream schema read as "
            "each event's shape (as Schemathesis does)"
        )
        assert why(contract, Event("n", "ab"))[0] == "n"
        assert why(contract, Event("n", "abc"))[0] is None


def test_3_0_nullable_and_boolean_exclusive_bounds_become_2020_12() -> None:
    data = document("{}", version="3.0.3")
    media = data["paths"]["/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    del media["itemSchema"]
    content = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "nullable": True}
        },
    }
    media["schema"] = {
        "properties": {"data": {"contentMediaType": "application/json", "contentSchema": content}}
    }
    contract = openapi_contract(parts(data))
    assert why(contract, Event("message", '{"n": null}'))[0] == "message"
    assert why(contract, Event("message", '{"n": 1}'))[0] == "message"
    assert why(contract, Event("message", '{"n": 0}'))[1] == (
        "schema: at $.n: 0 is less than or equal to the minimum of 0",
    )


def test_3_2_reads_the_items_of_an_array_schema_but_not_a_bare_schema() -> None:
    data = document("{}")
    media = data["paths"]["/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    del media["itemSchema"]
    media["schema"] = {"type": "array", "items": {"properties": {"event": {"const": "x"}}}}
    found = parts(data)
    assert found.source.shape == "schema items"
    assert [k.type for k in found.kinds] == ["x"]
    media["schema"] = {"properties": {"event": {"const": "x"}}}
    with pytest.raises(ContractError, match="no itemSchema describes each event"):
        parts(data)


PARAMS = """
    openapi: 3.2.0
    info: {title: t, version: "1"}
    servers: [{url: "https://{host}/api/{v}", variables: {host: {default: x}, v: {default: v2}}}]
    paths:
      /jobs/{job}/log:
        parameters:
          - {name: job, in: path, required: true, schema: {type: integer, default: 7}}
        post:
          operationId: tail
          parameters:
            - {name: from, in: query, required: true, examples: {one: {value: 3}}}
            - {name: level, in: query, schema: {type: string}}
            - {name: X-Tenant, in: header, required: true, example: acme}
            - {name: session, in: cookie, required: true, schema: {examples: [s1]}}
          requestBody:
            required: true
            content:
              application/json:
                examples: {small: {dataValue: {follow: true}}}
          responses:
            "200":
              content: {text/event-stream: {itemSchema: {}}}
      /other:
        get:
          responses:
            "201":
              content: {"text/event-stream; charset=utf-8": {itemSchema: {}}}
"""


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
