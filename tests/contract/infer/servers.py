"""The servers drafts are inferred from, and their broken variants, as stream URLs.

Each ``Served`` starts one server on 127.0.0.1 port 0 and yields the URL of its stream;
``catches`` runs the suite with a draft against many of them side by side and says which
rules each fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping

from aiohttp import web

from contract import Options, Report, run_suite
from contract.infer import Outcome, infer
from contract.spec.model import Limits, Request
from tests.servers import mutants
from tests.servers.scripted import Responder
from tests.servers.scripted import serve_app as serve_responder
from tests.support.serving import serve_app

Served = Callable[[], contextlib.AbstractAsyncContextManager[str]]
"""Starts a server and yields its stream's URL."""
OPTIONS = Options(concurrency=48)


def app_at(factory: Callable[[], web.Application], path: str) -> Served:
    """An aiohttp app, its stream at ``path``."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with serve_app(factory(), handler_cancellation=True, shutdown_timeout=0.5) as running:
            yield running.url + path

    return served


def responder(respond: Responder) -> Served:
    """A scripted server (tests/servers/scripted.py), its stream at ``/stream``."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with serve_responder(respond) as base:
            yield base + "/stream"

    return served


def mutant_server(contract: str, server: mutants.Server | mutants.Feed) -> Served:
    """A server of tests/servers/mutants.py, at its contract's path."""

    @contextlib.asynccontextmanager
    async def served() -> AsyncIterator[str]:
        async with mutants.serve(mutants.routes(contract, server)) as base:
            yield base + mutants.PATHS[contract]

    return served


async def draft_of(
    served: Served, request: Request | None = None, limits: Limits | None = None
) -> Outcome:
    """The draft inferred from the server, checked against it."""
    async with served() as url:
        return await infer(url, request, limits=limits, options=OPTIONS)


def failing(report: Report) -> frozenset[str]:
    """The rules that fail the run."""
    assert not report.error, report.error
    return frozenset(result.rule for result in report.results if result.failed)


async def catches(
    outcome: Outcome, servers: Mapping[str, Served], stagger: float = 0.0
) -> dict[str, frozenset[str]]:
    """The rules the draft fails on each server, checked side by side (the request as
    sampled: credentials as given, not as ``${NAME}``)."""
    contract = outcome.checked

    async def one(index: int, served: Served) -> frozenset[str]:
        await asyncio.sleep(index * stagger)
        async with served() as url:
            return failing(await run_suite(url, contract, OPTIONS))

    found = await asyncio.gather(*(one(i, s) for i, s in enumerate(servers.values())))
    return dict(zip(servers, found, strict=True))
