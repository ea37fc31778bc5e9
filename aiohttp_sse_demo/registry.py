"""The open streams of one app: admission, reaping those whose client left, ending them all."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from types import TracebackType

from aiohttp import web

log = logging.getLogger(__name__)


KINDS = ("stream", "job")
"""The kinds of stream: ``/stream`` runs, and viewers of jobs (``/jobs/{id}/events``)."""


class StreamRegistry:
    """Tracks the handler task of every open event stream, and counts them for ``/metrics``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._streams: dict[asyncio.Task[object], web.BaseRequest] = {}
        self.open = dict.fromkeys(KINDS, 0)
        """Streams open now, by kind."""
        self.started = dict.fromkeys(KINDS, 0)
        self.ended: Counter[tuple[str, str]] = Counter()
        """Streams ended, by kind and why (``complete``, ``client_left``, ``stalled``, ...)."""
        self.sent = {kind: Tally() for kind in KINDS}
        """Events written, by kind (added to once per write: an attribute, no call)."""
        self._stopped = False
        self._drained: asyncio.Future[None] | None = None
        self._sleepers: set[asyncio.Future[bool]] = set()

    def __len__(self) -> int:
        return len(self._streams)

    @property
    def full(self) -> bool:
        """True when another stream would exceed the limit."""
        return len(self._streams) >= self.limit

    @property
    def stopping(self) -> bool:
        """True once ``stop_all`` has begun."""
        return self._stopped

    def track(self, request: web.BaseRequest, kind: str = "stream") -> Tracked:
        """Count the current task as an open stream for as long as the ``with`` block runs.

        The block's value is the tracked stream: a handler sets its ``why`` when it knows
        why the stream ended (an exception leaving the block says so by itself).
        """
        task = asyncio.current_task()
        assert task is not None
        return Tracked(self, task, request, kind)

    def _release(self, task: asyncio.Task[object]) -> None:
        del self._streams[task]
        if not self._streams and self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    async def pause(self, seconds: float) -> bool:
        """Do ``seconds`` of simulated work; False when the server began stopping (then at once).

        One future and one timer per pause: ``asyncio.wait`` on a shared future would
        also build a set, a closure and a callback whose removal scans every stream's.
        """
        if self._stopped:
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        handle = loop.call_later(seconds, _wake, waiter, True)
        self._sleepers.add(waiter)
        try:
            return await waiter
        finally:
            handle.cancel()
            self._sleepers.discard(waiter)

    def reap(self) -> int:
        """Cancel streams whose client has gone; return how many.

        ``web.run_app`` does not cancel handlers when a client disconnects (the
        test server does), so a sleeping stream would only notice at its next write.
        """
        gone = [task for task, request in self._streams.items() if request.transport is None]
        for task in gone:
            task.cancel()
        return len(gone)

    async def run_reaper(self, period: float) -> None:
        """Reap every ``period`` seconds until cancelled."""
        while True:
            await asyncio.sleep(period)
            if reaped := self.reap():
                log.debug("stopped %d stream(s) whose client went away", reaped)

    async def stop_all(self, grace: float) -> None:
        """End every open stream: ask each to finish, cancel those still open after ``grace``."""
        self._stopped = True
        for waiter in self._sleepers:
            _wake(waiter, False)
        if not self._streams:
            return
        log.info("ending %d open stream(s)", len(self._streams))
        self._drained = asyncio.get_running_loop().create_future()
        # A handler task serves its whole connection, so wait for the streams to be
        # released, not for the tasks to finish.
        await asyncio.wait((self._drained,), timeout=grace)
        for task in self._streams:
            task.cancel()
        await asyncio.wait((self._drained,), timeout=grace)


class Tally:
    """A count that the hot path adds to in place."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Tracked:
    """The ``with`` block of ``StreamRegistry.track``: a slotted object, not a generator."""

    __slots__ = ("_registry", "_request", "_task", "kind", "sent", "why")

    def __init__(
        self,
        registry: StreamRegistry,
        task: asyncio.Task[object],
        request: web.BaseRequest,
        kind: str,
    ) -> None:
        self._registry = registry
        self._task = task
        self._request = request
        self.kind = kind
        self.sent = registry.sent[kind]
        """Add the events written to ``sent.count``."""
        self.why = "complete"
        """Why the stream ended, for ``/metrics``; the handler sets it."""

    def lost(self, error: ConnectionResetError | TimeoutError, send_timeout: float) -> None:
        """Why a stream's writes failed, noted and logged: its client left
        (``ConnectionResetError``), or read nothing for ``send_timeout`` s and was dropped."""
        if isinstance(error, ConnectionResetError):
            self.why = "client_left"
            log.debug("client went away mid-stream")
        else:
            self.why = "stalled"
            log.info("dropped a client that read nothing for %s s", send_timeout)

    def __enter__(self) -> Tracked:
        registry = self._registry
        registry._streams[self._task] = self._request
        registry.open[self.kind] += 1
        registry.started[self.kind] += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        registry = self._registry
        if exc_type is not None:
            if issubclass(exc_type, asyncio.CancelledError):
                self.why = "shutdown" if registry.stopping else "client_left"
            elif issubclass(exc_type, ConnectionError):
                self.why = "client_left"
            else:
                self.why = "error"
        registry.open[self.kind] -= 1
        registry.ended[self.kind, self.why] += 1
        registry._release(self._task)


def _wake(waiter: asyncio.Future[bool], value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)
