"""The suite's only I/O: open the URL, record each response whole, within limits of size and time.

Every response is read to its end (or to a limit) and kept as a ``Recording``:
status, headers, raw chunks and parsed events, each with its arrival time in
seconds after the request (``time.monotonic``), and how the response ended.
No server can hang the client (total, idle and after-``close`` time limits) or
flood it (line, event and body size limits).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp

from ._extensions import DONE_IDS, TOLERATED_IDS
from ._framing import LineScanner
from ._models import Chunk, Ending, Limits, Options, Recording, Recordings, TimedEvent
from ._parser import EventParser

BROWSER_HEADERS = (("Accept", "text/event-stream"), ("Cache-Control", "no-cache"))
"""Sent on every request, as a browser's EventSource sends them."""

_UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)


class _Reader:
    """One response being read: the chunks, events and limits of a single recording."""

    def __init__(self, limits: Limits, start: float) -> None:
        self.limits = limits
        self.start = start
        self.parser = EventParser()
        self.scanner = LineScanner()
        self.chunks: list[Chunk] = []
        self.events: list[TimedEvent] = []
        self.received = 0
        self.close_at: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.start

    def take(self, data: bytes) -> str:
        """Record one chunk; return why reading must stop at a limit, or ``""``."""
        at = self.now()
        self.received += len(data)
        self.chunks.append(Chunk(at, data))
        self.scanner.feed(data, at)
        if self.received > self.limits.max_bytes:
            return f"body larger than {self.limits.max_bytes} bytes"
        if self.scanner.pending_bytes > self.limits.max_event_bytes:
            what = "a line" if self.scanner.partial_line_bytes else "an event"
            return f"{what} longer than {self.limits.max_event_bytes} bytes"
        for event in self.parser.feed(data):
            self.events.append(TimedEvent(at, event))
            if event.type == "close" and self.close_at is None:
                self.close_at = at
        return ""

    def wait(self) -> tuple[float, str]:
        """Seconds the next read may take, and what to call it if it times out."""
        now = self.now()
        bounds = [
            (self.limits.idle, f"nothing received for {self.limits.idle:g} s (idle timeout)"),
            (
                self.limits.total - now,
                f"still open after {self.limits.total:g} s (total time limit)",
            ),
        ]
        if self.close_at is not None:
            bounds.append(
                (
                    self.close_at + self.limits.close_grace - now,
                    f"still open {self.limits.close_grace:g} s after the close event",
                )
            )
        return min(bounds)


async def record(
    session: aiohttp.ClientSession,
    url: str,
    limits: Limits,
    headers: Sequence[tuple[str, str]] = (),
) -> Recording:
    """GET ``url`` with browser-like and the given ``headers``; record the response to its end."""
    given = {name.lower() for name, _ in headers}
    sent = (*((n, v) for n, v in BROWSER_HEADERS if n.lower() not in given), *headers)
    reader = _Reader(limits, time.monotonic())
    status: int | None = None
    head: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    ending, detail = Ending.EOF, ""
    response: aiohttp.ClientResponse | None = None
    try:
        wait, why = reader.wait()
        try:
            async with asyncio.timeout(wait):
                response = await session.get(
                    url,
                    headers=list(sent),
                    allow_redirects=True,
                    max_redirects=limits.max_redirects,
                )
        except TimeoutError:
            raise _Stop(Ending.TIMEOUT, f"no response head: {why}") from None
        status = response.status
        head = tuple(response.headers.items())
        head_at = reader.now()
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
            if limit := reader.take(data):
                raise _Stop(Ending.LIMIT, limit)
        for event in reader.parser.close():
            reader.events.append(TimedEvent(reader.now(), event))
    except _Stop as stop:
        ending, detail = stop.ending, stop.detail
    except aiohttp.TooManyRedirects as exc:
        last = exc.history[-1].status if exc.history else None
        ending, detail = Ending.ERROR, f"redirect loop: more than {limits.max_redirects} redirects"
        status = last
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
    return Recording(
        url=url,
        request_headers=sent,
        status=status,
        headers=head,
        head_at=head_at,
        chunks=tuple(reader.chunks),
        events=tuple(reader.events),
        ending=ending,
        detail=detail,
        ended_at=reader.now(),
    )


class _Stop(Exception):
    def __init__(self, ending: Ending, detail: str) -> None:
        super().__init__(detail)
        self.ending = ending
        self.detail = detail


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


async def record_all(url: str, options: Options) -> Recordings:
    """Record the main stream and every probe at once, at most ``options.concurrency`` at a time."""
    gate = asyncio.Semaphore(options.concurrency)
    connector = aiohttp.TCPConnector(limit=options.concurrency, force_close=True)
    async with aiohttp.ClientSession(
        connector=connector,
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    ) as session:

        async def one(last_event_id: str | None) -> Recording:
            extra = () if last_event_id is None else (("Last-Event-ID", last_event_id),)
            async with gate:
                return await record(session, url, options.limits, (*options.headers, *extra))

        async with asyncio.TaskGroup() as group:
            main = group.create_task(one(None))
            resume = [(n, group.create_task(one(str(n)))) for n in options.resume_ids]
            done = [(v, group.create_task(one(v))) for v in DONE_IDS]
            tolerant = [(v, group.create_task(one(v))) for v in TOLERATED_IDS]
    return Recordings(
        main=main.result(),
        resume=tuple((n, task.result()) for n, task in resume),
        done=tuple((v, task.result()) for v, task in done),
        tolerant=tuple((v, task.result()) for v, task in tolerant),
    )
