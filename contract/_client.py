"""The suite's only I/O: send the contract's request, record each response within its limits.

Every response is read to its end or to a limit and kept as a ``Recording``: status,
headers, parsed events with their arrival times (seconds after the request, from
``time.monotonic``), framing counts, and how the response ended. Every limit holds
whatever arrives and however fast: the clock is checked after every read (a read
that never waits never lets a timeout fire) and the loop yields between reads;
bytes, event size and event count stop the reading as they are crossed, and
nothing kept grows with the stream beyond them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import aiohttp
from yarl import URL

from ._contract import Contract, Limits, size_text
from ._framing import LineScanner
from ._kinds import Classifier, is_terminal, terminal_index
from ._models import Ending, Event, Options, Probe, Recording, Recordings, TimedEvent
from ._parser import EventParser
from ._probes import Planned, expected_events, plan

BROWSER_HEADERS = (("Accept", "text/event-stream"), ("Cache-Control", "no-cache"))
"""Sent on every request, as a browser's EventSource sends them."""

_UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)


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
    """The id events inherit until one sets its own: a browser resuming from X starts at X."""


class _Stop(Exception):
    def __init__(self, ending: Ending, detail: str) -> None:
        super().__init__(detail)
        self.ending = ending
        self.detail = detail


class _Reader:
    """One response being read: the events and limits of a single recording."""

    def __init__(self, limits: Limits, target: Target) -> None:
        self.limits = limits
        self.target = target
        self.start = time.monotonic()
        self.parser = EventParser(target.last_event_id)
        self.scanner = LineScanner()
        self.events: list[TimedEvent] = []
        self.max_events = min(limits.max_events, target.max_events or limits.max_events)
        self.received = 0
        self.terminal_at: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.start

    def opened(self) -> None:
        self.scanner = LineScanner(self.now())

    def take(self, data: bytes) -> None:
        """Record one read; raise ``_Stop`` when it crosses a limit."""
        at = self.now()
        limits = self.limits
        self.received += len(data)
        if self.received > limits.max_bytes:
            # Scan only what fits: the framing counts stay those of the bytes accepted.
            data = data[: len(data) - (self.received - limits.max_bytes)]
            self.scanner.feed(data, at)
            raise _Stop(Ending.LIMIT, f"more than {size_text(limits.max_bytes)} received")
        self.scanner.feed(data, at)
        if self.scanner.pending_bytes > limits.max_event_bytes:
            what = "a line" if self.scanner.partial_line_bytes else "an event"
            raise _Stop(Ending.LIMIT, f"{what} longer than {size_text(limits.max_event_bytes)}")
        for event in self.parser.feed(data):
            self.add(event, at)

    def add(self, event: Event, at: float) -> None:
        if len(self.events) >= self.max_events:
            raise _Stop(Ending.LIMIT, f"more than {self.max_events} events received")
        self.events.append(TimedEvent(at, event))
        if self.terminal_at is None and self.target.terminal(event):
            self.terminal_at = at

    def wait(self) -> tuple[float, str]:
        """Seconds the next read may take, and what to call it if it times out."""
        now = self.now()
        limits = self.limits
        bounds = [
            (limits.idle_seconds, f"nothing received for {limits.idle_seconds:g} s (idle timeout)"),
            (limits.seconds - now, f"still open after {limits.seconds:g} s (total time limit)"),
        ]
        if self.terminal_at is not None:
            bounds.append(
                (
                    self.terminal_at + self.target.grace - now,
                    f"still open {self.target.grace:g} s after the terminal event",
                )
            )
        return min(bounds)


