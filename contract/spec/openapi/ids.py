"""What an OpenAPI kind's event schema can see of the event's id; pure.

The event schema validates the event as an object (``event``, ``data``, ``id`` when the
lastEventId is set). A classifier remembers its answer per distinct event; for the answer
to be right its key must hold whatever of the id the schema can see: the value, or only
whether there is one. Most schemas that say anything of the id constrain its value (a
pattern); one that does not (no ``id`` property) sees at most its presence, and a flood of
events that differ only in their ids then costs one validation, not one per event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_OBJECT_LEVEL = ("allOf", "anyOf", "oneOf")
_ONE_OBJECT_LEVEL = ("not", "if", "then", "else")


def reads_id_value(schema: Any) -> bool:
    """Whether ``schema`` (bundled: ``$ref`` only into its own ``$defs``) may judge two events
    differently whose ids differ but are both set. Conservative: ``True`` when unsure."""
    root = schema
    seen: set[str] = set()

    def at_object(node: Any) -> bool:
        if isinstance(node, bool):
            return False
        if not isinstance(node, Mapping):
            return True
        if "const" in node or "enum" in node:
            return True
        properties = node.get("properties")
        if isinstance(properties, Mapping) and "id" in properties:
            return True
        if node.get("patternProperties"):
            return True
        for key in ("additionalProperties", "unevaluatedProperties"):
            if key in node and not isinstance(node[key], bool):
                return True
        parts: list[Any] = []
        for key in _OBJECT_LEVEL:
            parts += node.get(key) or []
        parts += [node[key] for key in _ONE_OBJECT_LEVEL if key in node]
        dependent = node.get("dependentSchemas")
        parts += list(dependent.values()) if isinstance(dependent, Mapping) else []
        if "$ref" in node:
            ref = node["$ref"]
            if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
                return True
            name = ref.removeprefix("#/$defs/")
            defs = root.get("$defs") if isinstance(root, Mapping) else None
            if not isinstance(defs, Mapping) or name not in defs:
                return True
            if name not in seen:
                seen.add(name)
                parts.append(defs[name])
        return any(at_object(part) for part in parts)

    return at_object(schema)
