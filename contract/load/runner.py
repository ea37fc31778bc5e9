"""N clients in one process: each started at its time on the ramp, recorded by its own
connection, judged as it ends with the one classifier they share; nothing else kept."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from contract.classify import Classifier
from contract.run.options import Options
from contract.run.target import main_target
from contract.spec.model import Contract

from .client import Request, record_lean
from .outcome import ClientOutcome, Judge


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """How many clients, how they start, and over how many processes."""

    clients: int
    ramp: float = 0.0
    """Seconds over which the starts are spread evenly (0: all at once)."""
    workers: int = 1

    def __post_init__(self) -> None:
        if self.clients < 1:
            raise ValueError(f"clients must be at least 1, got {self.clients}")
        if self.ramp < 0:
            raise ValueError(f"ramp must be 0 or more, got {self.ramp}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    def start_of(self, number: int) -> float:
        """Seconds after the load begins that client ``number`` (1 to N) sends its request."""
        return (number - 1) * self.ramp / self.clients

    def numbers(self, worker: int) -> range:
        """The clients worker ``worker`` (0 to K-1) runs: every K-th, so each spans the ramp."""
        return range(worker + 1, self.clients + 1, self.workers)


COLLECT_EVERY = 20_000
"""Allocations between two young-generation garbage collections while clients run (700 by
default): what N recordings allocate is freed by reference counting, and each collection
walks every live recording; at the default, collections cost a fifth of the client's CPU."""


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while the clients run; what exists before is frozen out
    of the collector's walks (``gc.freeze``). Both as they were afterwards."""
    before = gc.get_threshold()
    gc.freeze()  # no collection first: a full one costs more than a thousand streams' worth
    gc.set_threshold(COLLECT_EVERY, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


async def run_clients(
    url: str,
    contract: Contract,
    options: Options,
    plan: LoadPlan,
    numbers: Sequence[int],
    *,
    began: float,
) -> list[ClientOutcome]:
    """Run clients ``numbers`` of ``plan``; ``began``: the load's start, on ``time.monotonic``
    (one clock for every process of this machine)."""
    classifier = Classifier(contract)
    target = main_target(url, contract, options, classifier)
    if contract.exact:
        # Exact mode compares events, never kinds: no event need be classified.
        target = replace(target, classify=None)
    request = Request.of(target)
    judge = Judge(contract, classifier)
    limits = contract.limits

    async def one(number: int) -> ClientOutcome:
        delay = began + plan.start_of(number) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        started = time.monotonic() - began
        recording, connected = await record_lean(request, limits)
        return judge(recording, number, started, connected_at=connected)

    with fewer_collections():
        return list(await asyncio.gather(*(one(number) for number in numbers)))