async def record(session: aiohttp.ClientSession, target: Target, limits: Limits) -> Recording:
    """Send ``target``'s request; record the response to its end or to a limit; never raises
    for anything the server does."""
    given = {name.lower() for name, _ in target.headers}
    sent = (*((n, v) for n, v in BROWSER_HEADERS if n.lower() not in given), *target.headers)
    reader = _Reader(limits, target)
    status: int | None = None
    head: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    ending, detail = Ending.EOF, ""
    response: aiohttp.ClientResponse | None = None
    try:
        wait, why = reader.wait()
        try:
            async with asyncio.timeout(wait):
                response = await session.request(
                    target.method,
                    target.url,
                    headers=list(sent),
                    data=target.body,
                    allow_redirects=True,
                    max_redirects=limits.max_redirects,
                )
        except TimeoutError:
            raise _Stop(Ending.TIMEOUT, f"no response head: {why}") from None
        status = response.status
        head = tuple(response.headers.items())
        head_at = reader.now()
        reader.opened()
        while True:
            wait, why = reader.wait()
            if wait <= 0:
                raise _Stop(Ending.TIMEOUT, why)
            try:
                async with asyncio.timeout(wait):
                    data = await response.content.readany()
            except TimeoutError:
                raise _Stop(Ending.TIMEOUT, why) from None
            if not data:
                break
            reader.take(data)
            # A server that sends faster than we parse never makes a read wait:
            # give the other recordings (and the clock checks above) their turn.
            await asyncio.sleep(0)
        for event in reader.parser.close():
            reader.add(event, reader.now())
    except _Stop as stop:
        ending, detail = stop.ending, stop.detail
    except aiohttp.TooManyRedirects as exc:
        status = exc.history[-1].status if exc.history else None
        ending, detail = Ending.ERROR, f"redirect loop: more than {limits.max_redirects} redirects"
    except _UNREACHABLE as exc:
        ending, detail = Ending.UNREACHABLE, _describe(exc)
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, OSError) as exc:
        ending, detail = Ending.RESET, _describe(exc)
    except aiohttp.ClientError as exc:
        ending = Ending.ERROR if status is None else Ending.RESET
        detail = _describe(exc)
    finally:
        if response is not None:
            response.close()
    ended_at = reader.now()
    return Recording(
        url=target.url,
        method=target.method,
        request_headers=sent,
        status=status,
        headers=head,
        head_at=head_at,
        events=tuple(reader.events),
        ending=ending,
        detail=detail,
        ended_at=ended_at,
        framing=reader.scanner.close(ended_at, eof=ending is Ending.EOF),
    )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


class ProbeError(Exception):
    """Recording one request failed in a way that is no fault of the server (a bug, a bad value)."""


def main_target(url: str, contract: Contract, options: Options) -> Target:
    """The contract's request against ``url``, with ``${NAME}`` read from the environment.

    An extra header (``-H``) replaces the contract's header of the same name.
    """
    classifier = Classifier(contract)
    extra = {name.lower() for name, _ in options.headers}
    own = [(n, v) for n, v in contract.request.resolved_headers() if n.lower() not in extra]
    return Target(
        url=urljoin(url, contract.request.url) if contract.request.url else url,
        method=contract.request.method,
        headers=(*own, *options.headers),
        body=contract.request.body,
        terminal=lambda event: is_terminal(contract, classifier, event),
        grace=contract.end.grace,
    )


def probe_target(main: Target, planned: Planned, max_events: int) -> Target:
    """The main request with a position to resume from, as the header or the query parameter."""
    # A resumed stream is parsed as a browser that had reached X parses it: an event that
    # sets no id of its own still carries X. Malformed values are never a browser's state.
    inherited = planned.value if planned.purpose == "resume" else ""
    if planned.query is not None:
        url = str(URL(main.url).update_query({planned.query: planned.value}))
        return replace(main, url=url, max_events=max_events, last_event_id=inherited)
    headers = (*main.headers, ("Last-Event-ID", planned.value))
    return replace(main, headers=headers, max_events=max_events, last_event_id=inherited)


async def record_all(url: str, contract: Contract, options: Options) -> Recordings:
    """Record the main stream and every probe, at most ``options.concurrency`` at a time.

    When the contract lists every event's id, the probes are known before anything is
    recorded and run beside the main stream; otherwise they follow it, resuming from
    the ids it recorded.
    """
    target = main_target(url, contract, options)
    gate = asyncio.Semaphore(options.concurrency)
    connector = aiohttp.TCPConnector(limit=options.concurrency, force_close=True)
    async with aiohttp.ClientSession(
        connector=connector,
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    ) as session:

        async def one(what: Target, label: str) -> Recording:
            async with gate:
                try:
                    return await record(session, what, contract.limits)
                except (
                    Exception
                ) as exc:  # a bug or a value aiohttp refuses, never the server's doing
                    raise ProbeError(f"{label}: {type(exc).__name__}: {_describe(exc)}") from exc

        def probe(group: asyncio.TaskGroup, p: Planned, cap: int) -> asyncio.Task[Recording]:
            label = f"probe {p.purpose} {p.value[:40]!r}"
            return group.create_task(one(probe_target(target, p, cap), label))

        classifier = Classifier(contract)
        ahead = expected_events(contract)
        if ahead is not None:
            planned = plan(contract, ahead, terminal_index(contract, classifier, ahead))
            async with asyncio.TaskGroup() as group:
                first = group.create_task(one(target, "the main stream"))
                tasks = [probe(group, p, len(ahead) + 1) for p in planned]
            main = first.result()
        else:
            main = await one(target, "the main stream")
            events = main.event_list()
            planned = plan(contract, events, terminal_index(contract, classifier, events))
            async with asyncio.TaskGroup() as group:
                tasks = [probe(group, p, len(events) + 1) for p in planned]
    return Recordings(
        main=main,
        probes=tuple(
            Probe(p.purpose, p.value, task.result(), p.query)
            for p, task in zip(planned, tasks, strict=True)
        ),
    )
