"""Servers for the contracts in tests/contracts/: a good one each, and mutants that break one rule.

``Server`` describes an endpoint that streams a fixed list of events (``tokens``,
``script``): how it frames and chunks them, where it pauses, and how it answers a
position to resume from (``Last-Event-ID`` or a query parameter). ``Feed`` is the
never-ending ``feed``. A mutant is the good server with one thing changed; ``BROKEN``
lists each with the rules it must fail, and the words its report must contain; ``VALID``
frames and chunks the same events in other valid ways. ``serve`` runs endpoints on
127.0.0.1 port 0 for any method, and logs each request.
"""

from .broken import BROKEN, Mutant
from .servers import (
    FEED,
    INTERVAL,
    PATHS,
    SCRIPT,
    SCRIPT_EVENTS,
    TOKEN,
    TOKENS,
    TOKENS_BODY,
    TOKENS_EVENTS,
    Feed,
    Seen,
    Server,
    routes,
    serve,
)
from .valid import VALID

__all__ = [
    "BROKEN",
    "FEED",
    "INTERVAL",
    "PATHS",
    "SCRIPT",
    "SCRIPT_EVENTS",
    "TOKEN",
    "TOKENS",
    "TOKENS_BODY",
    "TOKENS_EVENTS",
    "VALID",
    "Feed",
    "Mutant",
    "Seen",
    "Server",
    "routes",
    "serve",
]
