"""Whether a draft holds: against the samples it came from (no network), and against the
server in a run of the suite; each way it does not, in one line."""

from __future__ import annotations

from collections.abc import Sequence

from contract.report.model import Report
from contract.rules import evaluate
from contract.run.recording import Recording, Recordings
from contract.spec.model import Contract


def sample_problems(contract: Contract, samples: Sequence[Recording]) -> list[str]:
    """How the samples themselves break the draft (a generalisation that missed one)."""
    return [
        f"sample {number}: {result.rule} {result.verdict.value}: {result.summary}"
        for number, sample in enumerate(samples, 1)
        for result in evaluate(contract, Recordings(sample))
        if result.failed
    ]


def report_problems(report: Report) -> list[str]:
    """How the suite's run of the draft against the server failed."""
    if report.error:
        return [f"the check run could not run: {report.error}"]
    return [
        f"the check run: {result.rule} {result.verdict.value}: {result.summary}"
        for result in report.results
        if result.failed
    ]
