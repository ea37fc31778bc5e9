"""Small OpenAPI documents for the tests, and what a contract makes of an event."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

from contract import Contract, Event
from contract.classify import Classifier
from contract.spec.openapi.document import OpenAPIParts, openapi_parts
from contract.spec.openapi.flags import OpenAPIRef
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
