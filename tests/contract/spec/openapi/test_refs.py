"""``$ref`` in an OpenAPI document, and 3.0/3.1 documents read as 3.2 reads them."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from contract import ContractError, Event
from contract.spec.openapi.merge import openapi_contract
from tests.contract.spec.openapi.support import document, parts, why

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
