"""The fuzzer's verdict: ``resume`` judged again by drawn plans of drops and reconnections.

The suite's main recording, up to its terminal event, is the reference. Each plan must
hold: the events of all its connections, in order, are the reference's (type, data,
id), none twice, none missing; then the terminal id gets what ``[resume] after_end``
says. A failing plan, shrunk, becomes the ``resume`` rule's first violation, with the
plan in words, the requests to replay it by hand, and the seed.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from contract.classify import terminal_index
from contract.pipeline import Pass
from contract.rules.result import RuleResult, Verdict
from contract.run.options import Options
from contract.run.recording import Recording
from contract.run.target import main_target
from contract.spec.model import Contract
from contract.wire.event import Event

from .runner import RULE
from .search import Search, search_live
from .words import curl, describe


async def fuzz_resume(url: str, done: Pass, options: Options) -> tuple[RuleResult, ...]:
    """The pass's results with ``resume`` judged again by ``options.fuzz_resume`` plans."""
    contract, results, recordings = done.contract, done.results, done.recordings
    assert recordings is not None
    index = next(i for i, result in enumerate(results) if result.rule == RULE)
    result = results[index]
    reference, reason = _reference(done, recordings.main, result)
    if reason:
        merged = replace(result, summary=f"{result.summary}; not fuzzed: {reason}")
    else:
        at = options.seed if options.seed is not None else secrets.randbelow(2**32)
        found = await search_live(
            main_target(url, contract, options, done.classifier),
            contract,
            recordings.main,
            reference,
            runs=options.fuzz_resume,
            at=at,
        )
        merged = _merged(result, found, contract)
    return (*results[:index], merged, *results[index + 1 :])


def _reference(done: Pass, main: Recording, result: RuleResult) -> tuple[list[Event], str]:
    """The events every plan must get, or why there are none to fuzz against."""
    contract = done.contract
    if result.verdict is Verdict.NOT_SUPPORTED:
        return [], "positions are ignored"
    if main.status != contract.response.status:
        return [], f"the first recording's status is {main.status}"
    events = main.event_list()
    terminal = terminal_index(contract, done.classifier, events)
    if terminal is None:
        return [], "the first recording has no terminal event"
    if not any(event.last_event_id for event in events[: terminal + 1]):
        return [], "no event has an id"
    return events[: terminal + 1], ""


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
