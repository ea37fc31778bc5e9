"""The job's runner, played by the load generator through the server's ``/bench/`` routes."""

from __future__ import annotations

import asyncio

import aiohttp

from .viewers import Audience


class Runner:
    """Creates jobs, appends their events one at a time, and ends them."""

    def __init__(self, http: aiohttp.ClientSession, event_timeout: float) -> None:
        self._http = http
        self._timeout = event_timeout

    async def create(self) -> str:
        """A new job with an empty log; its id."""
        async with self._http.post("/bench/jobs") as resp:
            resp.raise_for_status()
            return await resp.text()

    async def emit(self, job_id: str, audience: Audience, seq: int) -> None:
        """Have event ``seq`` appended; return once every viewer has read it."""
        read = audience.expect(seq)
        async with self._http.post(f"/bench/jobs/{job_id}/emit", params={"seq": seq}) as resp:
            if resp.status != 204:
                raise RuntimeError(f"emit {seq}: HTTP {resp.status}")
        async with asyncio.timeout(self._timeout):
            await read

    async def close(self, job_id: str) -> None:
        """Append ``close``: every viewer's body ends."""
        async with self._http.post(f"/bench/jobs/{job_id}/close") as resp:
            if resp.status != 204:
                raise RuntimeError(f"close: HTTP {resp.status}")
