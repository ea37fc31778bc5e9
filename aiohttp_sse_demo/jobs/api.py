"""``POST /jobs``, ``GET /jobs``, ``GET /jobs/{id}``, ``DELETE /jobs/{id}`` (JOBS.md)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import JobsFull
from .keys import JOBS
from .model import valid_job_id
from .replies import RETRY_AFTER_FULL, ApiError, json_response, not_found

MAX_BODY = 64 * 1024
MAX_INTERVAL = 60.0
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_FIELDS = ("interval",)


async def create_job(request: web.Request) -> web.StreamResponse:
    """Start a job: 201, ``Location`` and its snapshot."""
    jobs = request.app[JOBS]
    interval = parse_interval(await read_body(request), jobs.default_interval)
    try:
        snapshot = await jobs.submit(interval)
    except JobsFull:
        raise ApiError(
            503,
            f"this server runs {jobs.limit} jobs at once, the most it allows; "
            f"retry in {RETRY_AFTER_FULL} s",
            {"Retry-After": str(RETRY_AFTER_FULL)},
        ) from None
    return json_response(snapshot.to_json(), 201, {"Location": f"/jobs/{snapshot.id}"})


async def list_jobs(request: web.Request) -> web.StreamResponse:
    """The newest jobs first, ``?limit=`` of them (50 unless asked; 500 at most)."""
    limit = parse_limit(request.query.get("limit"))
    snapshots = await request.app[JOBS].broker.recent(limit)
    return json_response({"jobs": [s.to_json() for s in snapshots]})


async def get_job(request: web.Request) -> web.StreamResponse:
    """One job's snapshot."""
    job_id = request.match_info["id"]
    snapshot = await request.app[JOBS].broker.get(job_id) if valid_job_id(job_id) else None
    if snapshot is None:
        raise not_found(job_id)
    return json_response(snapshot.to_json())


async def cancel_job(request: web.Request) -> web.StreamResponse:
    """Stop a job at once: 202 and its snapshot; 409 when it has already finished."""
    job_id = request.match_info["id"]
    result = await request.app[JOBS].cancel(job_id) if valid_job_id(job_id) else None
    if result is None:
        raise not_found(job_id)
    if not result.done:
        status = result.snapshot.status.value
        raise ApiError(409, f"job {job_id} has already finished ({status})")
    return json_response(result.snapshot.to_json(), 202)


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
