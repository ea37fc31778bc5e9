"""One operation of an OpenAPI document as the parts of a contract (docs/openapi.md)."""
