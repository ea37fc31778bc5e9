"""The servers drafts are inferred from in the tests, each with the broken variants of it
the suite's tests already have, and the variants its draft lets through (docs/inference.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from aiohttp_sse_demo import Settings, create_app
from contract import Event
from contract.infer.request import flag_request
from contract.spec.model import Limits, Request
from tests.jobs.support import expected_after, job_like
from tests.servers import feed, llm, mutants, resume_bugs, variants

from .servers import Served, app_at, demo_job, mutant_server, peer, responder

INTERVAL = 0.05
PING = 0.01
"""The demo's keep-alive interval: the drafted bound (about 0.25 s) stays well below the
0.4 s silence of ``keepalive-pings-then-silent``."""
FAMILY = {"data": "events", "done": "resume", "tolerant": "resume"}


def caught(rules: frozenset[str], mistake: frozenset[str]) -> bool:
    """Whether the draft failed a rule of the kind the mistake breaks."""

    def family(names: frozenset[str]) -> set[str]:
        return {FAMILY.get(name, name) for name in names}

    return bool(family(rules) & family(mistake))


@dataclass(frozen=True)
class Source:
    """A server to draft from, its broken variants (with the rules each breaks), and the
    variants its draft lets through."""

    served: Served
    variants: Mapping[str, tuple[Served, frozenset[str]]]
    missed: frozenset[str] = frozenset()
    request: Request | None = None
    limits: Limits | None = None
    valid: Mapping[str, Served] = field(default_factory=dict)
    """Variations that are no mistake: the draft must pass them."""
    stagger: float = 0.0


def _demo() -> Source:
    broken = {n: (responder(f(INTERVAL)), rules) for n, (f, rules) in variants.BROKEN.items()}
    bugs = {
        n: (responder(f(INTERVAL)), frozenset({"resume"}))
        for n, f in resume_bugs.RESUME_BUGS.items()
    }
    done = {
        "empty-when-done": (responder(resume_bugs.empty_when_done(INTERVAL)), frozenset({"done"}))
    }
    app = partial(create_app, Settings(interval=INTERVAL, ping_interval=PING))
    return Source(
        app_at(app, "/stream"),
        {**broken, **bugs, **done},
        # kinds see the shape of data, not which value comes where; /stream takes no query
        frozenset({"wrong-order", "query-repeats-its-id"}),
    )


def _job() -> Source:
    whole = expected_after()
    stopped = [*whole[:3], Event("cancelled", "by a client", "3")]
    cases = {
        "resume-repeats": (job_like(whole, resume_repeats=True), {"resume"}),
        "stopped-without-close": (job_like(stopped), {"events", "end"}),
        "a-task-that-never-starts": (job_like(whole[1:]), {"events", "ids"}),
    }
    return Source(demo_job(), {n: (responder(r), frozenset(f)) for n, (r, f) in cases.items()})


CHAT = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
MESSAGES = json.dumps(
    {"model": "m", "max_tokens": 9, "stream": True, "messages": [{"role": "user", "content": "x"}]}
)
CHAT_PATH, MESSAGES_PATH = "/v1/chat/completions", "/v1/messages"


def _mutants(name: str, good: mutants.Server | mutants.Feed, missed: set[str]) -> Source:
    broken = {
        n: (mutant_server(name, m.server), m.fails)
        for n, m in mutants.BROKEN.items()
        if m.contract == name
    }
    request = None
    if name == "tokens":
        headers = [("Authorization", f"Bearer {mutants.TOKEN}"), ("X-Client", "teeth")]
        request = flag_request(None, headers, json.dumps(mutants.TOKENS_BODY))
    # a window long enough for the feed's stall to show as a silence longer than its bound
    limits = Limits(seconds=1.0, idle_seconds=0.5) if name == "feed" else None
    return Source(mutant_server(name, good), broken, frozenset(missed), request, limits)


def _peer(name: str, limits: Limits | None = None) -> Source:
    no_pings = {"no-pings": (peer(name, pings=False), frozenset({"keepalive"}))}
    return Source(peer(name), no_pings, limits=limits)


SOURCES: dict[str, Callable[[], Source]] = {
    "demo /stream": _demo,
    "a job's events": _job,
    "openai-chat": lambda: Source(
        app_at(llm.chat_app, CHAT_PATH),
        {
            n: (app_at(partial(llm.chat_app, m), CHAT_PATH), r)
            for n, (m, r) in llm.CHAT_MUTANTS.items()
        },
        request=flag_request(None, [("Authorization", "Bearer sk-test")], CHAT),
    ),
    "anthropic-messages": lambda: Source(
        app_at(llm.message_app, MESSAGES_PATH),
        {
            n: (app_at(partial(llm.message_app, m), MESSAGES_PATH), r)
            for n, (m, r) in llm.MESSAGE_MUTANTS.items()
        },
        request=flag_request(
            None, [("x-api-key", "sk-test"), ("anthropic-version", "2023-06-01")], MESSAGES
        ),
        valid={
            n: app_at(partial(llm.message_app, m), MESSAGES_PATH)
            for n, m in llm.MESSAGE_VALID.items()
        },
    ),
    "feed": lambda: Source(
        app_at(feed.feed_app, "/ticks"),
        {
            n: (app_at(partial(feed.feed_app, f), "/ticks"), r)
            for n, (f, r) in feed.FEED_MUTANTS.items()
        },
        limits=Limits(seconds=1.6, idle_seconds=1.5),
        stagger=0.1,
    ),
    # counts are runs (+), and a kind's values may come in any order
    "tokens": lambda: _mutants(
        "tokens", mutants.TOKENS, {"tokens-one-token", "tokens-comments-then-silent"}
    ),
    "script": lambda: _mutants("script", mutants.SCRIPT, {"script-swapped"}),
    "teeth feed": lambda: _mutants("feed", mutants.FEED, set()),
    "better-sse": lambda: _peer("better-sse"),
    "sse-channel": lambda: _peer("sse-channel", Limits(seconds=2.0, idle_seconds=1.0)),
    "sse-starlette": lambda: _peer("sse-starlette"),
}
