"""The example contracts against their test servers (tests/servers/examples.py): the short
limits the tests use, and every server of an example checked side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import NamedTuple, TypeVar

import pytest
from aiohttp import web

from contract import Contract, Options, Report, run_suite
from contract.spec.overrides import with_flags
from tests.support.serving import serve_app

LLM_LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}
FEED_LIMITS = {"seconds": 1.6, "idle_seconds": 1.5}
"""A feed never ends: each recording stops after 1.6 s: two spells of ticks, a quiet one between."""
FEED_KEEPALIVE = 0.5
"""Seconds of silence allowed: the test feed comments every 0.05 s of its 1 s quiet spells
(a wide margin: a loaded machine delays reads by tenths of a second)."""
FEED_RESUME = ("1001", "1003", "1006")
"""Three ids every recording has (1006 is the newest of the feed that closes), not all of them."""
KEYS = {"OPENAI_API_KEY": "sk-test-example", "ANTHROPIC_API_KEY": "sk-ant-test-example"}
"""The keys the LLM contracts' headers read (``${OPENAI_API_KEY}``...)."""
STAGGER = {"feed": 0.1}
"""Seconds between the starts of an example's runs, so that their probes do not all open at once."""

K = TypeVar("K")


class Case(NamedTuple):
    """One run: the server, the path its stream is at, the contract, extra request headers."""

    app: web.Application
    path: str
    contract: Contract
    headers: tuple[tuple[str, str], ...] = ()


def short_limits(example: str, contract: Contract, server: str = "as-sent") -> Contract:
    """``contract`` with the tests' limits for ``example`` (a feed's mutants: a few ids)."""
    if example != "feed":
        return with_flags(contract, limits=LLM_LIMITS, close_grace=0.3)
    resume = None if server == "as-sent" else FEED_RESUME
    return with_flags(contract, limits=FEED_LIMITS, keepalive=FEED_KEEPALIVE, resume_from=resume)


async def check(
    app: web.Application, path: str, contract: Contract, headers: tuple[tuple[str, str], ...] = ()
) -> Report:
    """Serve ``app`` and run the suite against ``path`` on it."""
    async with serve_app(app, handler_cancellation=True) as running:
        # More than the 24 default: the feed's probes from every id run in one round.
        options = Options(concurrency=48, headers=headers)
        return await run_suite(running.url + path, contract, options)


def check_all(cases: Mapping[K, Case], stagger: float = 0.0) -> dict[K, Report]:
    """Every case checked side by side (each run mostly waits on its server's pauses)."""

    async def one(index: int, case: Case) -> Report:
        await asyncio.sleep(index * stagger)
        return await check(*case)

    async def all_of() -> list[Report]:
        return await asyncio.gather(*(one(i, case) for i, case in enumerate(cases.values())))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in KEYS.items():
            patch.setenv(name, value)
        return dict(zip(cases, asyncio.run(all_of()), strict=True))
