"""Peers no one here wrote, judged against contracts that say what they really do.

better-sse and sse-channel (npm, installed by ``make node-peers``) run as Node
subprocesses; sse-starlette (PyPI) runs under uvicorn in a thread. Each contract file
in tests/peers/ describes its library's stream; the verdicts asserted here are the
library's real behaviour (docs/contract-peers.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from contract import Contract, Report, Verdict, load_contract, run_suite
from contract.spec.overrides import with_flags
from tests.contract.support import DEMO
from tests.paths import PEERS
from tests.peers import starlette_app
from tests.peers.node_process import node_server
from tests.servers.uvicorn_thread import uvicorn_thread

PASS, SUPPORTED, NOT_SUPPORTED, BROKEN = (
    Verdict.PASS,
    Verdict.SUPPORTED,
    Verdict.NOT_SUPPORTED,
    Verdict.BROKEN,
)
CORE = dict.fromkeys(("head", "events", "data", "ids", "end", "incremental", "framing"), PASS)

STEP, WAIT, PING, TICK = 0.02, 0.4, 0.04, 0.25
"""Seconds: between tokens or progress events, the wait before them, keep-alive, ticks."""
NO_PING = 600.0
"""A keep-alive interval no recording reaches (sse-starlette's own "off" is 0)."""


def ms(seconds: float) -> str:
    """Milliseconds, as the Node scripts take them."""
    return str(round(seconds * 1000))


StartPeer = Callable[..., Awaitable[str]]


@pytest.fixture
async def start_peer(tmp_path: Path) -> AsyncIterator[StartPeer]:
    """Start a peer by name (``pings=False``: keep-alive off); all stop when the test ends."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(name: str, *, pings: bool = True) -> str:
            ping = PING if pings else NO_PING
            log = tmp_path / f"{name}.log"
            if name == "sse-starlette":
                app = starlette_app.create_app(STEP, WAIT, ping if pings else 0)
                return stack.enter_context(uvicorn_thread(app))
            args: tuple[str, ...] = (
                ("better_sse_server.mjs", ms(STEP), ms(WAIT), ms(ping))
                if name == "better-sse"
                else ("sse_channel_server.cjs", ms(TICK), ms(ping))
            )
            return await stack.enter_async_context(node_server(*args, log=log))

        yield start


def peer_contract(name: str) -> Contract:
    """The contract file of a peer: tests/peers/<name>.toml."""
    return load_contract(PEERS / f"{name.replace('-', '_')}.toml")


def verdicts(report: Report) -> dict[str, Verdict]:
    """Rule name to verdict."""
    return {result.rule: result.verdict for result in report.results}


def shown(report: Report) -> str:
    """The report's lines, for assertion messages."""
    return "\n".join(f"{r.rule} {r.verdict}: {r.summary}" for r in report.results)


EXPECTED = {
    "better-sse": {
        **CORE,
        "resume": NOT_SUPPORTED,
        "done": NOT_SUPPORTED,
        "tolerant": NOT_SUPPORTED,
        "keepalive": SUPPORTED,
    },
    "sse-starlette": {
        **CORE,
        "resume": NOT_SUPPORTED,
        "done": NOT_SUPPORTED,
        "tolerant": NOT_SUPPORTED,
        "keepalive": SUPPORTED,
    },
    "sse-channel": {
        **CORE,
        "resume": SUPPORTED,
        "done": PASS,
        "tolerant": PASS,
        "keepalive": SUPPORTED,
    },
}
NOTES = {
    "better-sse": {
        "framing": ("line endings LF", "comment line", "1 retry field"),
        "resume": ("Last-Event-ID ignored: the whole stream again",),
    },
    "sse-starlette": {
        "framing": ("line endings CRLF", "comment line"),
        "resume": ("Last-Event-ID ignored: the whole stream again",),
    },
    "sse-channel": {
        "framing": ("line endings LF", "comment line", "1 retry field"),
        "resume": ("Last-Event-ID and ?lastEventId= from ", "each continues right after it"),
    },
}
"""What each peer's report says beside its verdicts: how it frames, how it takes a position."""


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_each_peer_passes_its_contract_with_these_verdicts(
    name: str, start_peer: StartPeer
) -> None:
    base = await start_peer(name)
    report = await run_suite(base + "/", peer_contract(name))
    assert not report.error
    assert verdicts(report) == EXPECTED[name], shown(report)
    assert report.exit_code == 0
    for rule, notes in NOTES[name].items():
        summary = report.result(rule).summary
        assert all(note in summary for note in notes), summary


async def test_sse_channel_replays_its_whole_history_for_a_malformed_id(
    start_peer: StartPeer,
) -> None:
    # JavaScript's `id <= "abc"` is false for every kept id, so nothing stops the replay.
    contract = peer_contract("sse-channel")
    assert contract.resume is not None
    tolerating = replace(contract, resume=replace(contract.resume, tolerate=("abc", "-1")))
    report = await run_suite(await start_peer("sse-channel") + "/", tolerating)
    tolerant = report.result("tolerant")
    assert tolerant.verdict is BROKEN, shown(report)
    assert {v.message for v in tolerant.violations} == {
        "Last-Event-ID: 'abc'",
        "Last-Event-ID: '-1'",
        "?lastEventId='abc'",
        "?lastEventId='-1'",
    }
    assert all(v.actual.startswith("ids 1..") for v in tolerant.violations)
    assert report.exit_code == 1


UNPINGED = {"better-sse": NOT_SUPPORTED, "sse-starlette": NOT_SUPPORTED, "sse-channel": BROKEN}
"""keepalive without the pings: sse-channel's opening ``:ok`` comment makes it BROKEN."""


@pytest.mark.parametrize("name", sorted(UNPINGED))
async def test_without_its_pings_no_peer_keeps_alive(name: str, start_peer: StartPeer) -> None:
    base = await start_peer(name, pings=False)
    report = await run_suite(base + "/", replace(peer_contract(name), resume=None))
    keepalive = report.result("keepalive")
    assert keepalive.verdict is UNPINGED[name], shown(report)
    silence = float(keepalive.violations[0].actual.split(" s of silence")[0])
    assert silence >= min(WAIT, TICK) - 0.05, keepalive.summary


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_the_demo_contract_fails_every_peer(name: str, start_peer: StartPeer) -> None:
    base = await start_peer(name)
    path = peer_contract(name).request.url
    demo = with_flags(DEMO, limits={"seconds": 1.0, "idle_seconds": 0.5}, close_grace=0.3)
    report = await run_suite(base + path, demo)
    assert not report.error
    assert report.result("events").verdict is Verdict.FAIL, shown(report)
    assert report.exit_code == 1
