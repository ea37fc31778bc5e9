"""``--workers K``: the clients spread over K processes, their outcomes merged.

Each worker is a fresh interpreter (``spawn``) that gets the contract, the options and
the plan, takes every K-th client (so each spans the whole ramp), says when it is ready,
and starts its clients at the moment the parent names on ``time.monotonic`` (one clock
for every process of the machine). It sends back its outcomes and the CPU it used:
merged, they are what one process would have produced for the same clients.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import cast

from contract.run.options import Options
from contract.spec.model import Contract

from .openfiles import open_files_problem
from .outcome import ClientOutcome
from .runner import LoadPlan, run_clients

STARTUP = 60.0
"""Seconds a worker may take to start (an interpreter, the imports) before the run gives up."""


class WorkerError(Exception):
    """A worker could not run its clients (its open-file limit, a crash)."""


@dataclass(frozen=True, slots=True)
class _Job:
    url: str
    contract: Contract
    options: Options
    plan: LoadPlan


def _work(conn: Connection, job: _Job, index: int) -> None:
    """A worker's life: get ready, wait for the start, run its clients, send the outcomes."""
    url, contract, options, plan = job.url, job.contract, job.options, job.plan
    numbers = plan.numbers(index)
    problem = open_files_problem(len(numbers))
    conn.send(problem or "ready")
    if problem:
        return
    began = conn.recv()
    cpu = time.process_time()
    try:
        outcomes = asyncio.run(run_clients(url, contract, options, plan, numbers, began=began))
    except Exception as exc:  # sent to the parent, which reports it
        conn.send(f"worker {index}: {type(exc).__name__}: {exc}")
        return
    conn.send((outcomes, time.process_time() - cpu))


class Workers:
    """K worker processes, started and ready: ``run`` starts their clients."""

    def __init__(self, url: str, contract: Contract, options: Options, plan: LoadPlan) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.processes = []
        for index in range(plan.workers):
            mine, theirs = spawn.Pipe()
            process = spawn.Process(
                target=_work,
                args=(theirs, _Job(url, contract, options, plan), index),
                name=f"sse-load-{index}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self.conns.append(mine)
            self.processes.append(process)

    async def ready(self) -> None:
        """Wait until every worker is ready; ``WorkerError`` when one cannot run."""
        answers = await asyncio.to_thread(self._receive_all, STARTUP)
        problems = [answer for answer in answers if answer != "ready"]
        if problems:
            raise WorkerError(str(problems[0]))

    async def run(self, began: float) -> tuple[list[ClientOutcome], list[float]]:
        """Start every worker's clients at ``began``; their outcomes and each one's CPU."""
        for conn in self.conns:
            conn.send(began)
        answers = await asyncio.to_thread(self._receive_all, None)
        outcomes: list[ClientOutcome] = []
        cpu: list[float] = []
        for answer in answers:
            if isinstance(answer, str):
                raise WorkerError(answer)
            theirs, used = cast(tuple[list[ClientOutcome], float], answer)
            outcomes += theirs
            cpu.append(used)
        return outcomes, cpu

    def _receive_all(self, timeout: float | None) -> list[object]:
        answers: dict[int, object] = {}
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(answers) < len(self.conns):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            waiting = [c for i, c in enumerate(self.conns) if i not in answers]
            ready = wait(waiting, left)
            if not ready:
                raise WorkerError(f"a worker did not start within {timeout:g} s")
            for index, conn in enumerate(self.conns):
                if conn not in ready:
                    continue
                try:
                    answers[index] = conn.recv()
                except EOFError:
                    answers[index] = f"worker {index} ended without an answer"
        return [answers[i] for i in range(len(self.conns))]

    def close(self) -> None:
        """Stop any worker still running and wait for each."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(10)
        for conn in self.conns:
            conn.close()
