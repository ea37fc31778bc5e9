"""The soundness property, run in worker processes: for a contract and a seed, the suite passes
the mock (every core rule PASS, every extension the contract describes SUPPORTED), and each
``--break RULE`` fails that rule (FAIL or BROKEN) and no other.

What a rule has to judge is read here from the contract, apart from ``contract/mock/breaks.py``,
so that a mock that refused a break it could make would show.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context

from contract import Contract, Options, Report, Verdict, format_text, run_suite
from contract.mock.breaks import RULES
from contract.mock.errors import MockError
from contract.mock.kinds import draw_pools
from contract.mock.replies import Mock
from contract.mock.server import create_mock_app
from contract.mock.stream import first_id
from tests.contract.mock.contracts import KEYS, all_contracts, for_tests
from tests.support.serving import serve_app

STAGGER = 0.08
"""Seconds between the starts of two runs: their probes do not all open at once."""
AT_ONCE = 30
"""Suite runs side by side in one worker (each mostly waits on its mock's pauses; more at once
would starve the worker on a busy machine, and slow replies would fail for its sake)."""
WORKERS = 2


def described(contract: Contract) -> set[str]:
    """The extensions the contract describes, so that a sound server supports them."""
    found = set()
    resume = contract.resume
    if resume is not None and contract.ids.scheme != "none":
        found.add("resume")
        if not contract.end.never:
            found.add("done")
    if resume is not None and resume.tolerate:
        found.add("tolerant")
    if contract.keepalive is not None:
        found.add("keepalive")
    return found


def judged(contract: Contract) -> set[str]:
    """The rules that have something to judge on a sound stream of this contract."""
    rules = {"head", "events", "end", "framing", *described(contract)}
    if not contract.exact and any(
        (k.data, k.data_match, k.schema, k.event_schema) != (None, None, None, None)
        for k in contract.kinds
    ):
        rules.add("data")
    if contract.ids.scheme != "any":
        rules.add("ids")
    if contract.incremental is not None or any(e.pause_before for e in contract.events[1:]):
        rules.add("incremental")
    return rules


def tied(contract: Contract) -> set[str]:
    """Rules that have something to judge but cannot fail alone: an exact list that names
    every id makes the events rule compare ids too."""
    if contract.exact and all(e.id is not None for e in contract.events):
        return {"ids"}
    return set()


def _failing(report: Report) -> set[str]:
    return {r.rule for r in report.results if r.verdict in (Verdict.FAIL, Verdict.BROKEN)}


def problems_of(where: str, contract: Contract, rule: str | None, report: Report) -> list[str]:
    """How the report of a mock of ``contract`` (breaking ``rule``) departs from the property."""
    if report.error:
        return [f"{where}: the suite could not run: {report.error}"]
    if rule is not None:
        failing = _failing(report)
        if failing == {rule}:
            return []
        return [f"{where}: failing {sorted(failing)}\n{format_text(report)}"]
    wanted = described(contract)
    found = []
    for result in report.results:
        expected = Verdict.SUPPORTED if result.rule in wanted else Verdict.PASS
        if result.verdict is not expected:
            found.append(f"{where}: {result.rule} {result.verdict.value}, not {expected.value}")
    return [*found, format_text(report)] if found else []


async def _judge(mock: Mock, contract: Contract) -> Report:
    async with serve_app(create_mock_app(mock), handler_cancellation=True) as running:
        return await run_suite(running.url + "/", contract, Options(concurrency=64))


Run = tuple[str, Contract, str | None, Mock]
"""Where (for messages), the contract, the rule broken (or none), and its mock."""


def few_positions(contract: Contract, mock: Mock) -> Contract:
    """``contract`` resuming from four ids of the mock's stream, not every one: the first two,
    one from the middle and the last before the terminal (each is a probe, or two). The
    mock keeps the contract it was made with: the positions are the suite's business."""
    if contract.resume is None or contract.resume.from_ids is not None:
        return contract
    stream = mock.stream
    events = list(stream.events[:-1] if stream.events is not None else islice(stream.iterate(), 8))
    ids = list(dict.fromkeys(e.id for e in events if e.id))
    if not ids:
        return contract
    chosen = tuple(dict.fromkeys([*ids[:2], ids[len(ids) // 2], ids[-1]]))
    return dataclasses.replace(
        contract, resume=dataclasses.replace(contract.resume, from_ids=chosen)
    )


def prepare(
    name: str, seed: int, breaking: bool, every_position: bool = False
) -> tuple[list[Run], list[str]]:
    """The mocks of one contract at one seed (with each break when ``breaking``), and the
    problems already found: a break refused that the contract gives something to judge.
    The suite resumes from a few positions only, unless ``every_position``."""
    contract = for_tests(all_contracts()[name]())
    pools = draw_pools(contract, seed, first_id(contract, seed))
    runs: list[Run] = []
    found: list[str] = []
    for rule in [None, *(RULES if breaking else ())]:
        where = f"{name} seed {seed} " + (f"--break {rule}" if rule else "as drawn")
        try:
            mock = Mock(contract, seed, rule, pools)
            judged_as = contract if every_position else few_positions(contract, mock)
            runs.append((where, judged_as, rule, mock))
        except MockError as exc:
            expected = rule is not None and (rule not in judged(contract) or rule in tied(contract))
            if not expected:
                found.append(f"{where}: refused: {exc}")
    return runs, found


async def _check_all(runs: Sequence[Run]) -> list[str]:
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(index: int, run: Run) -> list[str]:
        await asyncio.sleep(index * STAGGER)
        where, contract, rule, mock = run
        async with gate:
            return problems_of(where, contract, rule, await _judge(mock, contract))

    found = await asyncio.gather(*(one(index, run) for index, run in enumerate(runs)))
    return [problem for problems in found for problem in problems]


def check_in_worker(tasks: Sequence[tuple[str, int, bool, bool]]) -> list[str]:
    """``check`` for each (contract, seed, breaking), side by side; in a worker process."""
    os.environ.update(KEYS)
    # Every stream is drawn first: drawing is the slow part, and would stall running streams.
    runs: list[Run] = []
    found: list[str] = []
    for task in tasks:
        more, problems = prepare(*task)
        runs += more
        found += problems
    return found + asyncio.run(_check_all(runs))


def check_everywhere(
    seeds: Sequence[int], breaking: bool, every_position: bool = False
) -> list[str]:
    """The property for every contract at each seed, spread over worker processes."""
    tasks = [(name, seed, breaking, every_position) for seed in seeds for name in all_contracts()]
    # Feeds are recorded longest: deal them out first so that no worker gets all of them.
    tasks.sort(key=lambda task: not for_tests(all_contracts()[task[0]]()).end.never)
    shares = [tasks[i::WORKERS] for i in range(WORKERS)]
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
        return [problem for found in pool.map(check_in_worker, shares) for problem in found]
