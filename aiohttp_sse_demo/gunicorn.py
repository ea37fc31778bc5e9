"""The app factory for gunicorn's aiohttp worker, configured by ``SSE_DEMO_*`` variables.

``gunicorn aiohttp_sse_demo.gunicorn:app --worker-class aiohttp.GunicornWebWorker
--workers 2 --bind 127.0.0.1:8000`` serves the demo from two processes on one port.
gunicorn's ``--bind`` decides where to listen: ``SSE_DEMO_HOST`` and ``SSE_DEMO_PORT``
are ignored. Each worker builds its own app; a resume needs nothing from the
process that served the start of the stream, so any worker can answer it.
"""

from __future__ import annotations

import os

from aiohttp import web

from .app import create_app
from .settings import Settings


async def app() -> web.Application:
    """The demo app, with settings from the environment (called once in each worker)."""
    return create_app(Settings.from_env(os.environ))
