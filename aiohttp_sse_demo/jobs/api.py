"""``POST /jobs``, ``GET /jobs``, ``GET /jobs/{id}``, ``DELETE /jobs/{id}`` (JOBS.md).

Ownership (JOBS.md, "Ownership"): a job's token comes once, in the ``201``; cancelling
needs it (or the admin token) as a bearer token, and so does the full list. Reading
one job, or the jobs whose ids a client names, stays open: the id is the capability.
"""

from __future__ import annotations

from aiohttp import web

from .errors import JobsFull
from .inputs import parse_ids, parse_interval, parse_limit, read_body
from .keys import JOBS
from .model import valid_job_id
from .replies import RETRY_AFTER_FULL, ApiError, json_response, not_found
from .tokens import bearer, matches

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="jobs"'}


async def create_job(request: web.Request) -> web.StreamResponse:
    """Start a job: 201, ``Location``, its snapshot and its token (shown this once)."""
    jobs = request.app[JOBS]
    interval = parse_interval(await read_body(request), jobs.default_interval)
    try:
        snapshot, token = await jobs.submit(interval)
    except JobsFull:
        raise ApiError(
            503,
            f"this server runs {jobs.limit} jobs at once, the most it allows; "
            f"retry in {RETRY_AFTER_FULL} s",
            {"Retry-After": str(RETRY_AFTER_FULL)},
        ) from None
    body = {**snapshot.to_json(), "token": token}
    return json_response(body, 201, {"Location": f"/jobs/{snapshot.id}"})


async def list_jobs(request: web.Request) -> web.StreamResponse:
    """The jobs named by ``?id=`` in that order (anyone), or the newest of all (admin only)."""
    limit = parse_limit(request.query.get("limit"))
    broker = request.app[JOBS].broker
    if "id" in request.query:
        ids = parse_ids(request.query.getall("id"))
        snapshots = (await broker.snapshots(ids))[:limit]
    else:
        _authorize(request, "", "listing every job needs the admin token")
        snapshots = await broker.recent(limit)
    return json_response({"jobs": [s.to_json() for s in snapshots]})


async def get_job(request: web.Request) -> web.StreamResponse:
    """One job's snapshot."""
    job_id = request.match_info["id"]
    snapshot = await request.app[JOBS].broker.get(job_id) if valid_job_id(job_id) else None
    if snapshot is None:
        raise not_found(job_id)
    return json_response(snapshot.to_json())


async def cancel_job(request: web.Request) -> web.StreamResponse:
    """Stop a job at once (its token or the admin's): 202 and its snapshot; 409 once finished."""
    job_id = request.match_info["id"]
    jobs = request.app[JOBS]
    owner = await jobs.broker.owner(job_id) if valid_job_id(job_id) else None
    if owner is None:
        raise not_found(job_id)
    _authorize(request, owner, "cancelling a job needs its token (or the admin token)")
    result = await jobs.cancel(job_id)
    if result is None:
        raise not_found(job_id)
    if not result.done:
        status = result.snapshot.status.value
        raise ApiError(409, f"job {job_id} has already finished ({status})")
    return json_response(result.snapshot.to_json(), 202)


def _authorize(request: web.Request, owner: str, needed: str) -> None:
    """Pass when the bearer token is ``owner``'s or the admin's; else 401 or 403."""
    token = bearer(request.headers.get("Authorization"))
    if token is None:
        raise ApiError(401, f"{needed}: send Authorization: Bearer <token>", CHALLENGE)
    admin = request.app[JOBS].admin_digest
    # Both comparisons always run: the time taken says nothing about which one matched.
    as_owner = matches(token, owner)
    as_admin = matches(token, admin)
    if not (as_owner or as_admin):
        raise ApiError(403, f"{needed}; the token sent is not one of them")
