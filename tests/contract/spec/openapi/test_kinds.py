"""OpenAPI ``itemSchema`` branches into kinds: one per branch and event name, judged as events."""

from __future__ import annotations

from typing import Any

import pytest

from contract import Event, Request
from contract.classify import Classifier
from contract.spec.openapi.ids import reads_id_value
from contract.spec.openapi.merge import openapi_contract
from tests.contract.spec.openapi.support import CHAT, document, kinds, parts, why
from tests.contract.support import judge, stream


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
