"""The servers of the shipped example contracts, by name; ``python -m tests.servers.examples``
serves one of them (or a mutant) so that ``python -m contract`` can be tried on it by hand:

    python -m tests.servers.examples openai-chat --port 8001 --mutant no-done
    OPENAI_API_KEY=sk-local python -m contract http://127.0.0.1:8001/ --contract openai-chat
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from aiohttp import web

from .feed import FEED_MUTANTS, feed_app
from .llm import CHAT_MUTANTS, MESSAGE_MUTANTS, MESSAGE_VALID, chat_app, message_app

Server = tuple[Callable[[], web.Application], frozenset[str]]
"""A server factory, and the rules it must fail (none for a valid one)."""
PASSES: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Example:
    """A shipped contract, where its URL points on the test server, and the servers to check."""

    contract: str
    path: str
    servers: Mapping[str, Server]
    """``as-sent`` (the correct server), valid variations, and mutants."""


EXAMPLES = {
    "openai-chat": Example(
        "openai-chat",
        "/",
        {
            "as-sent": (chat_app, PASSES),
            **{name: (partial(chat_app, m), rules) for name, (m, rules) in CHAT_MUTANTS.items()},
        },
    ),
    "anthropic-messages": Example(
        "anthropic-messages",
        "/",
        {
            "as-sent": (message_app, PASSES),
            **{name: (partial(message_app, m), PASSES) for name, m in MESSAGE_VALID.items()},
            **{
                name: (partial(message_app, m), rules)
                for name, (m, rules) in MESSAGE_MUTANTS.items()
            },
        },
    ),
    "feed": Example(
        "feed",
        "/ticks",
        {
            "as-sent": (feed_app, PASSES),
            **{name: (partial(feed_app, f), rules) for name, (f, rules) in FEED_MUTANTS.items()},
        },
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Serve one example server on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.servers.examples",
        description="Serve an example contract's test server, or one of its mutants.",
    )
    parser.add_argument("example", choices=sorted(EXAMPLES))
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--mutant", default="as-sent", help="a mutant or variation by name")
    args = parser.parse_args(argv)
    example = EXAMPLES[args.example]
    if args.mutant not in example.servers:
        parser.error(f"--mutant: choose from {', '.join(example.servers)}")
    factory, rules = example.servers[args.mutant]
    fails = ", ".join(sorted(rules)) or "nothing"
    print(
        f"{args.example} ({args.mutant}, fails {fails}) on "
        f"http://127.0.0.1:{args.port}{example.path}",
        flush=True,
    )
    web.run_app(factory(), host="127.0.0.1", port=args.port, print=None, shutdown_timeout=0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
