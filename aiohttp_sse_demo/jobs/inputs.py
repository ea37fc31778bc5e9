"""What a request to the jobs API asks for: its body, ``interval``, ``limit`` and ``id``s.

Each parser returns a value or raises ``ApiError`` (400 or 413) with a message that
names the problem; nothing a client sends reaches a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .model import valid_job_id
from .replies import ApiError

MAX_BODY = 64 * 1024
MAX_INTERVAL = 60.0
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_IDS = 100
"""Ids one ``GET /jobs?id=...`` may ask for."""
_FIELDS = ("interval",)


async def read_body(request: web.Request) -> bytes:
    """The request body, refused with 413 past 64 KiB (however it is sent)."""
    too_large = ApiError(413, f"the body is larger than {MAX_BODY // 1024} KiB")
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise too_large
    body = bytearray()
    while chunk := await request.content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            raise too_large
    return bytes(body)


def parse_interval(body: bytes, default: float) -> float:
    """The ``interval`` of a ``POST /jobs`` body (``default`` when absent); 400 when invalid."""
    if not body.strip():
        return default
    try:
        value: Any = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise ApiError(400, "the body is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise ApiError(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(400, 'the body must be a JSON object, such as {"interval": 0.5}')
    if unknown := sorted(set(value) - set(_FIELDS)):
        names = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise ApiError(400, f"unknown field(s) {names}; the only field is 'interval'")
    if "interval" not in value:
        return default
    interval = value["interval"]
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not 0 <= interval <= MAX_INTERVAL
    ):
        raise ApiError(
            400,
            f"interval must be a number of seconds from 0 to {MAX_INTERVAL:g}, "
            f"got {_describe(interval)}",
        )
    return float(interval)


def parse_limit(raw: str | None) -> int:
    """The ``limit`` query parameter: 1 or more, 500 at most (larger values are capped)."""
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if not text or not text.isascii() or not text.isdigit() or not text.lstrip("0"):
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, got {shown!r}")
    if len(text.lstrip("0")) > len(str(MAX_LIMIT)):
        return MAX_LIMIT
    return min(int(text), MAX_LIMIT)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _describe(value: object) -> str:
    if isinstance(value, bool | int | float):
        shown = json.dumps(value)
        return shown if len(shown) <= 40 else f"{shown[:40]}... ({len(shown)} digits)"
    names = {str: "a string", list: "an array", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def parse_ids(values: Sequence[str]) -> list[str]:
    """The ``id`` query parameters, each once, in order; 400 past ``MAX_IDS``.

    An id that cannot be a job's is unknown, so it is left out like any unknown id.
    """
    if len(values) > MAX_IDS:
        raise ApiError(400, f"at most {MAX_IDS} id parameters, got {len(values)}")
    return [value for value in dict.fromkeys(values) if valid_job_id(value)]
