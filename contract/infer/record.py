"""The network side of ``infer``: the samples and the probes, recorded by the suite's client
(``contract/run/``) within the contract's limits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from contract.run.client import describe, open_session, record
from contract.run.options import Options
from contract.run.plan import Planned, probe_caps
from contract.run.recording import Ending, Probe, Recording
from contract.run.target import Target, main_target, probe_target
from contract.spec.model import Contract
from contract.wire.event import Event

from .errors import InferError


async def _record_all(
    targets: Sequence[Target], contract: Contract, options: Options
) -> list[Recording]:
    gate = asyncio.Semaphore(options.concurrency)
    async with open_session(options.concurrency) as session:

        async def one(target: Target) -> Recording:
            async with gate:
                try:
                    return await record(session, target, contract.limits)
                except Exception as exc:  # a value aiohttp refuses, not the server's doing
                    raise InferError(
                        f"cannot record: {type(exc).__name__}: {describe(exc)}"
                    ) from exc

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(target)) for target in targets]
    return [task.result() for task in tasks]


async def record_samples(
    url: str, contract: Contract, count: int, options: Options
) -> list[Recording]:
    """``count`` recordings of ``contract``'s request (no kinds kept: the draft's kinds are
    inferred from them). Each starts once the one before has its first event (or has
    ended): a stream that starts "now" then shows a different start in each sample, while
    the samples still overlap in time."""
    base = replace(main_target(url, contract, options), classify=None)
    gate = asyncio.Semaphore(options.concurrency)
    async with open_session(options.concurrency) as session:

        async def one(started: asyncio.Event) -> Recording:
            def seen(event: Event) -> bool:
                started.set()
                return False

            try:
                async with gate:
                    return await record(session, replace(base, terminal=seen), contract.limits)
            except Exception as exc:  # a value aiohttp refuses, not the server's doing
                raise InferError(f"cannot record: {type(exc).__name__}: {describe(exc)}") from exc
            finally:
                started.set()

        tasks: list[asyncio.Task[Recording]] = []
        try:
            for _ in range(count):
                started = asyncio.Event()
                tasks.append(asyncio.create_task(one(started)))
                await started.wait()
            return [await task for task in tasks]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def record_probes(
    url: str, contract: Contract, main: Recording, planned: Sequence[Planned], options: Options
) -> list[Probe]:
    """Each planned position sent with ``contract``'s request, kept as far as the comparison
    with ``main`` needs (a share of one recording's limits when ``main`` was cut short)."""
    target = main_target(url, contract, options)
    cut = main.ending in (Ending.TIMEOUT, Ending.LIMIT)
    caps = probe_caps(main.event_list(), contract.limits, len(planned) if cut else None)
    targets = [probe_target(target, p, caps) for p in planned]
    try:
        recordings = await _record_all(targets, contract, options)
    except* InferError as group:
        raise group.exceptions[0] from None
    return [
        Probe(p.purpose, p.value, recording, p.query)
        for p, recording in zip(planned, recordings, strict=True)
    ]
