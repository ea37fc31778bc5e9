"""One pass of the suite over a URL: plan, record, classify, judge; every driver runs this.

The run's one ``Classifier`` is built here and shared by every stage: the recorder keeps
each event's kind with the main recording as it arrives (the terminal event is found
from it), the planner reads it to choose the probes, and the rules judge from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .classify import Classifier
from .report.model import Report
from .rules import evaluate
from .rules.result import RuleResult
from .run.options import Options
from .run.recording import Ending, Recordings
from .spec.errors import ContractError
from .spec.model import Contract


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass produced: the recordings and the rules' results, or why there are none."""

    url: str
    contract: Contract
    classifier: Classifier
    recordings: Recordings | None = None
    results: tuple[RuleResult, ...] = ()
    error: str = ""
    started: float = 0.0

    def report(self, results: tuple[RuleResult, ...] | None = None) -> Report:
        """The pass as a report (with ``results`` instead of its own, when given)."""
        elapsed = time.monotonic() - self.started
        if self.error:
            return Report(self.url, error=self.error, elapsed=elapsed, contract=self.contract.name)
        chosen = self.results if results is None else results
        return Report(self.url, chosen, elapsed=elapsed, contract=self.contract.name)


async def run_pass(url: str, contract: Contract, options: Options) -> Pass:
    """Record the stream and every probe at ``url`` and judge them against ``contract``.

    Never raises for anything the server does; a pass that cannot happen (nothing
    listening, an unset ``${NAME}``, a failing probe) has ``error`` set.
    """
    from .run.recorder import ProbeError, record_all  # aiohttp only when the suite runs

    started = time.monotonic()
    classifier = Classifier(contract)
    failed = Pass(url, contract, classifier, started=started)
    try:
        recordings = await record_all(url, contract, options, classifier)
    except ContractError as exc:
        return _with_error(failed, str(exc))
    except (ProbeError, ExceptionGroup) as exc:
        while isinstance(exc, ExceptionGroup):
            exc = exc.exceptions[0]
        if isinstance(exc, ContractError):  # a probe's redirect the secrets may not follow
            return _with_error(failed, str(exc))
        return _with_error(failed, f"internal error while recording {exc}")
    main = recordings.main
    if main.ending is Ending.UNREACHABLE:
        return _with_error(failed, f"cannot reach {main.url}: {main.detail}")
    results = evaluate(contract, recordings, classifier)
    return Pass(url, contract, classifier, recordings, results, started=started)


def _with_error(failed: Pass, error: str) -> Pass:
    return Pass(failed.url, failed.contract, failed.classifier, error=error, started=failed.started)
