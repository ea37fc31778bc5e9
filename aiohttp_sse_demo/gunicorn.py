"""The app factory for gunicorn's aiohttp worker, configured by ``SSE_DEMO_*`` variables.

``gunicorn aiohttp_sse_demo.gunicorn:app --worker-class aiohttp.GunicornWebWorker
--workers 2 --bind 127.0.0.1:8000`` serves the demo from two processes on one port.
gunicorn's ``--bind`` decides where to listen: ``SSE_DEMO_HOST`` and ``SSE_DEMO_PORT``
are ignored. Each worker builds its own app; a resume needs nothing from the
process that served the start of the stream, so any worker can answer it.

For ``/metrics`` over all workers, add ``-c python:aiohttp_sse_demo.gunicorn`` (this
module's ``child_exit`` hook) and set ``PROMETHEUS_MULTIPROC_DIR`` (docs/deployment.md).
"""

from __future__ import annotations

import os
from typing import Any

from aiohttp import web
from prometheus_client import multiprocess

from .app import create_app
from .metrics import MULTIPROC_ENV
from .settings import Settings


async def app() -> web.Application:
    """The demo app, with settings from the environment (called once in each worker)."""
    return create_app(Settings.from_env(os.environ))


def child_exit(server: object, worker: Any) -> None:
    """gunicorn's hook, with ``-c python:aiohttp_sse_demo.gunicorn``: a worker has exited.

    In prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``), its gauges
    are dropped from the sums that ``/metrics`` answers (its counters stay counted).
    """
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
