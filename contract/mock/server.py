"""The mock over HTTP: one aiohttp app that answers the contract's request with the replies of
``replies.py`` (404 for any other path, 405 with ``Allow`` for another method)."""

from __future__ import annotations

import asyncio
import contextlib
import math
from urllib.parse import urlsplit

from aiohttp import web

from contract.spec.model import Contract

from .frames import Pause, Write
from .replies import Mock, Reply

MOCK = web.AppKey("mock", Mock)
CLOSING = web.AppKey("closing", asyncio.Future[None])
"""Done when the server shuts down: every open stream ends at its next write or pause."""


def stream_path(contract: Contract) -> str:
    """The path the contract's request goes to (``/`` when it gives none)."""
    return urlsplit(contract.request.url).path or "/"


def position(request: web.Request, contract: Contract) -> str | None:
    """Where the request resumes from: ``Last-Event-ID``, else the contract's query parameter."""
    value = request.headers.get("Last-Event-ID")
    query = contract.resume.query if contract.resume is not None else None
    if value is None and query is not None:
        value = request.query.get(query)
    return value


async def _answer(request: web.Request) -> web.StreamResponse:
    mock = request.app[MOCK]
    contract = mock.contract
    if request.path != stream_path(contract):
        raise web.HTTPNotFound(text=f"not found: the mock serves {stream_path(contract)}\n")
    if request.method != contract.request.method:
        raise web.HTTPMethodNotAllowed(request.method, [contract.request.method])
    await request.read()
    reply = mock.reply(position(request, contract))
    if reply.status == 204:
        return web.Response(status=204)
    response = web.StreamResponse(status=reply.status, headers=dict(reply.headers))
    with contextlib.suppress(ConnectionResetError):  # the client left: nothing more to send
        await response.prepare(request)
        await _send(response, reply, request.app[CLOSING])
    return response


async def _send(response: web.StreamResponse, reply: Reply, closing: asyncio.Future[None]) -> None:
    """The reply's body, step by step, until it ends or the server shuts down."""
    for step in reply.steps:
        if closing.done():
            break
        if isinstance(step, Write):
            if step.data:
                await response.write(step.data)
            continue
        if await _pause(response, step, closing):
            break
    await response.write_eof()


async def _pause(response: web.StreamResponse, pause: Pause, closing: asyncio.Future[None]) -> bool:
    """Wait out ``pause`` (a comment every ``every`` seconds); True when the server closes."""
    loop = asyncio.get_running_loop()
    end = loop.time() + pause.seconds
    step = pause.every if pause.ping is not None and pause.every > 0 else math.inf
    while (left := end - loop.time()) > 0:
        await asyncio.wait((closing,), timeout=min(left, step))
        if closing.done():
            return True
        if pause.ping is not None and end - loop.time() > 0:
            await response.write(pause.ping)
    return False


async def _opening(app: web.Application) -> None:
    app[CLOSING] = asyncio.get_running_loop().create_future()


async def _closing(app: web.Application) -> None:
    if not app[CLOSING].done():
        app[CLOSING].set_result(None)


def create_mock_app(mock: Mock) -> web.Application:
    """An app that serves ``mock`` at its contract's path."""
    app = web.Application()
    app[MOCK] = mock
    app.on_startup.append(_opening)
    app.router.add_route("*", "/{path:.*}", _answer)
    app.on_shutdown.append(_closing)
    return app
