"""What the suite records for a contract: the main request, and the probes that resume.

The probes are planned from the contract (``_probes.py``) and sent beside the main
stream when every id is known in advance, else after it; each keeps no more events than
its comparison needs (``probe_caps``), so a flood on every probe stays within the limits
of one recording. Each response is recorded by ``_client.record``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urljoin

import aiohttp
from yarl import URL

from ._client import Target, describe, record
from ._contract import Contract, Limits
from ._kinds import Classifier, is_terminal, terminal_index
from ._models import Ending, Event, Options, Probe, Recording, Recordings
from ._probes import Planned, expected_events, plan


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


def probe_target(main: Target, planned: Planned, caps: tuple[int, int]) -> Target:
    """The main request with a position to resume from, as the header or the query parameter;
    ``caps``: the events and characters of events it keeps at most."""
    max_events, max_kept = caps
    # A resumed stream is parsed as a browser that had reached X parses it: an event that
    # sets no id of its own still carries X. Malformed values are never a browser's state.
    inherited = planned.value if planned.purpose == "resume" else ""
    kept = replace(main, max_events=max_events, max_kept=max_kept, last_event_id=inherited)
    if planned.query is not None:
        return replace(kept, url=str(URL(main.url).update_query({planned.query: planned.value})))
    return replace(kept, headers=(*main.headers, ("Last-Event-ID", planned.value)))


ONE_MORE = 4096
"""Characters of events a probe keeps past its reference at least: room for an extra event."""


def _chars(event: Event) -> int:
    return len(event.type) + len(event.data) + len(event.last_event_id)


def probe_caps(
    reference: Sequence[Event], limits: Limits, shared_by: int | None = None
) -> tuple[int, int]:
    """The events and characters of events a probe keeps: what it is compared with and one
    event more (as large as the largest there, or ``ONE_MORE``), so the first extra one
    shows; with ``shared_by``, at most that share of one recording's limits, so that the
    probes of a flood together keep no more than one recording may."""
    sizes = [_chars(event) for event in reference]
    events, chars = len(reference) + 1, sum(sizes) + max([ONE_MORE, *sizes])
    if shared_by:
        events = min(events, max(1, limits.max_events // shared_by))
        chars = min(chars, max(ONE_MORE, limits.max_bytes // shared_by))
    return events, chars


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
                except Exception as exc:  # a bug or a value aiohttp refuses, not the server
                    raise ProbeError(f"{label}: {type(exc).__name__}: {describe(exc)}") from exc

        def probe(
            group: asyncio.TaskGroup, p: Planned, caps: tuple[int, int]
        ) -> asyncio.Task[Recording]:
            label = f"probe {p.purpose} {p.value[:40]!r}"
            return group.create_task(one(probe_target(target, p, caps), label))

        classifier = Classifier(contract)
        ahead = expected_events(contract)
        if ahead is not None:
            planned = plan(contract, ahead, terminal_index(contract, classifier, ahead))
            async with asyncio.TaskGroup() as group:
                first = group.create_task(one(target, "the main stream"))
                caps = probe_caps(ahead, contract.limits)
                tasks = [probe(group, p, caps) for p in planned]
            main = first.result()
        else:
            main = await one(target, "the main stream")
            events = main.event_list()
            planned = plan(contract, events, terminal_index(contract, classifier, events))
            # Compared as far as both go (a stream that never ends), or against a reference
            # a limit cut short (a flood): the probes need not keep more than the main may.
            prefix = contract.end.never or main.ending is Ending.LIMIT
            caps = probe_caps(events, contract.limits, len(planned) if prefix else None)
            async with asyncio.TaskGroup() as group:
                tasks = [probe(group, p, caps) for p in planned]
    return Recordings(
        main=main,
        probes=tuple(
            Probe(p.purpose, p.value, task.result(), p.query)
            for p, task in zip(planned, tasks, strict=True)
        ),
    )
