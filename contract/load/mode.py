"""``run_load``: N clients judged by the core rules, the extensions probed once beside them.

The probes are a pass of the pipeline as a run without ``--clients`` makes it
(``pipeline.run_pass``: its main stream and its probes), started with the first clients;
its extensions' results join the core rules' results over every client. A load that
cannot run (nothing listening, too few open files, a request that cannot be sent) is a
report with ``error`` set (exit status 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import contract.run.recorder  # noqa: F401 (aiohttp imported before the clock starts, not by the probes)
from contract.pipeline import run_pass
from contract.report.model import Report
from contract.run.options import Options
from contract.run.target import main_target, raw_request
from contract.spec.errors import ContractError
from contract.spec.model import Contract

from .openfiles import open_files_problem
from .outcome import ClientOutcome
from .runner import LoadPlan, run_clients
from .summary import Cpu, LoadSummary, core_results, summarize
from .workers import WorkerError, Workers

LEAD = 0.05
"""Seconds between telling the workers when to start and the start."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    """A load run: the report (its ``rules`` over every client), the summary, each client."""

    report: Report
    summary: LoadSummary | None = None
    outcomes: tuple[ClientOutcome, ...] = ()


def _failed(url: str, contract: Contract, error: str, started: float) -> LoadReport:
    elapsed = time.monotonic() - started
    return LoadReport(Report(url, error=error, elapsed=elapsed, contract=contract.name))


async def run_load(url: str, contract: Contract, options: Options, plan: LoadPlan) -> LoadReport:
    """Run ``plan.clients`` clients against ``url`` and judge each; never raises for
    anything the server does."""
    started = time.monotonic()
    try:
        raw_request(main_target(url, contract, options))
    except (ContractError, ValueError) as exc:
        return _failed(url, contract, str(exc), started)
    problem = open_files_problem(plan.clients + 32, plan.workers)
    if problem:
        return _failed(url, contract, problem, started)
    cpu = time.process_time()
    workers_cpu: list[float] = []
    if plan.workers == 1:
        began = time.monotonic()
        probes = asyncio.create_task(run_pass(url, contract, options))
        outcomes = await run_clients(
            url, contract, options, plan, range(1, plan.clients + 1), began=began
        )
    else:
        pool = Workers(url, contract, options, plan)
        try:
            await pool.ready()
            began = time.monotonic() + LEAD
            probes = asyncio.create_task(run_pass(url, contract, options))
            try:
                outcomes, workers_cpu = await pool.run(began)
            except BaseException:
                probes.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await probes
                raise
        except WorkerError as exc:
            return _failed(url, contract, str(exc), started)
        finally:
            pool.close()
    done = await probes
    wall = time.monotonic() - began
    if done.error:
        return _failed(url, contract, done.error, started)
    summary = summarize(
        outcomes,
        Cpu((time.process_time() - cpu, *workers_cpu), wall),
        ramp=plan.ramp,
        workers=plan.workers,
    )
    if summary.errors.get("refused", 0) + summary.errors.get("unreachable", 0) == plan.clients:
        return _failed(url, contract, "no client could connect", started)
    extensions = tuple(result for result in done.results if result.extension)
    report = Report(
        url,
        core_results(outcomes) + extensions,
        elapsed=time.monotonic() - started,
        contract=contract.name,
    )
    ordered = tuple(sorted(outcomes, key=lambda o: o.number))
    return LoadReport(report, summary, ordered)
