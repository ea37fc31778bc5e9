"""The requests the suite sends: the contract's, and the same resuming from a position."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from yarl import URL

from contract.classify import Classified, Classifier, terminal_test
from contract.spec.env import env_names
from contract.spec.errors import ContractError
from contract.spec.model import Contract
from contract.wire.decoding import ACCEPT_ENCODING
from contract.wire.event import Event

from .options import Options
from .plan import Planned

BROWSER_HEADERS = (
    ("Accept", "text/event-stream"),
    ("Cache-Control", "no-cache"),
    ("Accept-Encoding", ACCEPT_ENCODING),
)
"""Sent on every request, as a browser's EventSource sends them (Chromium's codings)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One request to record: where, how, and when its response counts as finished."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    terminal: Callable[[Event], bool] = lambda event: False
    """Whether an event is the one after which the response must end (its grace starts)."""
    grace: float = 2.0
    max_events: int | None = None
    """Events kept before reading stops, below the contract's limit (a probe needs fewer)."""
    last_event_id: str = ""
    """The id a reconnecting client starts from: an event without an ``id`` field carries it."""
    drop: tuple[int, int] | None = None
    """Drop the connection after this many events and this many more bytes (the resume
    fuzzer's plans): ``Ending.DROPPED``; bytes that would complete another event are not read."""
    max_kept: int | None = None
    """Characters of events (type, data and id) kept before reading stops (a probe's need)."""
    classify: Callable[[Event], Classified] | None = None
    """The run's classifier: each event's kind is decided as it arrives and kept with the
    recording (the main stream's; a probe is compared event by event and keeps none)."""
    protected: frozenset[str] = frozenset()
    """Names (lowercase) of the headers whose values stay home: read from ``${NAME}`` or
    given with ``-H``. A redirect to an origin outside ``origins`` is refused."""
    origins: tuple[str, ...] = ()
    """Where protected headers may go: the origin of the URL given first, then those allowed."""


def origin(url: str) -> str:
    """The origin of ``url``: ``scheme://host:port``, lowercased, the port written out."""
    parsed = URL(url)
    host = (parsed.host or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parsed.scheme.lower()}://{host}:{parsed.port}"


def refusal(target: Target, url: str, why: str) -> str | None:
    """Why a request to ``url`` may not carry ``target``'s protected headers (``why`` says how
    it came to go there), or ``None`` when it may."""
    if not target.protected or origin(url) in target.origins:
        return None
    names = ", ".join(n for n, _ in target.headers if n.lower() in target.protected)
    return (
        f"{why} another origin than the URL given ({target.origins[0]}), and the request "
        f"carries {names} from ${{NAME}} or -H, which go only there: allow that origin with "
        f"--allow-origin {origin(url)}"
    )


def sent_headers(target: Target) -> tuple[tuple[str, str], ...]:
    """The headers ``target``'s request is sent with: a browser's, then its own."""
    given = {name.lower() for name, _ in target.headers}
    return (*((n, v) for n, v in BROWSER_HEADERS if n.lower() not in given), *target.headers)


def raw_request(target: Target) -> bytes:
    """``target``'s request as HTTP/1.1 bytes, ``Connection: close``; ValueError if unsendable."""
    url = URL(target.url)
    headers = sent_headers(target)
    if any("\r" in text or "\n" in text for header in headers for text in header):
        raise ValueError("a request header holds a line break")
    lines = [f"{target.method} {url.raw_path_qs} HTTP/1.1", f"Host: {url.host_port_subcomponent}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if target.body is not None:
        lines.append(f"Content-Length: {len(target.body)}")
    lines += ["Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + (target.body or b"")


def main_target(
    url: str, contract: Contract, options: Options, classifier: Classifier | None = None
) -> Target:
    """The contract's request against ``url``, with ``${NAME}`` read from the environment;
    ``classifier``: the run's (a new one when none is given).

    An extra header (``-H``) replaces the contract's header of the same name.
    """
    classifier = Classifier(contract) if classifier is None else classifier
    extra = {name.lower() for name, _ in options.headers}
    own = [(n, v) for n, v in contract.request.resolved_headers() if n.lower() not in extra]
    secret = {n.lower() for n, v in contract.request.headers if env_names(v)}
    target = Target(
        url=urljoin(url, contract.request.url) if contract.request.url else url,
        method=contract.request.method,
        headers=(*own, *options.headers),
        body=contract.request.body,
        terminal=terminal_test(contract, classifier),
        grace=contract.end.grace,
        classify=classifier.classify,
        protected=frozenset(secret | extra),
        origins=tuple(dict.fromkeys((origin(url), *options.allow_origins))),
    )
    refused = refusal(target, target.url, f"request.url: {target.url} is")
    if refused is not None:
        raise ContractError(f"{contract.source}: {refused}")
    return target


def probe_target(main: Target, planned: Planned, caps: tuple[int, int]) -> Target:
    """The main request with a position to resume from, as the header or the query parameter;
    ``caps``: the events and characters of events it keeps at most."""
    max_events, max_kept = caps
    # A resumed stream is parsed as a browser that had reached X parses it: an event that
    # sets no id of its own still carries X. Malformed values are never a browser's state.
    inherited = planned.value if planned.purpose == "resume" else ""
    kept = replace(
        main, max_events=max_events, max_kept=max_kept, last_event_id=inherited, classify=None
    )
    if planned.query is not None:
        return replace(kept, url=str(URL(main.url).update_query({planned.query: planned.value})))
    return replace(kept, headers=(*main.headers, ("Last-Event-ID", planned.value)))
