"""The search: Hypothesis draws plans (``plans.py``), a ``Runner`` runs each on the server.

A failing plan is shrunk to the simplest. A plan that fails because a limit ended one
of its connections (a flood, a response that never ends) ends the search as it is:
shrinking it would wait for a limit again on every try. Hypothesis's test function is
synchronous, so the search runs in a worker thread and hands each plan to the caller's
event loop, where the connections run one by one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError as FutureCancelled
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from contract.run.client import open_session
from contract.run.recorder import ProbeError
from contract.run.recording import Ending, Recording
from contract.run.target import Target
from contract.spec.errors import ContractError
from contract.spec.model import Contract
from contract.wire.event import Event

from .plans import Plan, plans
from .runner import Runner
from .steps import Run


class _Failed(Exception):
    def __init__(self, run: Run) -> None:
        super().__init__(str(run.violation))
        self.run = run


class _AtLimit(BaseException):
    """End the search at once with this failure: a limit ended its last connection."""

    def __init__(self, run: Run) -> None:
        super().__init__(str(run.violation))
        self.run = run


class _Abort(BaseException):
    """End the search at once, not as a failure: the caller went away, or the fuzzer broke."""

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__(str(error or "cancelled"))
        self.error = error


@dataclass(slots=True)
class Search:
    """How a search went: plans run, when the first failure came, and the shrunk one."""

    seed: int
    runs: int
    plans: int = 0
    requests: int = 0
    found_at: int | None = None
    """The number of the first plan that failed."""
    found_after: float = 0.0
    elapsed: float = 0.0
    failure: Run | None = None
    flaky: bool = False
    """The shrunk plan passed when Hypothesis replayed it: the failure shown is the last seen."""
    at_limit: bool = False
    """The failure came at a limit, and the search stopped there without shrinking it."""


def _at_limit(run: Run) -> bool:
    """Whether the step a run failed on was ended by a limit (size, count or time)."""
    recording = run.steps[-1].recording if run.steps else None
    return recording is not None and recording.ending in (Ending.LIMIT, Ending.TIMEOUT)


def search(
    strategy: st.SearchStrategy[Plan], run: Callable[[Plan], Run], runs: int, at: int
) -> Search:
    """Draw up to ``runs`` plans with seed ``at``; shrink the first failure to the simplest."""
    found = Search(at, runs)
    started = time.monotonic()

    @settings(
        parent=settings.get_profile("default"),
        max_examples=runs,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @seed(at)
    @given(strategy)
    def holds(plan: Plan) -> None:
        found.plans += 1
        outcome = run(plan)
        found.requests += len(outcome.steps)
        if outcome.violation is not None:
            if found.found_at is None:
                found.found_at, found.found_after = found.plans, time.monotonic() - started
            found.failure = outcome
            if _at_limit(outcome):
                raise _AtLimit(outcome)
            raise _Failed(outcome)

    try:
        holds()
    except _Failed as exc:
        found.failure = exc.run
    except _AtLimit as exc:
        found.failure, found.at_limit = exc.run, True
    except Flaky:
        found.flaky = True
    found.elapsed = time.monotonic() - started
    return found


async def search_live(
    main: Target,
    contract: Contract,
    first: Recording,
    reference: list[Event],
    *,
    runs: int,
    at: int,
) -> Search:
    loop = asyncio.get_running_loop()
    stopped = threading.Event()
    resume = contract.resume
    assert resume is not None
    per_event = first.framing.total_bytes // max(len(first.events), 1)
    strategy = plans(len(reference), per_event, resume.query is not None)
    async with open_session(1) as session:
        runner = Runner(session, contract, main, reference)

        def run(plan: Plan) -> Run:
            if stopped.is_set():
                raise _Abort
            try:
                return asyncio.run_coroutine_threadsafe(runner.run(plan), loop).result()
            except FutureCancelled:
                raise _Abort from None
            except Exception as exc:
                # A bug, or a value the client refuses: never the server's doing.
                raise _Abort(exc) from exc

        try:
            return await asyncio.to_thread(search, strategy, run, runs, at)
        except _Abort as exc:
            if exc.error is None:
                raise asyncio.CancelledError from None
            error = exc.error
            if isinstance(error, ContractError):  # a redirect the secrets may not follow
                raise error from None
            raise ProbeError(f"the resume fuzzer: {type(error).__name__}: {error}") from error
        finally:
            stopped.set()
