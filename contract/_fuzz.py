"""Hypothesis finds resume bugs on a live server: drawn plans of drops and reconnections.

The suite's main recording, up to its terminal event, is the reference. Hypothesis
draws plans (``_plans.py``); each is run against the server through the suite's
client, within the contract's limits, and must hold: the events of all its
connections, in order, are the reference's (type, data, id), none twice, none
missing; then the terminal id gets what ``[resume] after_end`` says. A failing plan
is shrunk, and becomes the ``resume`` rule's first violation, with the plan in words,
the requests to replay it by hand, and the seed. A plan that fails because a limit ended
one of its connections (a flood, a response that never ends) ends the search as it is:
shrinking it would wait for a limit again on every try.

Hypothesis's test function is synchronous, so the search runs in a worker thread and
hands each plan to the caller's event loop, where the connections run one by one.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError as FutureCancelled
from dataclasses import dataclass, replace

import aiohttp
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from ._client import Target
from ._contract import Contract
from ._kinds import Classifier, terminal_index
from ._models import Ending, Event, Options, Recording, Recordings, RuleResult, Verdict
from ._plans import Plan, Run, curl, describe, plans
from ._recorder import ProbeError, main_target
from ._runner import RULE, Runner


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


async def fuzz_resume(
    url: str,
    contract: Contract,
    options: Options,
    recordings: Recordings,
    results: tuple[RuleResult, ...],
) -> tuple[RuleResult, ...]:
    """``results`` with the ``resume`` result judged again by ``options.fuzz_resume`` plans."""
    index = next(i for i, result in enumerate(results) if result.rule == RULE)
    result = results[index]
    reference, reason = _reference(contract, recordings.main, result)
    if reason:
        merged = replace(result, summary=f"{result.summary}; not fuzzed: {reason}")
    else:
        at = options.seed if options.seed is not None else secrets.randbelow(2**32)
        found = await _search_live(
            main_target(url, contract, options),
            contract,
            recordings.main,
            reference,
            runs=options.fuzz_resume,
            at=at,
        )
        merged = _merged(result, found, contract)
    return (*results[:index], merged, *results[index + 1 :])


def _reference(contract: Contract, main: Recording, result: RuleResult) -> tuple[list[Event], str]:
    """The events every plan must get, or why there are none to fuzz against."""
    if result.verdict is Verdict.NOT_SUPPORTED:
        return [], "positions are ignored"
    if main.status != contract.response.status:
        return [], f"the first recording's status is {main.status}"
    events = main.event_list()
    terminal = terminal_index(contract, Classifier(contract), events)
    if terminal is None:
        return [], "the first recording has no terminal event"
    if not any(event.last_event_id for event in events[: terminal + 1]):
        return [], "no event has an id"
    return events[: terminal + 1], ""


async def _search_live(
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
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1, force_close=True),
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    ) as session:
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
            raise ProbeError(f"the resume fuzzer: {type(error).__name__}: {error}") from error
        finally:
            stopped.set()


def _merged(result: RuleResult, found: Search, contract: Contract) -> RuleResult:
    """The ``resume`` result with the search's verdict: BROKEN with the shrunk plan on a failure."""
    rerun = f"seed {found.seed}: rerun with --fuzz-resume {found.runs} --seed {found.seed}"
    failure = found.failure
    if failure is None or failure.violation is None:
        summary = (
            f"{result.summary}; fuzzed: {found.plans} plans of drops and reconnections "
            f"({found.requests} requests, {found.elapsed:.1f} s, seed {found.seed}): "
            "each event once, in order"
        )
        return replace(result, summary=summary)
    assert contract.resume is not None
    violation = failure.violation
    shrinking = found.elapsed - found.found_after
    more = found.plans - (found.found_at or 0)
    flaky = "; flaky: it passed when replayed" if found.flaky else ""
    if found.at_limit:
        heading = (
            f"plan {found.found_at} of {found.runs} failed after {found.found_after:.1f} s, "
            "at a limit: not shrunk (each try would wait for a limit again):"
        )
    else:
        heading = (
            f"shrunk plan (plan {found.found_at} of {found.runs} failed after "
            f"{found.found_after:.1f} s; shrunk in {shrinking:.1f} s over {more} more plans"
            f"{flaky}):"
        )
    lines = [
        heading,
        *(
            f"  {line}"
            for line in describe(failure, contract.resume.query, contract.response.status)
        ),
        "replay by hand:",
        *(f"  {curl(step)}" for step in failure.steps),
        rerun,
    ]
    return replace(
        result,
        verdict=Verdict.BROKEN,
        summary=f"fuzzed: {violation}",
        violations=(violation, *result.violations),
        details=tuple(lines),
    )
