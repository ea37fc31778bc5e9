"""What the suite records for a contract: the main request, and the probes that resume.

The probes are planned from the contract (``plan.py``) and sent beside the main
stream when every id is known in advance, else after it; each keeps no more events than
its comparison needs (``probe_caps``), so a flood on every probe stays within the limits
of one recording. Each response is recorded by ``client.record``; the main stream's
events are classified as they arrive, by the run's one classifier.
"""

from __future__ import annotations

import asyncio

from contract.classify import Classifier, terminal_index
from contract.spec.errors import ContractError
from contract.spec.model import Contract

from .client import describe, open_session, record
from .options import Options
from .plan import Planned, expected_events, plan, probe_caps
from .recording import Ending, Probe, Recording, Recordings
from .target import Target, main_target, probe_target


class ProbeError(Exception):
    """Recording one request failed in a way that is no fault of the server (a bug, a bad value)."""


async def record_all(
    url: str, contract: Contract, options: Options, classifier: Classifier | None = None
) -> Recordings:
    """Record the main stream and every probe, at most ``options.concurrency`` at a time.

    When the contract lists every event's id, the probes are known before anything is
    recorded and run beside the main stream; otherwise they follow it, resuming from
    the ids it recorded. ``classifier``: the run's (a new one when none is given).
    """
    classifier = Classifier(contract) if classifier is None else classifier
    target = main_target(url, contract, options, classifier)
    gate = asyncio.Semaphore(options.concurrency)
    async with open_session(options.concurrency) as session:

        async def one(what: Target, label: str) -> Recording:
            async with gate:
                try:
                    return await record(session, what, contract.limits)
                except ContractError:  # a redirect the secrets may not follow: the user's call
                    raise
                except Exception as exc:  # a bug or a value aiohttp refuses, not the server
                    raise ProbeError(f"{label}: {type(exc).__name__}: {describe(exc)}") from exc

        def probe(
            group: asyncio.TaskGroup, p: Planned, caps: tuple[int, int]
        ) -> asyncio.Task[Recording]:
            label = f"probe {p.purpose} {p.value[:40]!r}"
            return group.create_task(one(probe_target(target, p, caps), label))

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
