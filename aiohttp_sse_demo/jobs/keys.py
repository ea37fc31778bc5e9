"""The typed key under which an app keeps its jobs (``web.AppKey``)."""

from __future__ import annotations

from aiohttp import web

from .runner import Jobs

JOBS = web.AppKey("jobs", Jobs)
